import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../src/data/random.ts";
import { standardNormal } from "../../src/metrics/normal.ts";

test("standard normal draws have mean 0, variance 1, kurtosis 3 and the normal CDF", () => {
  const rng = new Rng(3);
  const n = 200000;
  let s1 = 0;
  let s2 = 0;
  let s4 = 0;
  let below1 = 0;
  for (let i = 0; i < n; i++) {
    const z = standardNormal(rng);
    s1 += z;
    s2 += z * z;
    s4 += z ** 4;
    if (z < 1) below1++;
  }
  // standard errors: 0.0022, 0.0032, 0.024, 0.0008
  assert.ok(Math.abs(s1 / n) < 0.01);
  assert.ok(Math.abs(s2 / n - 1) < 0.015);
  assert.ok(Math.abs(s4 / n - 3) < 0.1);
  assert.ok(Math.abs(below1 / n - 0.8413447460685429) < 0.004); // Phi(1)
});

test("draws are reproducible from the seed", () => {
  const a = new Rng(5);
  const b = new Rng(5);
  for (let i = 0; i < 10; i++) assert.equal(standardNormal(a), standardNormal(b));
});
