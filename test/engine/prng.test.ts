import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { type Array, jit, numpy as np, random } from "../../src/engine/jax.ts";
import {
  foldIn,
  keyFromData,
  keyFromSeed,
  keyToData,
  splitKey,
  threefry2x32,
} from "../../src/engine/prng.ts";

const words = (key: Array): number[] => [...keyToData(key)];
const u32 = (values: number[]): Array => np.array(values, { dtype: np.uint32 });

test("threefry2x32 reproduces the Random123 known-answer vectors (20 rounds)", () => {
  // (key, counter) -> output, from Random123's kat_vectors (also JAX's testThreefry2x32).
  const M = 0xffffffff;
  const cases = [
    { key: [0, 0], counter: [0, 0], want: [0x6b200159, 0x99ba4efe] },
    { key: [M, M], counter: [M, M], want: [0x1cb996fc, 0xbb002be7] },
    {
      key: [0x13198a2e, 0x03707344],
      counter: [0x243f6a88, 0x85a308d3],
      want: [0xc4923a9c, 0x483df7a0],
    },
  ];
  const [x0, x1] = threefry2x32(
    u32(cases.map((c) => c.key[0])),
    u32(cases.map((c) => c.key[1])),
    u32(cases.map((c) => c.counter[0])),
    u32(cases.map((c) => c.counter[1])),
  );
  assert.deepEqual([...x0.dataSync()], [...cases.map((c) => c.want[0])]);
  assert.deepEqual([...x1.dataSync()], [...cases.map((c) => c.want[1])]);
});

test("keys from seeds are [0, seed] like jax.random.key", () => {
  assert.deepEqual(words(keyFromSeed(0)), [0, 0]);
  assert.deepEqual(words(keyFromSeed(4294967295)), [0, 4294967295]);
  assert.throws(() => keyFromSeed(-1), /seed must be an integer in \[0, 2\^32\), got -1/);
  assert.throws(() => keyFromSeed(1.5), /got 1.5/);
});

test("foldIn(key, i) equals jax-js split(key, n)[i] (JAX partitionable threefry)", () => {
  for (const seed of [0, 7, 123456789]) {
    const n = 5;
    const split = splitKey(keyFromSeed(seed), n).map(words);
    for (let i = 0; i < n; i++) {
      assert.deepEqual(words(foldIn(keyFromSeed(seed), i)), split[i], `seed ${seed}, i ${i}`);
    }
  }
});

test("foldIn of key [0, 0] with data 0 is the all-zero known answer", () => {
  assert.deepEqual(
    words(foldIn(keyFromData(new Uint32Array([0, 0])), 0)),
    [0x6b200159, 0x99ba4efe],
  );
});

test("split and foldIn are deterministic and give distinct streams", () => {
  const a = splitKey(keyFromSeed(42), 64).map((k) => words(k).join(","));
  const b = splitKey(keyFromSeed(42), 64).map((k) => words(k).join(","));
  assert.deepEqual(a, b);
  const folded = [];
  for (let i = 0; i < 64; i++) folded.push(words(foldIn(keyFromSeed(42), 1000 + i)).join(","));
  const other = splitKey(keyFromSeed(43), 64).map((k) => words(k).join(","));
  const all = new Set([...a, ...folded, ...other, "0,42", "0,43"]);
  assert.equal(all.size, 64 * 3 + 2, "every derived key differs from every other and its parent");
  // Large data values go through the hash directly, without materialising a split.
  assert.notDeepEqual(words(foldIn(keyFromSeed(42), 4294967295)), words(keyFromSeed(42)));
});

test("foldIn under jit with a traced counter matches eager foldIn", () => {
  const jitted = jit((key: Array, step: Array) => foldIn(key, step));
  try {
    for (const step of [0, 1, 99, 4000000000]) {
      const traced = words(jitted(keyFromSeed(5), np.array(step, { dtype: np.uint32 })));
      assert.deepEqual(traced, words(foldIn(keyFromSeed(5), step)), `step ${step}`);
    }
  } finally {
    jitted.dispose();
  }
});

test("bad keys and data are rejected with the value in the message", () => {
  assert.throws(() => foldIn(keyFromSeed(1), -3), /foldIn: data must be an integer .* got -3/);
  assert.throws(
    () => foldIn(np.zeros([3], { dtype: np.uint32 }), 1),
    /expected a PRNG key \(uint32, shape \[2\]\), got \[3\]/,
  );
  assert.throws(() => foldIn(keyFromSeed(1), np.array([1, 2], { dtype: np.uint32 })), /scalar/);
  assert.throws(() => splitKey(keyFromSeed(1), 0), /positive integer, got 0/);
  assert.throws(() => keyFromData(new Uint32Array(3)), /length 2, got length 3/);
});

test("keyToData / keyFromData round-trip exactly and preserve the stream", () => {
  fc.assert(
    fc.property(fc.uint32Array({ minLength: 2, maxLength: 2 }), (data) => {
      assert.deepEqual(keyToData(keyFromData(data)), data);
    }),
    { numRuns: 50 },
  );
  const key = splitKey(keyFromSeed(9), 3)[2];
  const saved = keyToData(key.ref);
  const direct = random.normal(key, [16]).dataSync();
  const restored = random.normal(keyFromData(saved), [16]).dataSync();
  assert.deepEqual(Buffer.from(restored.buffer), Buffer.from(direct.buffer));
});

test("normals drawn from split keys look standard normal and independent", () => {
  const keys = 64;
  const perKey = 512;
  const draws = splitKey(keyFromSeed(2024), keys).map((k) => random.normal(k, [perKey]).dataSync());
  const all = draws.flatMap((d) => [...d]);
  const n = all.length;
  const mean = all.reduce((s, x) => s + x, 0) / n;
  const variance = all.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
  // 5-sigma bounds: sd(mean) = 1/sqrt(n), sd(variance) ~ sqrt(2/n).
  assert.ok(Math.abs(mean) < 5 / Math.sqrt(n), `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 5 * Math.sqrt(2 / n), `variance ${variance}`);
  const inside = all.filter((x) => Math.abs(x) < 1.959964).length / n;
  assert.ok(Math.abs(inside - 0.95) < 5 * Math.sqrt((0.95 * 0.05) / n), `P(|x|<1.96) ${inside}`);
  // Streams of neighbouring keys are uncorrelated: |r| < 5/sqrt(perKey).
  for (let k = 0; k + 1 < keys; k++) {
    let r = 0;
    for (let i = 0; i < perKey; i++) r += draws[k][i] * draws[k + 1][i];
    r /= perKey;
    assert.ok(Math.abs(r) < 5 / Math.sqrt(perKey), `corr(stream ${k}, ${k + 1}) = ${r}`);
  }
});
