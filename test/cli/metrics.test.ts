import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { computeMetrics } from "../../src/cli/metrics.ts";
import { Rng } from "../../src/data/random.ts";
import type { MetricReport } from "../../src/metrics/metric.ts";
import { runCli } from "../helpers/cli.ts";
import { NATIVE_PASS_ONLY } from "../helpers/native-pass.ts";

/** A minimal .npy v1.0 writer (little-endian, C order), written from the format spec. */
function npy(data: Float32Array | Float64Array | Int32Array, shape: number[]): Uint8Array {
  const descr = data instanceof Float32Array ? "<f4" : data instanceof Float64Array ? "<f8" : "<i4";
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(", ")}${shape.length === 1 ? "," : ""}), }`;
  const unpadded = 10 + dict.length + 1;
  const header = `${dict}${" ".repeat((64 - (unpadded % 64)) % 64)}\n`;
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

/** Identity codes of a full 3 x 4 x 5 factor grid, repeated 10 times (600 rows). */
function files(dir: string) {
  const rows: number[][] = [];
  for (let r = 0; r < 10; r++) {
    for (let a = 0; a < 3; a++)
      for (let b = 0; b < 4; b++) for (let c = 0; c < 5; c++) rows.push([a, b, c]);
  }
  const n = rows.length;
  const factors = Int32Array.from(rows.flat());
  const codes = Float32Array.from(rows.flat());
  const rng = new Rng(1);
  const noise = Float32Array.from({ length: n * 3 }, () => rng.nextFloat());
  const paths = {
    codes: join(dir, "codes.npy"),
    factors: join(dir, "factors.npy"),
    noise: join(dir, "noise.npy"),
    short: join(dir, "short.npy"),
    bad: join(dir, "bad.npy"),
    grid: join(dir, "grid.npy"),
    gridCodes: join(dir, "grid-codes.npy"),
    gridLogvars: join(dir, "grid-logvars.npy"),
  };
  writeFileSync(paths.codes, npy(codes, [n, 3]));
  writeFileSync(paths.factors, npy(factors, [n, 3]));
  writeFileSync(paths.noise, npy(noise, [n, 3]));
  writeFileSync(paths.short, npy(codes.subarray(0, 30), [10, 3]));
  writeFileSync(paths.bad, new TextEncoder().encode("not numpy at all"));
  writeFileSync(paths.grid, npy(factors.subarray(0, 180), [60, 3]));
  writeFileSync(paths.gridCodes, npy(codes.subarray(0, 180), [60, 3]));
  writeFileSync(paths.gridLogvars, npy(new Float32Array(180).fill(-6), [60, 3]));
  return paths;
}

const dir = mkdtempSync(join(tmpdir(), "metrics-cli-"));
const p = files(dir);

/** One headline value of one metric's report (`values` keyed as the metric reports them). */
function value(reports: Record<string, MetricReport>, name: string, key = name): number {
  const v = reports[name]?.values[key];
  assert.ok(typeof v === "number", `${name} ${key} = ${v}`);
  return v;
}

test("identity codes score high on every array metric; noise scores low", async () => {
  const small = { numTrain: "400", numTest: "200" };
  const id = await computeMetrics({ codes: p.codes, factors: p.factors, ...small });
  // The default list: every metric arrays without log-variances allow.
  assert.deepEqual(Object.keys(id), [
    "mig-dlib",
    "sap",
    "sap-balanced",
    "dci",
    "modularity",
    "explicitness",
  ]);
  for (const [name, key] of [
    ["mig-dlib", "mig"],
    ["sap-balanced", "sap"],
    ["dci", "disentanglement"],
    ["dci", "completeness"],
    ["dci", "informativeness"],
    ["modularity", "modularity"],
    ["explicitness", "explicitness"],
  ]) {
    const v = value(id, name, key);
    assert.ok(v > 0.9 && v <= 1 + 1e-9, `${name} ${key} ${v}`);
  }
  assert.deepEqual(id.dci.options, { numTrain: 400, numTest: 200, seed: 0 });
  const noise = await computeMetrics({ codes: p.noise, factors: p.factors, ...small });
  for (const [name, key] of [
    ["mig-dlib", "mig"],
    ["sap", "sap"],
    ["sap-balanced", "sap"],
    ["modularity", "modularity"],
  ]) {
    assert.ok(value(noise, name, key) < 0.5, `${name} ${key} ${value(noise, name, key)}`);
  }
  // disentanglement_lib's SAP scores one linear SVM's raw accuracy on one code, which cannot
  // reach 1 on a factor of more than two classes: identity codes still score far above noise.
  const sapId = value(id, "sap");
  assert.ok(sapId <= 1 && sapId > value(noise, "sap") + 0.25, `sap ${sapId}`);

  const grid = { codes: p.gridCodes, factors: p.grid, logvars: p.gridLogvars };
  const chen = await computeMetrics({ ...grid, metrics: "mig" });
  assert.ok(value(chen, "mig") > 0.9, `mig ${value(chen, "mig")}`);
  assert.equal(chen.mig.options.protocol, "chen");
  // The old name is an alias: the same metric, the same value, reported as mig.
  const alias = await computeMetrics({ ...grid, metrics: "mig-chen" });
  assert.deepEqual(Object.keys(alias), ["mig"]);
  assert.equal(value(alias, "mig"), value(chen, "mig"));
  // With log-variances over the full grid the defaults add mig, decomposition and active-dims.
  const all = await computeMetrics({ ...grid, numTrain: "40", numTest: "20", samples: "100" });
  assert.deepEqual(Object.keys(all), [
    "mig",
    "mig-dlib",
    "sap",
    "sap-balanced",
    "dci",
    "modularity",
    "explicitness",
    "decomposition",
    "active-dims",
  ]);
});

// Command-line output and errors, the same on every device: run only in the native pass.
test("the CLI prints one JSON object, or a table, and clear errors", {
  skip: NATIVE_PASS_ONLY,
}, async () => {
  const json = await runCli([
    "metrics",
    "--codes",
    p.codes,
    "--factors",
    p.factors,
    "--metrics",
    "mig-dlib,sap",
    "--discrete",
    "0,1",
    "--num-train",
    "300",
    "--json",
  ]);
  assert.equal(json.code, 0, json.stderr);
  const parsed = JSON.parse(json.stdout);
  // The shape of eval.json's `metrics`: values, options, details and seconds per metric.
  assert.deepEqual(Object.keys(parsed), ["mig-dlib", "sap"]);
  for (const name of ["mig-dlib", "sap"]) {
    assert.deepEqual(Object.keys(parsed[name]).sort(), ["details", "options", "seconds", "values"]);
    assert.equal(parsed[name].options.numTrain, 300);
  }
  assert.equal(parsed["mig-dlib"].options.protocol, "disentanglement_lib");
  const table = await runCli([
    "metrics",
    "--codes",
    p.codes,
    "--factors",
    p.factors,
    "--metrics",
    "modularity",
  ]);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^modularity modularity {2} +(0\.9\d{3}|1\.0000) {2} +\d+\.\d s\n$/);

  // Metrics of both protocols on the grid file with its log-variances, as eval names them.
  const several = await runCli([
    "metrics",
    "--codes",
    p.gridCodes,
    "--factors",
    p.grid,
    "--logvars",
    p.gridLogvars,
    "--metrics",
    "mig,sap,dci",
    "--num-train",
    "40",
    "--num-test",
    "20",
    "--json",
  ]);
  assert.equal(several.code, 0, several.stderr);
  const reports = JSON.parse(several.stdout);
  assert.deepEqual(Object.keys(reports), ["mig", "sap", "dci"]);
  assert.ok(reports.mig.values.mig > 0.9, several.stdout);
  assert.deepEqual(reports.dci.options, { numTrain: 40, numTest: 20, seed: 0 });

  const mismatch = await runCli(["metrics", "--codes", p.short, "--factors", p.factors]);
  assert.equal(mismatch.code, 1);
  assert.match(mismatch.stderr, /factors\.npy: has 600 rows but .*short\.npy has 10/);
  assert.doesNotMatch(mismatch.stderr, /at .*\.ts:/);
  const bad = await runCli(["metrics", "--codes", p.bad, "--factors", p.factors]);
  assert.match(bad.stderr, /bad\.npy: not an npy file/);
  const missing = await runCli([
    "metrics",
    "--codes",
    join(dir, "nope.npy"),
    "--factors",
    p.factors,
  ]);
  assert.match(missing.stderr, /nope\.npy: cannot read the file \(ENOENT\)/);
  const oracle = await runCli([
    "metrics",
    "--codes",
    p.codes,
    "--factors",
    p.factors,
    "--metrics",
    "factor-vae",
  ]);
  assert.notEqual(oracle.code, 0);
  assert.match(
    oracle.stderr,
    /factor-vae generates batches with one factor held fixed, which needs a trained run/,
  );
});

test("option errors name the option, the value and what was expected", async () => {
  const base = { codes: p.codes, factors: p.factors };
  await assert.rejects(
    computeMetrics({ ...base, metrics: "mig-dlib,nope" }),
    /unknown metric "nope", expected some of mig, mig-dlib, sap, sap-balanced, dci, /,
  );
  await assert.rejects(
    computeMetrics({ ...base, discrete: "0,7" }),
    /--discrete: "7" is not a factor column, expected .* 0\.\.2/,
  );
  await assert.rejects(
    computeMetrics({ ...base, metrics: "modularity", bins: "1" }),
    /modularity: bins is 1: Too small: expected number to be >=2/,
  );
  await assert.rejects(
    computeMetrics({ ...base, metrics: "modularity", samples: "100" }),
    /option samples: none of modularity takes it \(mig, decomposition\)/,
  );
  await assert.rejects(
    computeMetrics({ ...base, metrics: "mig", logvars: p.codes }),
    /mig needs the full factor grid: 600 rows, but .* \(3 x 4 x 5\) make 60/,
  );
  await assert.rejects(
    computeMetrics({ codes: p.gridCodes, factors: p.grid, metrics: "mig-chen" }),
    /mig needs posterior log-variances/,
  );
  await assert.rejects(
    computeMetrics({ ...base, metrics: "decomposition" }),
    /decomposition needs posterior log-variances \(--logvars\)/,
  );
  await assert.rejects(
    computeMetrics({ ...base, metrics: "triplet" }),
    /triplet needs a trained run/,
  );
});
