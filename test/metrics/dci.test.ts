import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { dci, dciFromImportance } from "../../src/metrics/dci.ts";
import { fixture, fixtureCodes, fixtureFactors, fixtureSplit } from "./sklearn-fixture.ts";
import { codesOf, noisyCodes, randomFactors, transformCodes } from "./synthetic.ts";

test("disentanglement and completeness of importance matrices (hand-computed)", () => {
  const diag = dciFromImportance([
    [1, 0],
    [0, 1],
  ]);
  assert.ok(Math.abs(diag.disentanglement - 1) < 1e-9 && Math.abs(diag.completeness - 1) < 1e-9);
  const uniform = dciFromImportance([
    [1, 1],
    [1, 1],
  ]);
  assert.ok(Math.abs(uniform.disentanglement) < 1e-12 && Math.abs(uniform.completeness) < 1e-12);
  // R = [[1, 0], [1, 1]]: code 0 is specific (1 - H = 1), code 1 not (0); weights 1/3, 2/3
  // => D = 1/3. Factor 0 is spread evenly (0), factor 1 sits on code 1 (1); weights 2/3, 1/3 => C = 1/3.
  const mixed = dciFromImportance([
    [1, 0],
    [1, 1],
  ]);
  assert.ok(Math.abs(mixed.disentanglement - 1 / 3) < 1e-9, `${mixed.disentanglement}`);
  assert.ok(Math.abs(mixed.completeness - 1 / 3) < 1e-9, `${mixed.completeness}`);
  // 3 codes, 2 factors: one code splits 1:3 => 1 - H_2(1/4, 3/4)
  const h = -(0.25 * Math.log2(0.25) + 0.75 * Math.log2(0.75));
  const one = dciFromImportance([[1, 3]]);
  assert.ok(Math.abs(one.disentanglement - (1 - h)) < 1e-9);
  assert.ok(Math.abs(one.completeness - 1) < 1e-12); // a single code is trivially complete
});

const fast = { gbt: { stages: 15 } };

test("DCI: identity high on all three parts, constant codes low", () => {
  const factors = randomFactors([3, 4, 5], 600, 1);
  const id = dci(
    codesOf(factors, (r) => r),
    factors,
    fast,
  );
  for (const [k, v] of Object.entries({
    disentanglement: id.disentanglement,
    completeness: id.completeness,
    informativeness: id.informativeness,
  })) {
    assert.ok(v > 0.9 && v <= 1 + 1e-9, `identity ${k} ${v}`);
  }
  const constant = dci(
    codesOf(factors, () => [0, 0]),
    factors,
    fast,
  );
  assert.equal(constant.disentanglement, 0);
  assert.ok(constant.informativeness < 0.5);
  // a continuous factor is regressed: informativeness is R^2
  const cont = dci(
    codesOf(factors, (r) => r),
    { ...factors, discrete: [false, true, true] },
    fast,
  );
  assert.ok(cont.perFactorInformativeness[0] > 0.95);
});

test("DCI is invariant to permuting and rescaling code dimensions", () => {
  // Disentanglement and completeness exactly (tied splits share importance); informativeness
  // only up to which of several features that split the training rows alike is used on test rows.
  const factors = randomFactors([3, 4], 200, 2);
  const codes = noisyCodes(factors, 0.3, 1, 3);
  const opts = { gbt: { stages: 5 } };
  const base = dci(codes, factors, opts);
  fc.assert(
    fc.property(
      fc.shuffledSubarray([0, 1, 2], { minLength: 3, maxLength: 3 }),
      fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 3, maxLength: 3 }),
      (perm, exps) => {
        const r = dci(
          transformCodes(
            codes,
            perm,
            exps.map((e) => 2 ** e),
          ),
          factors,
          opts,
        );
        assert.ok(Math.abs(r.disentanglement - base.disentanglement) < 1e-9);
        assert.ok(Math.abs(r.completeness - base.completeness) < 1e-9);
        assert.ok(Math.abs(r.informativeness - base.informativeness) < 0.05);
      },
    ),
    { numRuns: 10 },
  );
});

test("DCI agrees with disentanglement_lib's dci.py (sklearn GradientBoostingClassifier)", () => {
  // sklearn 1.2.1 GradientBoostingClassifier(random_state=0) defaults on the fixture's split.
  const r = dci(fixtureCodes, fixtureFactors, { split: fixtureSplit });
  // Measured |ours - sklearn|: D 1.6e-4, C 5e-5, test informativeness 1.3e-3 (per factor at
  // most 2 of 600 rows), train 0, importances <= 6e-4. sklearn's own spread over
  // random_state 0..4 (ties between equally good splits) is 5e-4 (D, C) and 1.7e-3 (test).
  const tol = 0.005;
  const e = fixture.dci;
  for (const [name, ours, theirs] of [
    ["disentanglement", r.disentanglement, e.disentanglement],
    ["completeness", r.completeness, e.completeness],
    ["informativeness", r.informativeness, e.informativenessTest],
    ["informativenessTrain", r.informativenessTrain, e.informativenessTrain],
  ] as const) {
    assert.ok(Math.abs(ours - theirs) < tol, `${name}: ours ${ours}, sklearn ${theirs}`);
  }
  for (let j = 0; j < fixture.dims; j++) {
    for (let k = 0; k < fixture.factors; k++) {
      const d = Math.abs(r.importance[j][k] - e.importance[j][k]);
      assert.ok(d < tol, `R[${j}][${k}] ${r.importance[j][k]} vs ${e.importance[j][k]}`);
    }
  }
});
