/**
 * The platform-free loop: run with in-memory sinks it reaches bit-identical parameters and
 * the same log rows as the Node driver (`runTraining`, files and SIGINT), and it stops,
 * checkpointing first, when a sink asks.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { type Array, tree } from "../../src/engine/jax.ts";
import { loadRunDataset } from "../../src/run/build-dataset.ts";
import { loadCheckpoint } from "../../src/run/checkpoint.ts";
import { parseTrainConfig } from "../../src/run/config.ts";
import { readLog } from "../../src/run/log.ts";
import { runTraining } from "../../src/run/run-training.ts";
import { buildTask } from "../../src/train/build-task.ts";
import { initialState } from "../../src/train/initial-state.ts";
import { type LogRow, type TrainingState, trainLoop } from "../../src/train/loop.ts";
import type { TaskParams } from "../../src/train/task.ts";
import { TINY_SPRITES } from "../helpers/cli.ts";

const settings = (out: string) =>
  parseTrainConfig(
    {
      model: "beta-tcvae",
      dataOptions: TINY_SPRITES,
      z: 3,
      batch: 8,
      steps: 12,
      logEvery: 4,
      checkpointEvery: 6,
      lr: 3e-3,
      seed: 5,
      out,
    },
    "test",
  );

/** Each parameter leaf's values; borrows the tree. */
async function leafData(params: unknown): Promise<Float32Array[]> {
  const leaves = tree.leaves(params as never) as Array[];
  return Promise.all(
    leaves.map(async (a) => Float32Array.from((await a.ref.data()) as Float32Array)),
  );
}

const withoutRate = ({ imagesPerSecond: _rate, ...row }: LogRow) => row;

test("the loop with in-memory sinks reaches the Node driver's parameters bit for bit", async () => {
  const dir = mkdtempSync(join(tmpdir(), "disentangle-loop-"));
  const config = settings(join(dir, "node"));
  const summary = await runTraining(config, { progress: false });
  assert.equal(summary.step, 12);

  const task = buildTask(config, await loadRunDataset(config));
  const rows: LogRow[] = [];
  const kept: number[] = [];
  const result = await trainLoop(
    task,
    initialState(task, config.seed),
    { steps: 12, batch: 8, logEvery: 4, checkpointEvery: 6, adam: { lr: config.lr } },
    {
      log: (row) => {
        rows.push(row);
      },
      checkpoint: (state) => {
        kept.push(state.step);
      },
    },
  );
  assert.deepEqual(kept, [6, 12]);
  assert.deepEqual(rows.map(withoutRate), readLog(join(config.out, "log.jsonl")).map(withoutRate));
  const saved = loadCheckpoint<TaskParams>(config.out);
  const [ours, theirs] = await Promise.all([leafData(result.state.params), leafData(saved.params)]);
  assert.equal(ours.length, theirs.length);
  for (const [i, leaf] of ours.entries()) {
    assert.deepEqual(leaf, theirs[i], `parameter leaf ${i} differs`);
  }
  tree.dispose([result.state.params, result.state.opt, result.state.key, saved] as never);
});

test("a sink that asks to stop gets a checkpoint of that step and an interrupted result", async () => {
  const dir = mkdtempSync(join(tmpdir(), "disentangle-loop-"));
  const config = settings(join(dir, "stop"));
  const task = buildTask(config, await loadRunDataset(config));
  let steps = 0;
  const kept: TrainingState<TaskParams>["step"][] = [];
  const result = await trainLoop(
    task,
    initialState(task, config.seed),
    { steps: 12, batch: 8, logEvery: 4, checkpointEvery: 6, adam: { lr: config.lr } },
    {
      shouldStop: () => ++steps === 3,
      checkpoint: (state) => {
        kept.push(state.step);
      },
    },
  );
  assert.equal(result.stoppedBy, "interrupted");
  assert.equal(result.state.step, 3);
  assert.deepEqual(kept, [3]);
  tree.dispose([result.state.params, result.state.opt, result.state.key] as never);
});
