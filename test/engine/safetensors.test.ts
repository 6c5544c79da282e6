import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import fc from "fast-check";
import { type Array, numpy as np, tree } from "../../src/engine/jax.ts";
import {
  decodeSafetensors,
  encodeSafetensors,
  type NamedTensor,
  SafetensorsError,
  treeFromTensors,
} from "../../src/engine/safetensors.ts";
import { loadSafetensors, loadTree, saveTree } from "../../src/engine/safetensors-file.ts";
import { namedLeaves, treeFromNamed } from "../../src/engine/tree-names.ts";

const dir = mkdtempSync(join(tmpdir(), "safetensors-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);
const hex = (data: ArrayBufferView) =>
  Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("hex");

for (const [file, writer, note] of [
  ["python.safetensors", "an independent Python writer", "written without the safetensors package"],
  [
    "python-library.safetensors",
    "Python's safetensors 0.8.0",
    "written by the safetensors package",
  ],
] as const) {
  test(`a file written by ${writer} loads with every byte intact`, () => {
    const expected = JSON.parse(readFileSync(fixture("python.safetensors.json"), "utf8")) as {
      metadata: Record<string, string>;
      tensors: Record<string, { dtype: string; shape: number[]; hex: string }>;
    };
    const { tensors, metadata } = loadSafetensors(fixture(file).pathname);
    assert.deepEqual(metadata, { ...expected.metadata, note });
    assert.deepEqual(Object.keys(tensors).sort(), Object.keys(expected.tensors).sort());
    for (const [name, want] of Object.entries(expected.tensors)) {
      const got = tensors[name];
      assert.equal(got.dtype, want.dtype, name);
      assert.deepEqual(got.shape, want.shape, name);
      assert.equal(hex(got.data), want.hex, name);
    }
    assert.deepEqual(tensors.temperature.shape, []);
    assert.equal((tensors.temperature.data as Float32Array)[0], 0.75);
    assert.deepEqual([...(tensors.pixels.data as Uint8Array)], [0, 1, 127, 128, 255]);
  });
}

/** A float32 tensor whose bytes include NaN payloads, -0, subnormals and infinities. */
function trickyFloats(): Float32Array {
  const bits = new Uint32Array([
    0x7fc00000, 0x7fa12345, 0xffc00001, 0x80000000, 0x00000001, 0x807fffff, 0x7f800000, 0xff800000,
    0x3f800000, 0x12345678, 0xdeadbeef, 0x00800000,
  ]);
  return new Float32Array(bits.buffer);
}

test("saveTree/loadTree round-trip a tree bit-identically, with structure and metadata", async () => {
  const original = {
    encoder: {
      convs: [
        { w: np.array(trickyFloats(), { shape: [3, 2, 2] }), b: np.array([0.5, -0.5]) },
        { w: np.array([1e-45, -3.4e38], { shape: [1, 2] }), b: np.array(7) },
      ],
    },
    counts: np.array(new Int32Array([-2147483648, 0, 2147483647]), { dtype: np.int32 }),
    words: np.array(new Uint32Array([0, 1, 4294967295]), { dtype: np.uint32 }),
    mask: np.array([true, false, true]),
  };
  const path = join(dir, "tree.safetensors");
  await saveTree(path, original, { step: "12", note: "ünïcode" });
  const { tree: loaded, metadata } = loadTree(path);
  assert.deepEqual(metadata, { step: "12", note: "ünïcode" });
  assert.ok(tree.structure(original).equals(tree.structure(loaded)), "same tree structure");
  // saveTree consumed nothing: every original leaf is still readable.
  const before = namedLeaves<Array>(original);
  const afterLoad = namedLeaves<Array>(loaded);
  assert.deepEqual(
    afterLoad.map(([n]) => n),
    [
      "encoder.convs.0.w",
      "encoder.convs.0.b",
      "encoder.convs.1.w",
      "encoder.convs.1.b",
      "counts",
      "words",
      "mask",
    ],
  );
  for (const [i, [name, leaf]] of before.entries()) {
    const other = afterLoad[i][1];
    assert.equal(other.dtype, leaf.dtype, name);
    assert.deepEqual(other.shape, leaf.shape, name);
    assert.equal(hex(other.dataSync()), hex(leaf.dataSync()), `${name} bytes`);
  }
  assert.deepEqual(readdirSync(dir), ["tree.safetensors"], "no temporary files left");
});

test("float64 tensors load into jax and save back bit-identically", async () => {
  const bits = new Uint32Array([0x54442d18, 0x400921fb, 0, 0x80000000, 1, 0, 0x12345, 0x7ff80000]);
  const values = new Float64Array(bits.buffer); // pi, -0, the smallest subnormal, a NaN payload
  const path = join(dir, "f64.safetensors");
  writeFileSync(path, encodeSafetensors({ "p.0": { dtype: "F64", shape: [2, 2], data: values } }));
  const { tree: loaded } = loadTree(path);
  const leaf = (loaded as { p: Array[] }).p[0];
  assert.equal(leaf.dtype, np.float64);
  assert.deepEqual(leaf.shape, [2, 2]);
  assert.equal(hex(leaf.ref.dataSync()), hex(values));
  await saveTree(path, loaded);
  assert.equal(hex(loadSafetensors(path).tensors["p.0"].data), hex(values));
  tree.dispose(loaded);
  rmSync(path);
});

test("the encoder follows the format: LE header size, aligned padded JSON header, data in order", () => {
  const tensors: Record<string, NamedTensor> = {
    b: { dtype: "U8", shape: [3], data: new Uint8Array([1, 2, 3]) },
    a: { dtype: "F64", shape: [], data: new Float64Array([2.5]) },
  };
  const bytes = encodeSafetensors(tensors, { k: "v" });
  const n = Number(Buffer.from(bytes).readBigUInt64LE(0));
  assert.equal((8 + n) % 8, 0, "data buffer is 8-byte aligned");
  const text = Buffer.from(bytes.subarray(8, 8 + n)).toString("utf8");
  assert.match(text, /^\{.*\} *$/);
  assert.deepEqual(JSON.parse(text), {
    __metadata__: { k: "v" },
    b: { dtype: "U8", shape: [3], data_offsets: [0, 3] },
    a: { dtype: "F64", shape: [], data_offsets: [3, 11] },
  });
  assert.equal(Buffer.from(bytes.subarray(8 + n)).toString("hex"), `010203${"0000000000000440"}`);
});

/** Builds a file from a header object and a data buffer, the way a hostile writer could. */
function rawFile(header: unknown, data: Uint8Array = new Uint8Array(0), headerText?: string) {
  const json = Buffer.from(headerText ?? JSON.stringify(header));
  const out = Buffer.alloc(8 + json.length + data.length);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  out.set(data, 8 + json.length);
  return new Uint8Array(out);
}
const f32 = (offsets: number[], shape = [2]) => ({ dtype: "F32", shape, data_offsets: offsets });

test("corrupt files are rejected with the file name and the problem", () => {
  const file = "bad.safetensors";
  const rejects = (bytes: Uint8Array, pattern: RegExp) =>
    assert.throws(
      () => decodeSafetensors(bytes, file),
      (error: Error) => {
        assert.ok(error instanceof SafetensorsError, `${error.name}: ${error.message}`);
        assert.ok(error.message.startsWith(`${file}: `), error.message);
        assert.match(error.message, pattern);
        return true;
      },
    );
  const good = encodeSafetensors({
    x: { dtype: "F32", shape: [2], data: new Float32Array([1, 2]) },
  });
  rejects(good.subarray(0, 5), /5 bytes is too short/);
  rejects(good.subarray(0, 20), /header length \d+ exceeds the 12 bytes after the length field/);
  rejects(good.subarray(0, good.length - 1), /data_offsets \[0, 8\] beyond the 7-byte data buffer/);
  rejects(rawFile(null, undefined, "[1, 2]"), /must be a JSON object starting with "\{"/);
  rejects(rawFile(null, undefined, '{"x": '), /header is not valid JSON/);
  rejects(
    rawFile(null, undefined, "{\xff}").map((b, i) => (i === 9 ? 0xff : b)),
    /not valid UTF-8/,
  );
  rejects(
    rawFile({ x: { ...f32([0, 8]), dtype: "F33" } }, new Uint8Array(8)),
    /unknown dtype "F33"/,
  );
  rejects(
    rawFile({ x: f32([0, 8], [-2]) }, new Uint8Array(8)),
    /shape \[-2\], expected a list of integers/,
  );
  rejects(
    rawFile({ x: f32([0, 8], [3]) }, new Uint8Array(8)),
    /shape \[3\] of F32 needs 12 bytes, data_offsets \[0, 8\] hold 8/,
  );
  rejects(
    rawFile({ x: f32([8, 0]) }, new Uint8Array(8)),
    /data_offsets \[8,0\], expected \[begin, end\]/,
  );
  rejects(
    rawFile({ x: f32([0, 8]), y: f32([12, 20]) }, new Uint8Array(20)),
    /bytes 8\.\.12 belong to no tensor/,
  );
  rejects(
    rawFile({ x: f32([0, 8]), y: f32([4, 12]) }, new Uint8Array(12)),
    /overlaps the previous tensor, which ends at 8/,
  );
  rejects(
    rawFile({ x: f32([0, 8]) }, new Uint8Array(10)),
    /bytes 8\.\.10 belong to no tensor \(trailing bytes\)/,
  );
  rejects(rawFile({ x: f32([0, 8], [1e9, 1e9, 1e9]) }, new Uint8Array(8)), /needs too many bytes/);
  rejects(rawFile({ __metadata__: { a: 1 } }), /__metadata__\.a must be a string, got 1/);
  rejects(rawFile({ x: 3 }), /tensor "x" must be an object/);
  const huge = new Uint8Array(16);
  new DataView(huge.buffer).setBigUint64(0, 2n ** 63n, true);
  rejects(huge, /header length 9223372036854775808 exceeds/);
});

test("names that are special to JavaScript objects stay ordinary keys", () => {
  const header =
    '{"__proto__": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}, "__metadata__": {"__proto__": "x"}}';
  const { tensors, metadata } = decodeSafetensors(rawFile(null, new Uint8Array([42]), header));
  assert.deepEqual(Object.keys(tensors), ["__proto__"]);
  assert.deepEqual(
    [...(Object.getOwnPropertyDescriptor(tensors, "__proto__")?.value.data ?? [])],
    [42],
  );
  assert.equal(Object.getOwnPropertyDescriptor(metadata, "__proto__")?.value, "x");
});

test("missing files and unloadable dtypes give clear errors", () => {
  assert.throws(
    () => loadSafetensors(join(dir, "nope.safetensors")),
    /nope\.safetensors: cannot read/,
  );
  const tensors = decodeSafetensors(readFileSync(fixture("python.safetensors"))).tensors;
  assert.throws(
    () => treeFromTensors(tensors, "python.safetensors"),
    /python\.safetensors: tensor "pixels" has dtype U8, which has no jax-js equivalent/,
  );
  assert.throws(
    () => encodeSafetensors({ x: { dtype: "F32", shape: [3], data: new Float32Array(2) } }),
    /tensor "x": shape \[3\] needs 12 bytes of F32, data has 8/,
  );
  assert.throws(
    () =>
      encodeSafetensors({ x: { dtype: "F32", shape: [2], data: new Float64Array(1) as never } }),
    /dtype F32 needs a Float32Array, got Float64Array/,
  );
});

test("dotted names: keys that would be ambiguous are refused, and rebuilding checks the names", () => {
  assert.throws(
    () => namedLeaves({ "a.b": 1 }),
    /key "a\.b" at the root cannot be part of a dotted name/,
  );
  assert.throws(() => namedLeaves({ a: { 0: 1 } }), /key "0" at a cannot be part/);
  assert.throws(() => namedLeaves(np.zeros([1])), /root must be an object or an array/);
  assert.deepEqual(
    treeFromNamed([
      ["a.0.w", 1],
      ["a.1", 2],
      ["b", 3],
    ]),
    { a: [{ w: 1 }, 2], b: 3 },
  );
  assert.deepEqual(
    treeFromNamed([
      ["1", "y"],
      ["0", "x"],
    ]),
    ["x", "y"],
  );
  assert.throws(
    () =>
      treeFromNamed(
        [
          ["a.0", 1],
          ["a.2", 2],
        ],
        "f.st",
      ),
    /f\.st: array "a" has 2 entries but is missing index 1/,
  );
  assert.throws(
    () =>
      treeFromNamed([
        ["a.0", 1],
        ["a.x", 2],
      ]),
    /"a" mixes array indices and names/,
  );
  assert.throws(
    () =>
      treeFromNamed([
        ["a", 1],
        ["a.b", 2],
      ]),
    /"a\.b" clashes with the leaf "a"/,
  );
  assert.throws(
    () =>
      treeFromNamed([
        ["a.b", 1],
        ["a", 2],
      ]),
    /"a" clashes with other names under "a\."/,
  );
  assert.throws(() => treeFromNamed([["a..b", 1]]), /empty path segment/);
});

/** The decoder's contract on arbitrary input: a consistent result or a SafetensorsError. */
function decodesOrRejectsCleanly(bytes: Uint8Array) {
  try {
    const { tensors } = decodeSafetensors(bytes, "fuzz");
    for (const t of Object.values(tensors)) {
      const count = t.shape.reduce((a, b) => a * b, 1);
      assert.equal(t.data.length, count);
    }
  } catch (error) {
    if (error instanceof SafetensorsError && error.message.startsWith("fuzz: ")) return;
    throw error;
  }
}

const seed = encodeSafetensors(
  {
    w: { dtype: "F32", shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
    s: { dtype: "I32", shape: [], data: new Int32Array([9]) },
    u: { dtype: "U8", shape: [0], data: new Uint8Array(0) },
  },
  { a: "b" },
);

test("fuzz: random bytes and mutated files never crash the decoder", () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), decodesOrRejectsCleanly), {
    numRuns: 500,
  });
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant("flip"), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant("cut"), at: fc.nat(), value: fc.constant(0) }),
    fc.record({
      kind: fc.constant("insert"),
      at: fc.nat(),
      value: fc.integer({ min: 0, max: 255 }),
    }),
  );
  fc.assert(
    fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
      let bytes = Uint8Array.from(seed);
      for (const { kind, at, value } of mutations) {
        const i = at % (bytes.length + 1);
        if (kind === "flip" && i < bytes.length) bytes[i] = value;
        if (kind === "cut") bytes = bytes.slice(0, i);
        if (kind === "insert")
          bytes = Uint8Array.from([...bytes.slice(0, i), value, ...bytes.slice(i)]);
      }
      decodesOrRejectsCleanly(bytes);
    }),
    { numRuns: 1000 },
  );
  // Structure-aware: well-framed files whose header fields are arbitrary JSON values.
  fc.assert(
    fc.property(
      fc.dictionary(
        fc.oneof(fc.constant("__metadata__"), fc.string()),
        fc.oneof(
          fc.jsonValue(),
          fc.record({
            dtype: fc.oneof(fc.constantFrom("F32", "U8", "I64", "BOOL"), fc.jsonValue()),
            shape: fc.oneof(fc.array(fc.nat(4)), fc.jsonValue()),
            data_offsets: fc.oneof(fc.tuple(fc.nat(40), fc.nat(40)), fc.jsonValue()),
          }),
        ),
      ),
      fc.nat(40),
      (header, dataLength) => decodesOrRejectsCleanly(rawFile(header, new Uint8Array(dataLength))),
    ),
    { numRuns: 1000 },
  );
});

test("a truncated file on disk is reported with its path", () => {
  const path = join(dir, "truncated.safetensors");
  writeFileSync(path, seed.subarray(0, seed.length - 3));
  assert.throws(
    () => loadTree(path),
    new RegExp(`^SafetensorsError: ${path}: tensor "(w|s)" has data_offsets`),
  );
});
