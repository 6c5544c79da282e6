import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { sap, sapFromScores } from "../../src/metrics/sap.ts";
import { codesOf, noisyCodes, randomFactors, transformCodes } from "./synthetic.ts";

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

test("SAP with a continuous factor uses R^2 (hand-computed)", () => {
  // v = [2,4,5,8]; z0 = [1,2,3,4]: R^2 = 9.5^2 / (5 * 18.75); z1 = [1,-1,1,-1]: 5^2 / (4 * 18.75)
  const codes = { data: Float32Array.from([1, 1, 2, -1, 3, 1, 4, -1]), count: 4, dims: 2 };
  const factors = { data: [2, 4, 5, 8], count: 4, factors: 1, discrete: [false] };
  const r = sap(codes, factors, { numTest: 0 });
  const r0 = 9.5 ** 2 / (5 * 18.75);
  const r1 = 25 / (4 * 18.75);
  assert.ok(Math.abs(r.scores[0][0] - r0) < 1e-12);
  assert.ok(Math.abs(r.scores[1][0] - r1) < 1e-12);
  assert.ok(Math.abs(r.sap - (r0 - r1)) < 1e-12);
});

test("SAP: identity high, constant zero, duplicated factor penalised", () => {
  const factors = randomFactors([4, 5, 6], 1500, 1);
  const identity = sap(
    codesOf(factors, (r) => r),
    factors,
  ).sap;
  assert.ok(identity > 0.9 && identity <= 1, `identity ${identity}`);
  assert.equal(
    sap(
      codesOf(factors, () => [2, 2, 2]),
      factors,
    ).sap,
    0,
  );
  const dup = sap(
    codesOf(factors, (r) => [r[0], r[1], r[0], r[2]]),
    factors,
  );
  assert.ok(Math.abs(dup.perFactor[0]) < 1e-12, `duplicated gap ${dup.perFactor[0]}`);
  assert.ok(dup.sap < 0.7, `duplicated ${dup.sap}`);
  const continuous = { ...factors, discrete: [false, false, false] };
  assert.ok(
    sap(
      codesOf(factors, (r) => r),
      continuous,
    ).sap > 0.9,
  );
});

test("SAP is invariant to permuting and rescaling code dimensions", () => {
  const factors = randomFactors([3, 4], 300, 2);
  const mixed = { ...factors, discrete: [true, false] };
  const codes = noisyCodes(factors, 0.4, 1, 3);
  const base = sap(codes, mixed).sap;
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
        assert.ok(Math.abs(sap(moved, mixed).sap - base) < 1e-9);
      },
    ),
    { numRuns: 20 },
  );
});
