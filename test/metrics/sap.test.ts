import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { sap, sapBalanced, sapFromScores } from "../../src/metrics/sap.ts";
import { fixture, fixtureCodes, fixtureFactors, fixtureSplit } from "./sklearn-fixture.ts";
import { codesOf, noisyCodes, randomFactors, transformCodes } from "./synthetic.ts";

test("sap is disentanglement_lib's (LinearSVC accuracy): equal to scikit-learn's on the fixture", () => {
  const r = sap(fixtureCodes, fixtureFactors, { split: fixtureSplit });
  // measured: identical (every one of the 30 accuracies, out of 600 test rows)
  assert.ok(Math.abs(r.sap - fixture.sap.score) < 1e-9, `sap ${r.sap} vs ${fixture.sap.score}`);
  for (let j = 0; j < fixture.dims; j++) {
    for (let k = 0; k < fixture.factors; k++) {
      assert.ok(
        Math.abs(r.scores[j][k] - fixture.sap.scores[j][k]) < 1e-9,
        `S[${j}][${k}] ${r.scores[j][k]} vs ${fixture.sap.scores[j][k]}`,
      );
    }
  }
});

test("sap is invariant to permuting and negating code dimensions", () => {
  const factors = randomFactors([2, 4], 400, 5);
  const codes = noisyCodes(factors, 0.4, 1, 6);
  const base = sap(codes, factors);
  assert.ok(base.sap > 0.1, `sap ${base.sap}`);
  fc.assert(
    fc.property(
      fc.shuffledSubarray([0, 1, 2], { minLength: 3, maxLength: 3 }),
      fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
      (perm, flips) => {
        const moved = transformCodes(
          codes,
          perm,
          flips.map((f) => (f ? -1 : 1)),
        );
        assert.ok(Math.abs(sap(moved, factors).sap - base.sap) < 1e-12);
      },
    ),
    { numRuns: 10 },
  );
});

test("SAP of a score matrix is the mean top-two gap", () => {
  const scores = [
    [0.9, 0.1],
    [0.2, 0.5],
    [0.3, 0.45],
  ];
  const r = sapFromScores(scores, [0, 1]);
  assert.ok(Math.abs(r.perFactor[0] - 0.6) < 1e-12);
  assert.ok(Math.abs(r.perFactor[1] - 0.05) < 1e-12);
  assert.ok(Math.abs(r.sap - 0.325) < 1e-12);
});

test("SAP (both variants) with a continuous factor uses R^2 (hand-computed)", () => {
  // v = [2,4,5,8]; z0 = [1,2,3,4]: R^2 = 9.5^2 / (5 * 18.75); z1 = [1,-1,1,-1]: 5^2 / (4 * 18.75)
  const codes = { data: Float32Array.from([1, 1, 2, -1, 3, 1, 4, -1]), count: 4, dims: 2 };
  const factors = { data: [2, 4, 5, 8], count: 4, factors: 1, discrete: [false] };
  const r0 = 9.5 ** 2 / (5 * 18.75);
  const r1 = 25 / (4 * 18.75);
  for (const r of [
    sap(codes, factors, { numTest: 0 }),
    sapBalanced(codes, factors, { numTest: 0 }),
  ]) {
    assert.ok(Math.abs(r.scores[0][0] - r0) < 1e-12);
    assert.ok(Math.abs(r.scores[1][0] - r1) < 1e-12);
    assert.ok(Math.abs(r.sap - (r0 - r1)) < 1e-12);
  }
});

test("sap-balanced: identity high, constant zero, duplicated factor penalised", () => {
  const factors = randomFactors([4, 5, 6], 1500, 1);
  const identity = sapBalanced(
    codesOf(factors, (r) => r),
    factors,
  ).sap;
  assert.ok(identity > 0.9 && identity <= 1, `identity ${identity}`);
  assert.equal(
    sapBalanced(
      codesOf(factors, () => [2, 2, 2]),
      factors,
    ).sap,
    0,
  );
  const dup = sapBalanced(
    codesOf(factors, (r) => [r[0], r[1], r[0], r[2]]),
    factors,
  );
  assert.ok(Math.abs(dup.perFactor[0]) < 1e-12, `duplicated gap ${dup.perFactor[0]}`);
  assert.ok(dup.sap < 0.7, `duplicated ${dup.sap}`);
  const continuous = { ...factors, discrete: [false, false, false] };
  assert.ok(
    sapBalanced(
      codesOf(factors, (r) => r),
      continuous,
    ).sap > 0.9,
  );
});

test("sap-balanced is invariant to permuting and rescaling code dimensions", () => {
  const factors = randomFactors([3, 4], 300, 2);
  const mixed = { ...factors, discrete: [true, false] };
  const codes = noisyCodes(factors, 0.4, 1, 3);
  const base = sapBalanced(codes, mixed).sap;
  fc.assert(
    fc.property(
      fc.shuffledSubarray([0, 1, 2], { minLength: 3, maxLength: 3 }),
      fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 3, maxLength: 3 }),
      fc.boolean(),
      (perm, exps, flip) => {
        const moved = transformCodes(
          codes,
          perm,
          exps.map((e) => (flip ? -1 : 1) * 2 ** e),
        );
        assert.ok(Math.abs(sapBalanced(moved, mixed).sap - base) < 1e-9);
      },
    ),
    { numRuns: 20 },
  );
});
