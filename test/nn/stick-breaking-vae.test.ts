/**
 * The stick-breaking VAE end to end at toy size: `--prior stick-breaking` trains with the
 * Kumaraswamy posterior and the closed-form KL, resumes bit for bit, scores active-dims, and
 * the metrics that sample q(z|x) as a Gaussian refuse it with a reason.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { evaluateRun } from "../../src/metrics/evaluate-run.ts";
import { parseTrainConfig } from "../../src/run/config.ts";
import { loadTrainedRun } from "../../src/run/load-trained-run.ts";
import { readLog } from "../../src/run/log.ts";
import { TINY_SPRITES } from "../helpers/cli.ts";
import { NATIVE_PASS_ONLY } from "../helpers/native-pass.ts";
import { checkpointLeafData, trainStraightAndResumed } from "../helpers/resume.ts";

// Run only in the native pass (NATIVE_PASS_ONLY):
// the run layer is device-independent; the Kumaraswamy, its KL and the stick weights are
// checked on Wasm in test/distributions/.

const config = (out: string, steps: number) =>
  parseTrainConfig(
    {
      model: "vae",
      prior: "stick-breaking",
      dataOptions: TINY_SPRITES,
      z: 6,
      batch: 8,
      steps,
      logEvery: 3,
      checkpointEvery: 3,
      seed: 4,
      out,
    },
    "test",
  );

test("a stick-breaking VAE trains, resumes bit for bit, and is scored by active-dims; Gaussian-sampling metrics refuse it", {
  skip: NATIVE_PASS_ONLY,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "disentangle-sbvae-"));
  const { straight, resumed } = await trainStraightAndResumed(dir, config, 6);
  const rows = readLog(join(straight, "log.jsonl"));
  assert.ok(
    rows.every((row) => Number.isFinite(row.kl) && row.kl >= 0),
    JSON.stringify(rows),
  );
  assert.deepEqual(await checkpointLeafData(resumed), await checkpointLeafData(straight));

  const run = await loadTrainedRun(straight);
  const report = await evaluateRun(run, { metrics: ["active-dims"], rows: 64 });
  const active = report.metrics["active-dims"];
  assert.ok(Number.isInteger(active.values.active) && (active.values.active ?? -1) <= 6);
  assert.equal(active.options.klEstimator, "closed form");
  const weights = active.details?.meanStickWeights as number[];
  assert.equal(weights.length, 6);
  assert.ok(weights.reduce((a, b) => a + b, 0) <= 1 + 1e-5);
  await assert.rejects(
    evaluateRun(run, { metrics: ["decomposition"], rows: 64 }),
    /decomposition.*samples q\(z\|x\) as a Gaussian, and this run's posterior is kumaraswamy/s,
  );
});
