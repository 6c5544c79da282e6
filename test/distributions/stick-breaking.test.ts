import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { stickWeights } from "../../src/distributions/stick-breaking.ts";
import { initEngine } from "../../src/engine/device.ts";
import { numpy as np } from "../../src/engine/jax.ts";

await initEngine();

test("stick weights: π_k = v_k Π_{j<k} (1 - v_j), summing to 1 - Π_k (1 - v_k)", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.double({ min: 0.001, max: 0.999, noNaN: true }), { minLength: 1, maxLength: 12 }),
      async (v) => {
        const got = (await stickWeights(np.array(Float32Array.from(v))).data()) as Float32Array;
        let rest = 1;
        v.forEach((vk, k) => {
          const expected = vk * rest;
          assert.ok(
            Math.abs(got[k] - expected) < 1e-5 + 1e-4 * expected,
            `π_${k}: ${got[k]} vs ${expected}`,
          );
          rest *= 1 - vk;
        });
        const total = got.reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(total - (1 - rest)) < 1e-4);
      },
    ),
    { numRuns: 50 },
  );
});

test("stick weights keep fractions at the ends finite (traversals sweep past them)", async () => {
  const got = (await stickWeights(np.array([0, 1, 0.5, -2, 3])).data()) as Float32Array;
  assert.ok(
    got.every((x) => Number.isFinite(x) && x >= 0 && x <= 1),
    `${got}`,
  );
});
