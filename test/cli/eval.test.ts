import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { initEngine } from "../../src/engine/device.ts";
import { METRIC_NAMES } from "../../src/metrics/registry.ts";
import { encodeDataset } from "../../src/run/encode-dataset.ts";
import { loadTrainedRun } from "../../src/run/load-trained-run.ts";
import { type CliResult, runCli, trainTinyRun } from "../helpers/cli.ts";
import { NATIVE_PASS_ONLY } from "../helpers/native-pass.ts";

// Run only in the native pass (NATIVE_PASS_ONLY): a command-line run over the run layer, which
// is device-independent: checked once, in the native pass.

/** A minimal .npy v1.0 writer (little-endian, C order), written from the format spec. */
function npy(data: Float32Array | Int32Array, shape: number[]): Uint8Array {
  const descr = data instanceof Float32Array ? "<f4" : "<i4";
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(", ")}), }`;
  const header = `${dict}${" ".repeat((64 - ((10 + dict.length + 1) % 64)) % 64)}\n`;
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

/** The `--metrics` line of a command's help, spaces collapsed. */
function metricsHelp(help: CliResult): string {
  const text = help.stdout.replace(/\s+/g, " ");
  const found = /--metrics <list> (\S+)/.exec(text);
  assert.ok(found, text);
  return found[1];
}

// Each metric's values are tested on both devices in test/metrics/; this runs them all through
// the command line once.
test("eval of a tiny sprites run writes eval.json with every applicable metric in range", {
  skip: NATIVE_PASS_ONLY,
}, async () => {
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

  // --num-train and --num-eval reach every metric that takes them (dci's rows, beta-vae's points).
  const evaluated = await runCli([
    "eval",
    run,
    "--samples",
    "200",
    "--num-train",
    "200",
    "--num-eval",
    "200",
  ]);
  assert.equal(evaluated.code, 0, evaluated.stderr);
  const report = JSON.parse(readFileSync(join(run, "eval.json"), "utf8"));
  // 3 shapes x 2 scales x 4 orientations x 4 x 4 positions, all encoded for the grid metrics.
  assert.deepEqual(report.dataset.grid, [3, 2, 4, 4, 4]);
  assert.deepEqual(report.encoded, { ...report.encoded, rows: 384, of: 384, fullGrid: true });
  assert.deepEqual(Object.keys(report.metrics), [
    "mig",
    "mig-dlib",
    "sap",
    "sap-balanced",
    "dci",
    "modularity",
    "explicitness",
    "beta-vae",
    "factor-vae",
    "decomposition",
    "active-dims",
    "reconstruction",
  ]);
  const m = report.metrics;
  assert.equal(m.mig.options.protocol, "chen");
  assert.equal(m.mig.options.samples, 200);
  assert.equal(m["mig-dlib"].options.protocol, "disentanglement_lib");
  assert.equal(m["mig-dlib"].options.bins, 20);
  // One default per option, the same as `disentangle metrics`: dci's 5000 test rows.
  assert.deepEqual(m.dci.options, { numTrain: 200, numTest: 5000, seed: 0 });
  assert.equal(m["beta-vae"].options.numTrain, 200);
  assert.equal(m["factor-vae"].options.numEval, 200);
  for (const [name, key] of [
    ["mig", "mig"],
    ["mig-dlib", "mig"],
    ["sap", "sap"],
    ["sap-balanced", "sap"],
    ["dci", "disentanglement"],
    ["dci", "completeness"],
    ["dci", "informativeness"],
    ["modularity", "modularity"],
    ["explicitness", "explicitness"],
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
  const unused = await runCli(["eval", run, "--metrics", "sap", "--bins", "5"]);
  assert.equal(unused.code, 1);
  assert.match(
    unused.stderr,
    /option bins: none of sap takes it \(mig-dlib, modularity, explicitness\)/,
  );

  // eval and metrics are one registry: the same names, defaults and values. The run's own
  // posteriors over the whole grid, as arrays, score what eval scores.
  const evalJson = await runCli(["eval", run, "--metrics", "mig,sap,dci", "--json"]);
  assert.equal(evalJson.code, 0, evalJson.stderr);
  const fromRun = JSON.parse(evalJson.stdout);
  assert.deepEqual(Object.keys(fromRun.metrics), ["mig", "sap", "dci"]);
  assert.equal(fromRun.encoded.fullGrid, true);
  await initEngine();
  const loaded = await loadTrainedRun(run);
  const posteriors = await encodeDataset(loaded.model, loaded.params.encoder, loaded.dataset);
  const n = posteriors.count;
  const dims = posteriors.latentDim;
  const k = loaded.dataset.factors.length;
  const arrays = {
    codes: join(dir, "codes.npy"),
    logvars: join(dir, "logvars.npy"),
    factors: join(dir, "factors.npy"),
  };
  writeFileSync(arrays.codes, npy(posteriors.mu, [n, dims]));
  writeFileSync(arrays.logvars, npy(posteriors.logvar, [n, dims]));
  writeFileSync(arrays.factors, npy(loaded.dataset.factorIndices as Int32Array, [n, k]));
  const fromArrays = await runCli([
    "metrics",
    "--codes",
    arrays.codes,
    "--factors",
    arrays.factors,
    "--logvars",
    arrays.logvars,
    "--metrics",
    "mig,sap,dci",
    "--json",
  ]);
  assert.equal(fromArrays.code, 0, fromArrays.stderr);
  const viaArrays = JSON.parse(fromArrays.stdout);
  assert.deepEqual(Object.keys(viaArrays), ["mig", "sap", "dci"]);
  // An unknown name: the same message from both commands.
  const unknownArrays = await runCli([
    "metrics",
    "--codes",
    arrays.codes,
    "--factors",
    arrays.factors,
    "--logvars",
    arrays.logvars,
    "--metrics",
    "mig,nope",
  ]);
  const expected = `unknown metric "nope", expected some of ${METRIC_NAMES.join(", ")}`;
  for (const result of [unknown, unknownArrays]) {
    assert.notEqual(result.code, 0);
    assert.ok(result.stderr.includes(expected), result.stderr);
  }
  for (const name of ["mig", "sap", "dci"]) {
    assert.deepEqual(viaArrays[name].options, fromRun.metrics[name].options, name);
    for (const [key, v] of Object.entries(fromRun.metrics[name].values)) {
      const w = viaArrays[name].values[key];
      assert.ok(Math.abs((v as number) - w) < 1e-6, `${name} ${key}: eval ${v}, metrics ${w}`);
    }
  }
});

test("eval and metrics list the same metric names and option flags in --help", async () => {
  const [evalHelp, metricsHelpText] = await Promise.all([
    runCli(["eval", "--help"]),
    runCli(["metrics", "--help"]),
  ]);
  const names = METRIC_NAMES.join(",");
  assert.ok(names.startsWith("mig,mig-dlib,sap,sap-balanced,dci,"), names);
  assert.equal(metricsHelp(evalHelp), names);
  assert.equal(metricsHelp(metricsHelpText), names);
  for (const flag of ["--num-train", "--num-test", "--num-eval", "--samples", "--bins"]) {
    assert.ok(evalHelp.stdout.includes(flag) && metricsHelpText.stdout.includes(flag), flag);
  }
});

test("triplet accuracy needs queries: a triplet-vae run, or --queries for any other run", {
  skip: NATIVE_PASS_ONLY,
}, async () => {
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
