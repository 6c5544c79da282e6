import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../src/metrics/rng.ts";

test("xoshiro128** seeded by splitmix32 matches an independent Python implementation", () => {
  // Reference: the published algorithms re-implemented in Python with explicit uint32 masks.
  const rng = new Rng(12345);
  const got = Array.from({ length: 5 }, () => rng.nextUint32());
  assert.deepEqual(got, [518667457, 440444462, 4232892992, 3757857622, 3939018813]);
});

test("the same seed gives the same stream, different seeds differ", () => {
  const a = new Rng(7);
  const b = new Rng(7);
  const c = new Rng(8);
  const sa = Array.from({ length: 20 }, () => a.normal());
  assert.deepEqual(
    sa,
    Array.from({ length: 20 }, () => b.normal()),
  );
  assert.notDeepEqual(
    sa,
    Array.from({ length: 20 }, () => c.normal()),
  );
});

test("uniform, normal and int have the right moments and frequencies", () => {
  const rng = new Rng(3);
  const n = 200000;
  let su = 0;
  let su2 = 0;
  let sn = 0;
  let sn2 = 0;
  let sn4 = 0;
  for (let i = 0; i < n; i++) {
    const u = rng.uniform();
    assert.ok(u >= 0 && u < 1);
    su += u;
    su2 += u * u;
    const z = rng.normal();
    sn += z;
    sn2 += z * z;
    sn4 += z ** 4;
  }
  assert.ok(Math.abs(su / n - 0.5) < 0.005);
  assert.ok(Math.abs(su2 / n - 1 / 3) < 0.005);
  assert.ok(Math.abs(sn / n) < 0.01);
  assert.ok(Math.abs(sn2 / n - 1) < 0.015);
  assert.ok(Math.abs(sn4 / n - 3) < 0.08);
  // chi-square of int(7) counts, 6 degrees of freedom: P(chi2 > 22.5) ~ 0.001
  const counts = new Float64Array(7);
  for (let i = 0; i < 70000; i++) counts[rng.int(7)]++;
  const chi2 = counts.reduce((s, c) => s + (c - 10000) ** 2 / 10000, 0);
  assert.ok(chi2 < 22.5, `chi2 ${chi2}`);
  assert.throws(() => rng.int(0), /1 <= n/);
});

test("permutation holds every index once", () => {
  const p = new Rng(1).permutation(50);
  assert.deepEqual(
    Array.from(p).sort((a, b) => a - b),
    Array.from({ length: 50 }, (_, i) => i),
  );
});
