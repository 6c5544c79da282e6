import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { explicitness } from "../../src/metrics/explicitness.ts";
import { codesOf, noisyCodes, randomFactors, transformCodes } from "./synthetic.ts";

test("explicitness: identity high, constant codes at chance (AUC 0.5)", () => {
  const factors = randomFactors([2, 3, 4], 600, 1);
  const id = explicitness(
    codesOf(factors, (r) => r),
    factors,
  );
  assert.ok(id.explicitness > 0.9 && id.explicitness <= 1, `identity ${id.explicitness}`);
  // binary factors are linearly separable along their own code: AUC exactly 1
  const binary = randomFactors([2, 2], 300, 2);
  assert.equal(
    explicitness(
      codesOf(binary, (r) => r),
      binary,
    ).explicitness,
    1,
  );
  assert.equal(
    explicitness(
      codesOf(factors, () => [3, 3]),
      factors,
    ).explicitness,
    0.5,
  );
});

test("explicitness is invariant to permuting and rescaling code dimensions", () => {
  const factors = randomFactors([2, 3], 200, 2);
  const codes = noisyCodes(factors, 0.8, 1, 3);
  const base = explicitness(codes, factors).explicitness;
  assert.ok(base > 0.5 && base < 1, `base ${base}`);
  fc.assert(
    fc.property(
      fc.shuffledSubarray([0, 1, 2], { minLength: 3, maxLength: 3 }),
      fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 3, maxLength: 3 }),
      (perm, exps) => {
        const r = explicitness(
          transformCodes(
            codes,
            perm,
            exps.map((e) => 2 ** e),
          ),
          factors,
        );
        assert.ok(Math.abs(r.explicitness - base) < 1e-6, `${r.explicitness} vs ${base}`);
      },
    ),
    { numRuns: 10 },
  );
});
