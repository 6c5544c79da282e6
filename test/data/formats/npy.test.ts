import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { DataFormatError } from "../../../src/data/errors.ts";
import { parseNpy } from "../../../src/data/formats/npy.ts";
import { assertParsesOrRejects, mutatedBytes } from "../helpers/fuzz.ts";

interface Case {
  name: string;
  bytes: string;
  dtype: string;
  shape: number[];
  fortranOrder: boolean;
  values: (number | string)[];
}
const fixture = JSON.parse(
  readFileSync(new URL("../fixtures/npy.json", import.meta.url), "utf8"),
) as { cases: Case[] };
const bytesOf = (c: Case) => new Uint8Array(Buffer.from(c.bytes, "base64"));

test("parses files written by numpy (tools/golden/data_npy.py)", () => {
  for (const c of fixture.cases) {
    const array = parseNpy(bytesOf(c), c.name);
    assert.equal(array.dtype, c.dtype, c.name);
    assert.deepEqual(array.shape, c.shape, c.name);
    assert.equal(array.fortranOrder, c.fortranOrder, c.name);
    assert.deepEqual(Array.from(array.data), c.values.map(Number), c.name);
  }
});

test("element types map to the documented typed arrays", () => {
  const kinds = Object.fromEntries(
    fixture.cases.map((c) => [c.name, parseNpy(bytesOf(c), c.name).data.constructor.name]),
  );
  assert.equal(kinds["float32 2x3"], "Float32Array");
  assert.equal(kinds["int64 latents"], "Float64Array");
  assert.equal(kinds["uint8 3d"], "Uint8Array");
  assert.equal(kinds.float16, "Float32Array");
  assert.equal(kinds["int16 big-endian"], "Int16Array");
});

test("bad files give a DataFormatError naming the file and the problem", () => {
  const good = bytesOf(fixture.cases[0]);
  assert.throws(
    () => parseNpy(good.slice(0, good.length - 3), "a.npy"),
    (e: Error) => e instanceof DataFormatError && /a\.npy: .*truncated/.test(e.message),
  );
  const wrongMagic = good.slice();
  wrongMagic[1] = 0x4f;
  assert.throws(() => parseNpy(wrongMagic, "b.npy"), /b\.npy: not an npy file: byte 1/);
  const objectHeader = new TextEncoder().encode(
    "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }\n",
  );
  const objectFile = new Uint8Array(10 + objectHeader.length + 8);
  objectFile.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, objectHeader.length, 0]);
  objectFile.set(objectHeader, 10);
  assert.throws(() => parseNpy(objectFile, "c.npy"), /c\.npy: npy dtype '\|O' is not supported/);
});

test("property: random and mutated bytes parse or throw DataFormatError", () => {
  const valid = fixture.cases.map(bytesOf);
  fc.assert(
    fc.property(mutatedBytes(valid), (bytes) =>
      assertParsesOrRejects((b) => parseNpy(b, "fuzz.npy"), bytes),
    ),
    { numRuns: 3000 },
  );
});

test("parses a Node Buffer that is a view into a larger pool (readFileSync, Buffer.concat)", () => {
  const c = fixture.cases.find((x) => x.name === "float32 2x3") as Case;
  const file = Buffer.from(c.bytes, "base64");
  // Buffer.concat of small buffers returns a view into the shared pool at a non-zero offset.
  const pooled = Buffer.concat([file.subarray(0, 7), file.subarray(7)]);
  const padded = Buffer.concat([Buffer.from("garbage!"), file]).subarray(8);
  for (const bytes of [pooled, padded]) {
    assert.ok(bytes.byteOffset > 0 || bytes.buffer.byteLength > bytes.length);
    const array = parseNpy(bytes, c.name);
    assert.deepEqual(Array.from(array.data), c.values.map(Number));
  }
  const dir = mkdtempSync(join(tmpdir(), "npy-"));
  writeFileSync(join(dir, "a.npy"), file);
  const read = readFileSync(join(dir, "a.npy"));
  assert.deepEqual(Array.from(parseNpy(read, c.name).data), c.values.map(Number));
});
