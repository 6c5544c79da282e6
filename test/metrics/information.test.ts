import assert from "node:assert/strict";
import { test } from "node:test";
import { entropy, mutualInformation } from "../../src/metrics/information.ts";

const labels = (xs: number[], classes: number) => ({ labels: Int32Array.from(xs), classes });

test("discrete MI of 2x2 tables matches the closed form", () => {
  // identical binary labels: I = H = log 2
  const a = labels([0, 0, 1, 1], 2);
  assert.ok(Math.abs(mutualInformation(a, a) - Math.log(2)) < 1e-12);
  // independent: the table [[1,1],[1,1]] gives 0
  assert.ok(Math.abs(mutualInformation(a, labels([0, 1, 0, 1], 2))) < 1e-12);
  // table [[2,1],[1,2]] over 6 rows, uniform marginals:
  // I = 2 (1/3) log((1/3)/(1/4)) + 2 (1/6) log((1/6)/(1/4))
  const x = labels([0, 0, 0, 1, 1, 1], 2);
  const y = labels([0, 0, 1, 0, 1, 1], 2);
  const expected = (2 / 3) * Math.log(4 / 3) + (1 / 3) * Math.log(2 / 3);
  assert.ok(Math.abs(mutualInformation(x, y) - expected) < 1e-12);
  assert.ok(Math.abs(mutualInformation(y, x) - expected) < 1e-12);
});

test("entropy of a 1:3 split is -(1/4 log 1/4 + 3/4 log 3/4); unused classes don't count", () => {
  const h = entropy(labels([0, 2, 2, 2], 3));
  assert.ok(Math.abs(h - -(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75))) < 1e-12);
  assert.equal(entropy(labels([1, 1, 1], 2)), 0);
});
