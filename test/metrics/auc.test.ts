import assert from "node:assert/strict";
import { test } from "node:test";
import { rocAuc } from "../../src/metrics/auc.ts";

test("AUC of sklearn's documented example is 0.75", () => {
  assert.equal(rocAuc([0.1, 0.4, 0.35, 0.8], [false, false, true, true]), 0.75);
});

test("ties count one half; perfect and reversed rankings give 1 and 0", () => {
  // pairs (pos, neg): (0.5 vs 0.5) ties -> 0.5, (0.5 vs 0.1) -> 1 : mean 0.75
  assert.equal(rocAuc([0.5, 0.5, 0.1], [true, false, false]), 0.75);
  assert.equal(rocAuc([1, 2, 3], [false, true, true]), 1);
  assert.equal(rocAuc([3, 2, 1], [false, true, true]), 0);
  assert.ok(Number.isNaN(rocAuc([1, 2], [true, true])));
});
