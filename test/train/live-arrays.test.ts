/**
 * No leak in training: a 200-step run of a tiny model holds the same number of device buffers
 * at step 200 as at step 50 (a per-step leak of one array would add 150), and once the run
 * returns every buffer it made is freed. Counts come from test/helpers/ownership.ts.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { initEngine } from "../../src/engine/device.ts";
import { parseTrainConfig } from "../../src/run/config.ts";
import { runTraining } from "../../src/run/run-training.ts";
import { liveArrayBytes, liveArrayCount, settle } from "../helpers/ownership.ts";

await initEngine();

interface Counts {
  start: number;
  /** [buffers, bytes] alive when step `key` was logged. */
  atStep: Map<number, [number, number]>;
  /** [buffers, bytes] alive above `start` after the run returned. */
  after: [number, number];
  step: number;
}

/** One 200-step run, shared by the tests below. */
async function countedRun(): Promise<Counts> {
  const dir = mkdtempSync(join(tmpdir(), "disentangle-live-arrays-"));
  try {
    const config = parseTrainConfig(
      {
        model: "beta-tcvae",
        data: "sprites",
        dataOptions: { size: 16, positions: 4, scales: 2, orientations: 4 },
        architecture: "conv-small",
        z: 3,
        batch: 8,
        steps: 200,
        logEvery: 50,
        checkpointEvery: 100,
        seed: 3,
        out: join(dir, "run"),
      },
      "live-arrays test",
    );
    await settle();
    const start = liveArrayCount();
    const atStep = new Map<number, [number, number]>();
    const summary = await runTraining(config, {
      progress: false,
      onLog: (row) => {
        atStep.set(row.step, [liveArrayCount(), liveArrayBytes()]);
      },
    });
    await settle();
    return {
      start,
      atStep,
      after: [liveArrayCount() - start, liveArrayBytes()],
      step: summary.step,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const run = countedRun();

test("200 training steps: the live-array count is the same at step 50 and step 200", async () => {
  const { start, atStep, step } = await run;
  assert.equal(step, 200);
  assert.deepEqual([...atStep.keys()], [50, 100, 150, 200]);
  const [at50, bytes50] = atStep.get(50) as [number, number];
  const [at200, bytes200] = atStep.get(200) as [number, number];
  assert.ok(at50 > start, "the parameters and optimiser state are alive during the run");
  assert.equal(at200, at50, `live arrays grew from ${at50} at step 50 to ${at200} at step 200`);
  assert.equal(bytes200, bytes50, "live bytes grew between step 50 and step 200");
});

test("after the run returns, every buffer it made is freed", async () => {
  const {
    after: [buffers, bytes],
  } = await run;
  assert.equal(buffers, 0, `${buffers} device buffer(s) (${bytes} bytes) alive after the run`);
});
