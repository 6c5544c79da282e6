import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { decodeSafetensors } from "../../src/engine/safetensors.ts";
import { trainTinyRun } from "../helpers/cli.ts";

test("a NaN loss stops the run with a clear message and keeps the last good checkpoint", async () => {
  const dir = mkdtempSync(join(tmpdir(), "disentangle-nan-"));
  // A learning rate of 1000 blows the weights up within a couple of Adam steps.
  const { run, result } = await trainTinyRun(dir, [
    "--z",
    "4",
    "--batch",
    "16",
    "--steps",
    "50",
    "--lr",
    "1000",
    "--checkpoint-every",
    "1",
  ]);
  assert.equal(result.code, 1);
  const match =
    /loss became (NaN|-?Infinity) at step (\d+); stopped without saving\. The last good checkpoint \(step (\d+)\) is kept/.exec(
      result.stderr,
    );
  assert.ok(match, result.stderr);
  const [, , failedStep, keptStep] = match;
  assert.equal(Number(keptStep), Number(failedStep) - 1);
  assert.doesNotMatch(result.stderr, /at .*\.ts:\d+/, "no stack trace for a diverged run");
  const checkpoint = decodeSafetensors(readFileSync(join(run, "checkpoint.safetensors")));
  assert.equal(checkpoint.metadata.step, keptStep);
  for (const [name, tensor] of Object.entries(checkpoint.tensors)) {
    assert.ok(
      Array.from(tensor.data as Float32Array).every(Number.isFinite),
      `kept checkpoint tensor ${name} is finite`,
    );
  }
});
