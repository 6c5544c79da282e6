/**
 * The study report from a store of evaluations (no training): mean ± sd over seeds per cell,
 * every metric, as Markdown, CSV and HTML; plots against the swept hyperparameter and the
 * step; Spearman rank correlations between the metrics across runs.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { EvalReport } from "../../src/metrics/evaluate-run.ts";
import { summarise } from "../../src/study/aggregate.ts";
import { expandStudy } from "../../src/study/expand.ts";
import { runDir, writeEval } from "../../src/study/store.ts";
import { writeStudyReport } from "../../src/study/write-report.ts";

const study = expandStudy(
  {
    name: "fake",
    shared: { data: "sprites", dataOptions: { size: 16 } },
    models: [{ model: "beta-vae" }, { model: "beta-tcvae" }],
    grid: { beta: [1, 4] },
    seeds: [0, 1, 2],
    budget: { steps: 100 },
    evaluate: { every: 50 },
    metrics: { mig: {}, decomposition: {} },
  },
  "fake.json",
);

/** A made-up eval report: mig grows with beta, more for beta-TCVAE, and with the seed. */
function fakeEval(model: string, beta: number, seed: number, step: number): EvalReport {
  const mig = (model === "beta-tcvae" ? 0.1 : 0.05) * beta * (step / 100) + 0.01 * seed;
  return {
    run: "x",
    step,
    dataset: { name: "sprites", count: 1, factors: [], grid: null },
    encoded: { rows: 1, of: 1, seed: 0, fullGrid: false, seconds: 0 },
    metrics: {
      mig: { values: { mig }, options: {} },
      decomposition: { values: { mi: 1 - mig, tc: 2 * mig, dwkl: null, kl: 3 }, options: {} },
    },
    seconds: 0,
  };
}

test("the report tabulates mean ± sd over seeds, plots, and rank-correlates the metrics", async () => {
  const store = mkdtempSync(join(tmpdir(), "disentangle-report-"));
  for (const spec of study.runs) {
    // The last seed of beta-vae beta 4 has not finished: its cell has 2 seeds.
    const last = spec.id === "beta-vae-beta4-seed2" ? [50] : [50, 100];
    for (const step of last) {
      const beta = spec.hyperparameters.beta as number;
      writeEval(runDir(store, "fake", spec.id), step, fakeEval(spec.model, beta, spec.seed, step));
    }
  }
  const { markdown, files, results } = await writeStudyReport(study, store);
  const dir = join(store, "fake", "report");
  const cell = results.cells.find((c) => c.cell === "beta-tcvae-beta4");
  const expected = summarise([0.4, 0.41, 0.42]);
  assert.ok(cell && expected);
  assert.ok(Math.abs((cell.metrics.mig?.mean ?? 0) - 0.41) < 1e-12);
  assert.ok(Math.abs((cell.metrics.mig?.sd ?? 0) - 0.01) < 1e-12, "sample sd (n - 1)");
  assert.match(
    markdown,
    /\| model \| beta \| seeds \| mig \| decomposition.mi \| decomposition.tc \| decomposition.dwkl \| decomposition.kl \|/,
  );
  assert.match(
    markdown,
    /\| beta-tcvae \| 4 \| 3 \| 0.410 ± 0.010 \| 0.590 ± 0.010 \| 0.820 ± 0.020 \| - \| 3.000 ± 0.000 \|/,
  );
  assert.match(markdown, /\| beta-vae \| 4 \| 2 \(1 missing\) \| 0.205 ± 0.007 \|/);
  assert.match(markdown, /11 of 12 runs evaluated at step 100/);
  // mig and tc order the runs alike, mi the other way round; kl is constant (no correlation).
  assert.match(markdown, /\| mig \| 1.00 \| -1.00 \| 1.00 \| - \| - \|/);

  const csv = readFileSync(join(dir, "table.csv"), "utf8").split("\n");
  assert.equal(
    csv[0],
    "dataset,model,beta,seeds,mig mean,mig sd,decomposition.mi mean,decomposition.mi sd,decomposition.tc mean,decomposition.tc sd,decomposition.dwkl mean,decomposition.dwkl sd,decomposition.kl mean,decomposition.kl sd",
  );
  assert.equal(csv.length, 4 + 2);
  const runs = readFileSync(join(dir, "runs.csv"), "utf8").trim().split("\n");
  assert.equal(runs.length, 1 + 12 + 11, "every run at step 50, and 11 at step 100");
  const html = readFileSync(join(dir, "index.html"), "utf8");
  assert.match(html, /<td>0.410 ± 0.010<\/td>/);
  assert.match(html, /<img src="plots\/mig-vs-beta.png"/);
  for (const plot of ["mig-vs-beta", "mig-vs-steps", "decomposition.tc-vs-beta"]) {
    assert.ok(existsSync(join(dir, "plots", `${plot}.png`)), plot);
    assert.ok(files.includes(join(dir, "plots", `${plot}.png`)));
  }
  assert.ok(
    !existsSync(join(dir, "plots", "decomposition.dwkl-vs-beta.png")),
    "no values, no plot",
  );
  const svg = readFileSync(join(dir, "plots", "mig-vs-beta.svg"), "utf8");
  assert.match(svg, /mean over seeds/);
});
