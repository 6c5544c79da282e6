import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { computeMetrics } from "../../src/cli/metrics.ts";
import { Rng } from "../../src/data/random.ts";
import { runCli } from "../helpers/cli.ts";

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

test("identity codes score high on every array metric; noise scores low", async () => {
  const small = { numTrain: "400", numTest: "200" };
  const id = await computeMetrics({ codes: p.codes, factors: p.factors, ...small });
  assert.deepEqual(Object.keys(id), [
    "mig-dlib",
    "sap",
    "dci-disentanglement",
    "dci-completeness",
    "dci-informativeness",
    "modularity",
    "explicitness",
  ]);
  for (const [name, v] of Object.entries(id)) assert.ok(v !== null && v > 0.9, `${name} ${v}`);
  const noise = await computeMetrics({ codes: p.noise, factors: p.factors, ...small });
  for (const name of ["mig-dlib", "sap", "modularity"]) {
    assert.ok((noise[name] as number) < 0.5, `${name} ${noise[name]}`);
  }
  const chen = await computeMetrics({
    codes: p.gridCodes,
    factors: p.grid,
    logvars: p.gridLogvars,
    metrics: "mig-chen",
  });
  assert.ok((chen["mig-chen"] as number) > 0.9, `mig-chen ${chen["mig-chen"]}`);
});

test("the CLI prints one JSON object, or a table, and clear errors", async () => {
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
    "--json",
  ]);
  assert.equal(json.code, 0, json.stderr);
  const parsed = JSON.parse(json.stdout);
  assert.deepEqual(Object.keys(parsed), ["mig-dlib", "sap"]);
  const table = await runCli([
    "metrics",
    "--codes",
    p.codes,
    "--factors",
    p.factors,
    "--metrics",
    "modularity",
  ]);
  assert.match(table.stdout, /^modularity {2}(0\.9\d{3}|1\.0000)\n$/);

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
  assert.match(oracle.stderr, /factor-vae cannot be computed from arrays/);
});

test("option errors name the option, the value and what was expected", async () => {
  const base = { codes: p.codes, factors: p.factors };
  await assert.rejects(
    computeMetrics({ ...base, metrics: "mig,sap" }),
    /unknown metric "mig", expected some of/,
  );
  await assert.rejects(
    computeMetrics({ ...base, discrete: "0,7" }),
    /--discrete: "7" is not a factor column, expected .* 0\.\.2/,
  );
  await assert.rejects(
    computeMetrics({ ...base, bins: "1" }),
    /--bins: "1" is not a whole number >= 2/,
  );
  await assert.rejects(
    computeMetrics({ ...base, metrics: "mig-chen", logvars: p.codes }),
    /mig-chen needs the full factor grid: 600 rows, but .* \(3 x 4 x 5\) make 60/,
  );
  await assert.rejects(computeMetrics({ ...base, metrics: "mig-chen" }), /needs --logvars/);
});
