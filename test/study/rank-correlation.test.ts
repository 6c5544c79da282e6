/** Spearman's rank correlation against its closed form and against scipy.stats.spearmanr. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { averageRanks, rankCorrelationMatrix, spearman } from "../../src/study/rank-correlation.ts";

test("without ties Spearman's rho is 1 - 6 Σd² / (n (n² - 1))", () => {
  // Ranks of x: 1..5; ranks of y: 2, 1, 4, 3, 5: Σd² = 1 + 1 + 1 + 1 + 0 = 4, rho = 1 - 24/120.
  assert.ok(Math.abs(spearman([1, 2, 3, 4, 5], [20, 10, 40, 30, 50]) - 0.8) < 1e-12);
  assert.equal(spearman([1, 2, 3], [3, 2, 1]), -1);
  assert.equal(spearman([0.1, 5, 7], [1, 1e6, 1e9]), 1, "any monotone map ranks alike");
  assert.deepEqual(averageRanks([10, 20, 20, 5]), [2, 3.5, 3.5, 1]);
  assert.ok(Number.isNaN(spearman([1, 2, 3], [4, 4, 4])), "a constant side has no correlation");
});

test("rho matches scipy.stats.spearmanr, ties included (tools/golden/study_spearman.py)", () => {
  const fixture = JSON.parse(
    readFileSync(new URL("./fixtures/spearman.json", import.meta.url), "utf8"),
  ) as { cases: { name: string; x: number[]; y: number[]; rho: number | null }[] };
  for (const { name, x, y, rho } of fixture.cases) {
    const ours = spearman(x, y);
    if (rho === null) assert.ok(Number.isNaN(ours), name);
    else assert.ok(Math.abs(ours - rho) < 1e-12, `${name}: ${ours} vs scipy ${rho}`);
  }
});

test("the matrix correlates each pair over the runs where both values exist", () => {
  const m = rankCorrelationMatrix({ a: [1, 2, 3, null], b: [2, 4, 9, 1], c: [3, 2, 1, 0] });
  assert.deepEqual(m.names, ["a", "b", "c"]);
  assert.equal(m.rho[0][1], 1);
  assert.equal(m.pairs[0][1], 3);
  // ranks of b: 2, 3, 4, 1; of c: 4, 3, 2, 1: Σd² = 8, rho = 1 - 48/60.
  assert.ok(Math.abs(m.rho[1][2] - 0.2) < 1e-12);
  assert.equal(m.pairs[1][2], 4);
  assert.equal(m.rho[2][2], 1);
});
