import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { modularity, modularityFromMutualInformation } from "../../src/metrics/modularity.ts";
import { codesOf, noisyCodes, randomFactors, transformCodes } from "./synthetic.ts";

test("modularity of MI matrices (hand-computed)", () => {
  // rows: [1,0] -> 1; [1,1] -> 0; [2,1]: 1 - 1/(4*1) = 0.75; [0,0] -> 0
  const r = modularityFromMutualInformation([
    [1, 0],
    [1, 1],
    [2, 1],
    [0, 0],
  ]);
  assert.deepEqual(r.perDim, [1, 0, 0.75, 0]);
  assert.equal(r.modularity, 1.75 / 4);
  // three factors: [3,1,1] -> 1 - (1+1)/(9*2)
  assert.ok(
    Math.abs(modularityFromMutualInformation([[3, 1, 1]]).modularity - (1 - 2 / 18)) < 1e-12,
  );
});

test("modularity: identity high, constant zero, entangled codes lower", () => {
  const factors = randomFactors([4, 5], 2000, 1);
  const id = modularity(
    codesOf(factors, (r) => r),
    factors,
  ).modularity;
  assert.ok(id > 0.9 && id <= 1, `identity ${id}`);
  assert.equal(
    modularity(
      codesOf(factors, () => [1, 1]),
      factors,
    ).modularity,
    0,
  );
  const mixed = modularity(
    codesOf(factors, (r) => [r[0] + 5 * r[1], r[1]]),
    factors,
  ).modularity;
  assert.ok(mixed < 0.8, `mixed ${mixed}`);
});

test("modularity is invariant to permuting and power-of-2 rescaling of dimensions", () => {
  const factors = randomFactors([3, 4], 300, 2);
  const codes = noisyCodes(factors, 0.3, 1, 3);
  const base = modularity(codes, factors).perDim;
  fc.assert(
    fc.property(
      fc.shuffledSubarray([0, 1, 2], { minLength: 3, maxLength: 3 }),
      fc.array(fc.integer({ min: -4, max: 4 }), { minLength: 3, maxLength: 3 }),
      (perm, exps) => {
        const r = modularity(
          transformCodes(
            codes,
            perm,
            exps.map((e) => 2 ** e),
          ),
          factors,
        );
        assert.deepEqual(
          r.perDim,
          perm.map((p) => base[p]),
        );
      },
    ),
    { numRuns: 20 },
  );
});
