import assert from "node:assert/strict";
import { test } from "node:test";
import { loadSprites } from "../../src/data/datasets/sprites.ts";
import { initEngine } from "../../src/engine/device.ts";
import { keyFromSeed } from "../../src/engine/prng.ts";
import { evaluateRun } from "../../src/metrics/evaluate-run.ts";
import { oracleFromRun } from "../../src/metrics/oracle-from-run.ts";
import { METRIC_NAMES, METRICS } from "../../src/metrics/registry.ts";
import { buildModel } from "../../src/run/build.ts";
import { parseTrainConfig } from "../../src/run/config.ts";
import { encodeDataset } from "../../src/run/encode-dataset.ts";
import type { TrainedRun } from "../../src/run/trained-run.ts";

await initEngine();

/** An untrained model on a 96-image sprites grid: enough to check the plumbing. */
function tinyRun(): TrainedRun {
  const dataOptions = { size: 8, positions: 2, scales: 2, orientations: 4 };
  const config = parseTrainConfig({ data: "sprites", dataOptions, z: 3 }, "test");
  const dataset = loadSprites(dataOptions);
  const model = buildModel(config, dataset.imageShape);
  return { runDir: "mem", config, step: 0, dataset, model, params: model.init(keyFromSeed(1)) };
}

test("the oracle encodes the images whose factors it is given, looked up or encoded", async () => {
  const run = tinyRun();
  const { dataset } = run;
  const all = await encodeDataset(run.model, run.params.encoder, dataset);
  // Rows picked by their factor values in the dataset's own table (not by index arithmetic).
  const k = dataset.factors.length;
  const picks = [5, 0, 95, 42, 42];
  const factors = new Int32Array(picks.length * k);
  picks.forEach((row, i) => {
    factors.set((dataset.factorIndices as Int32Array).subarray(row * k, (row + 1) * k), i * k);
  });
  const expected = picks.flatMap((row) => Array.from(all.mu.subarray(row * 3, row * 3 + 3)));
  const lookedUp = await oracleFromRun(run, all).represent(factors, picks.length);
  assert.deepEqual(Array.from(lookedUp), expected);
  const encoded = await oracleFromRun(run, undefined, { batchSize: 4 }).represent(
    factors,
    picks.length,
  );
  for (let i = 0; i < expected.length; i++) {
    assert.ok(
      Math.abs(encoded[i] - expected[i]) < 1e-5,
      `code ${i}: ${encoded[i]} vs ${expected[i]}`,
    );
  }
  await assert.rejects(
    Promise.resolve().then(() => oracleFromRun(run).represent(Int32Array.from([0, 0, 4, 0, 0]), 1)),
    /factor row 0 column 2 is 4, expected 0\.\.3/,
  );
});

test("evaluateRun: registry metrics, reproducible from the seed, clear errors without a grid", async () => {
  const run = tinyRun();
  const options = { metrics: ["mig-dlib", "sap", "decomposition"], rows: 50, seed: 2 };
  const a = await evaluateRun(run, options);
  assert.deepEqual(Object.keys(a.metrics), options.metrics);
  assert.equal(a.encoded.rows, 50);
  assert.equal(a.encoded.fullGrid, false);
  const b = await evaluateRun(run, options);
  for (const name of options.metrics)
    assert.deepEqual(b.metrics[name].values, a.metrics[name].values);
  const other = await evaluateRun(run, { ...options, seed: 3 });
  assert.notDeepEqual(other.metrics.decomposition.values, a.metrics.decomposition.values);

  // Options by field: each metric takes its own, its schema fills the rest.
  const full = await evaluateRun(run, {
    metrics: ["mig", "mig-chen", "dci"],
    options: { samples: 30, numTrain: 60, numTest: 30 },
  });
  assert.deepEqual(Object.keys(full.metrics), ["mig", "dci"], "mig-chen is mig");
  assert.equal(full.encoded.rows, 96);
  assert.equal(full.encoded.fullGrid, true);
  assert.equal(full.metrics.mig.options.protocol, "chen");
  assert.equal(full.metrics.mig.options.samples, 30);
  assert.deepEqual(full.metrics.dci.options, { numTrain: 60, numTest: 30, seed: 0 });
  assert.deepEqual(full.metrics.mig.details?.factors, [
    "shape",
    "scale",
    "orientation",
    "posX",
    "posY",
  ]);
  await assert.rejects(
    evaluateRun(run, { metrics: ["mig-dlib"], rows: 20, options: { samples: 30 } }),
    /option samples: none of mig-dlib takes it \(mig, decomposition\)/,
  );
  await assert.rejects(
    evaluateRun(run, { metrics: ["modularity"], rows: 20, options: { bins: 1 } }),
    /modularity: bins is 1: Too small: expected number to be >=2/,
  );
  await assert.rejects(
    evaluateRun(run, { metrics: ["mig", "nope"] }),
    /unknown metric "nope", expected some of mig, mig-dlib, sap, sap-balanced, dci, /,
  );
  await assert.rejects(
    evaluateRun(run, { metrics: ["triplet"] }),
    /triplet needs queries: a triplet-vae run, or --queries/,
  );

  const noGrid: TrainedRun = { ...run, dataset: { ...run.dataset, grid: undefined } };
  await assert.rejects(evaluateRun(noGrid, { metrics: ["mig"] }), /mig needs the full factor grid/);
  await assert.rejects(
    evaluateRun(noGrid, { metrics: ["factor-vae"] }),
    /factor-vae generates batches with one factor held fixed, which needs a trained run/,
  );
  const defaults = await evaluateRun(noGrid, {
    rows: 40,
    options: { numTrain: 30, numTest: 10, samples: 20 },
  });
  // Without a grid: no Chen MIG and no intervention scores; triplet needs queries.
  assert.deepEqual(Object.keys(defaults.metrics), [
    "mig-dlib",
    "sap",
    "sap-balanced",
    "dci",
    "modularity",
    "explicitness",
    "decomposition",
    "active-dims",
    "reconstruction",
  ]);
  assert.equal(defaults.encoded.rows, 40);
  assert.ok(METRIC_NAMES.includes("factor-vae") && METRICS["factor-vae"].needsGrid === true);
});
