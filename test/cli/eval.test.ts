import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runCli, trainTinyRun } from "../helpers/cli.ts";

test("eval of a tiny sprites run writes eval.json with every applicable metric in range", async () => {
  const dir = mkdtempSync(join(tmpdir(), "disentangle-eval-"));
  const { run, result: trained } = await trainTinyRun(dir, [
    "--z",
    "4",
    "--batch",
    "16",
    "--steps",
    "10",
  ]);
  assert.equal(trained.code, 0, trained.stderr);

  const evaluated = await runCli(["eval", run, "--samples", "200", "--num-points", "200"]);
  assert.equal(evaluated.code, 0, evaluated.stderr);
  const report = JSON.parse(readFileSync(join(run, "eval.json"), "utf8"));
  // 3 shapes x 2 scales x 4 orientations x 4 x 4 positions, all encoded for the grid metrics.
  assert.deepEqual(report.dataset.grid, [3, 2, 4, 4, 4]);
  assert.deepEqual(report.encoded, { ...report.encoded, rows: 384, of: 384, fullGrid: true });
  assert.deepEqual(Object.keys(report.metrics), [
    "mig",
    "mig-dlib",
    "sap",
    "dci",
    "modularity",
    "beta-vae",
    "factor-vae",
    "decomposition",
  ]);
  const m = report.metrics;
  assert.equal(m.mig.options.protocol, "chen");
  assert.equal(m.mig.options.samples, 200);
  assert.equal(m["mig-dlib"].options.protocol, "disentanglement_lib");
  assert.equal(m["mig-dlib"].options.bins, 20);
  assert.equal(m.dci.options.numTrain, 2000);
  for (const [name, key] of [
    ["mig", "mig"],
    ["mig-dlib", "mig"],
    ["sap", "sap"],
    ["dci", "disentanglement"],
    ["dci", "completeness"],
    ["dci", "informativeness"],
    ["modularity", "modularity"],
    ["beta-vae", "score"],
    ["factor-vae", "score"],
  ]) {
    const v = m[name].values[key];
    assert.ok(typeof v === "number" && v >= 0 && v <= 1 + 1e-9, `${name} ${key} = ${v}`);
  }
  // Shapes: one MI per scored factor and latent dim; every MI is non-negative (clamped).
  assert.equal(m.mig.details.mutualInformation.length, 5);
  for (const row of m.mig.details.mutualInformation) {
    assert.equal(row.length, 4);
    for (const v of row) assert.ok(v >= 0, `MI ${v}`);
  }
  // MIs are bounded by the factor entropies log(size), up to Monte Carlo error.
  m.mig.details.mutualInformation.forEach((row: number[], k: number) => {
    for (const v of row) assert.ok(v <= m.mig.details.factorEntropies[k] + 0.1, `MI ${v}`);
  });
  const d = m.decomposition.values;
  // KL = MI + TC + dim-wise KL (each estimated; equal up to Monte Carlo error).
  assert.ok(d.kl >= 0 && d.mi >= -0.1 && d.mi <= Math.log(384) + 0.1, JSON.stringify(d));
  assert.ok(Math.abs(d.mi + d.tc + d.dwkl - d.kl) < 0.5, JSON.stringify(d));
  assert.match(evaluated.stdout, /^mig mig +\d\.\d{4} +\d+\.\d s$/m);
  assert.match(evaluated.stdout, /wrote .*eval\.json/);

  const json = await runCli([
    "eval",
    run,
    "--metrics",
    "mig-dlib,decomposition",
    "--rows",
    "100",
    "--seed",
    "3",
    "--json",
  ]);
  assert.equal(json.code, 0, json.stderr);
  const small = JSON.parse(json.stdout);
  assert.deepEqual(Object.keys(small.metrics), ["mig-dlib", "decomposition"]);
  assert.equal(small.encoded.rows, 100);
  assert.equal(small.encoded.fullGrid, false);
  assert.equal(small.metrics["mig-dlib"].options.seed, 3);
  const unknown = await runCli(["eval", run, "--metrics", "mig,nope"]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /unknown metric "nope", expected some of mig, mig-dlib/);
});

test("triplet accuracy needs queries: a triplet-vae run, or --queries for any other run", async () => {
  const dir = mkdtempSync(join(tmpdir(), "disentangle-eval-triplet-"));
  const { run, result } = await trainTinyRun(
    dir,
    ["--model", "vae", "--data", "colored-shapes", "--z", "4", "--batch", "8", "--steps", "2"],
    { size: 16 },
  );
  assert.equal(result.code, 0, result.stderr);
  const refused = await runCli(["eval", run, "--metrics", "triplet"]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /triplet needs queries: a triplet-vae run, or --queries/);
  const scored = await runCli([
    "eval",
    run,
    "--metrics",
    "triplet",
    "--queries",
    "color",
    "--triplets-per-query",
    "40",
    "--json",
  ]);
  assert.equal(scored.code, 0, scored.stderr);
  const values = JSON.parse(scored.stdout).metrics.triplet.values;
  assert.equal(values["color.subspace"], null, "a plain VAE has no subspaces");
  assert.ok(values["color.full"] >= 0 && values["color.full"] <= 1);
});
