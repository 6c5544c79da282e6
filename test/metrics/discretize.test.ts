import assert from "node:assert/strict";
import { test } from "node:test";
import { histogramBins } from "../../src/metrics/discretize.ts";

test("equal-width bins: inner edges go up, the maximum to the last bin (np.digitize semantics)", () => {
  // range [0, 10], 5 bins, edges 0 2 4 6 8 10
  const { labels, classes } = histogramBins([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1.999], 5);
  assert.equal(classes, 5);
  assert.deepEqual(Array.from(labels), [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 4, 0]);
});

test("a constant input falls in one bin (range widened by 0.5 as numpy does)", () => {
  // edges -0.5 .. 2.5 in 3 bins of width 1: the value 1 sits in the middle bin
  assert.deepEqual(Array.from(histogramBins([1, 1, 1], 3).labels), [1, 1, 1]);
  assert.throws(() => histogramBins([1], 0), /bins/);
});
