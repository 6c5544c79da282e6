/**
 * Checkpointing and resume: a run killed with SIGKILL mid-way and resumed ends with the
 * same parameters as an uninterrupted run with the same seed; Ctrl-C saves a checkpoint; a
 * triplet VAE with fixed masks (an empty parameter subtree) resumes; a checkpoint that does
 * not fit its config.json is refused with the tensor it trips on.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { decodeSafetensors } from "../../src/engine/safetensors.ts";
import { readLog } from "../../src/run/log.ts";
import { runCli, startCli, TINY_SPRITES, trainTinyRun } from "../helpers/cli.ts";

const TINY = [
  "train",
  "--model",
  "beta-tcvae",
  "--data",
  "sprites",
  "--z",
  "4",
  "--batch",
  "16",
  "--lr",
  "3e-3",
  "--seed",
  "7",
  "--log-every",
  "5",
  "--checkpoint-every",
  "10",
];

function tinyArgs(out: string, steps: number): string[] {
  return [
    ...TINY,
    "--steps",
    String(steps),
    "--out",
    out,
    "--config",
    join(out, "..", "tiny.json"),
  ];
}

function checkpointTensors(runDir: string) {
  return decodeSafetensors(readFileSync(join(runDir, "checkpoint.safetensors"))).tensors;
}

test("a run killed with SIGKILL and resumed ends bit-identical to an uninterrupted run", async () => {
  const dir = mkdtempSync(join(tmpdir(), "disentangle-resume-"));
  writeFileSync(join(dir, "tiny.json"), JSON.stringify({ dataOptions: TINY_SPRITES }));
  const straight = join(dir, "straight");
  const killed = join(dir, "killed");
  const uninterrupted = runCli(tinyArgs(straight, 40));

  let killedAt = 0;
  const first = startCli(tinyArgs(killed, 40), {
    onStderr: (text, child) => {
      const steps = [...text.matchAll(/step (\d+)\/40/g)].map((m) => Number(m[1]));
      const last = steps.at(-1) ?? 0;
      if (last >= 25 && killedAt === 0) {
        killedAt = last;
        child.kill("SIGKILL");
      }
    },
  });
  const interrupted = await first.done;
  assert.equal(interrupted.signal, "SIGKILL", interrupted.stderr);
  const logBefore = readLog(join(killed, "log.jsonl"));
  assert.ok((logBefore.at(-1)?.step ?? 0) >= 25, "the killed run logged past its last checkpoint");

  const resumed = await runCli(["train", "--resume", killed, "--steps", "40", "--no-progress"]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stdout, /done at step 40/);
  const reference = await uninterrupted;
  assert.equal(reference.code, 0, reference.stderr);

  const a = checkpointTensors(straight);
  const b = checkpointTensors(killed);
  assert.deepEqual(Object.keys(b).sort(), Object.keys(a).sort());
  for (const name of Object.keys(a)) {
    assert.deepEqual(
      Buffer.from(b[name].data.buffer, b[name].data.byteOffset, b[name].data.byteLength),
      Buffer.from(a[name].data.buffer, a[name].data.byteOffset, a[name].data.byteLength),
      `tensor ${name} differs after resume`,
    );
  }
  const steps = readLog(join(killed, "log.jsonl")).map((row) => row.step);
  assert.deepEqual(steps, [5, 10, 15, 20, 25, 30, 35, 40], "each step logged once after resume");
  assert.deepEqual(
    readLog(join(killed, "log.jsonl")).map((row) => row.loss),
    readLog(join(straight, "log.jsonl")).map((row) => row.loss),
  );
});

test("Ctrl-C saves a checkpoint and exits with 130; resuming needs a larger --steps", async () => {
  const dir = mkdtempSync(join(tmpdir(), "disentangle-sigint-"));
  writeFileSync(join(dir, "tiny.json"), JSON.stringify({ dataOptions: TINY_SPRITES }));
  const run = join(dir, "run");
  let sent = false;
  const started = startCli(tinyArgs(run, 400), {
    onStderr: (text, child) => {
      if (!sent && /step \d+\/400/.test(text)) {
        sent = true;
        child.kill("SIGINT");
      }
    },
  });
  const result = await started.done;
  assert.equal(result.code, 130, result.stderr);
  const match = /interrupted; checkpoint saved at step (\d+)/.exec(result.stdout);
  assert.ok(match, result.stdout);
  const step = Number(match[1]);
  const tensors = decodeSafetensors(readFileSync(join(run, "checkpoint.safetensors")));
  assert.equal(tensors.metadata.step, String(step));
  const again = await runCli(["train", "--resume", run, "--steps", String(step)]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, new RegExp(`already at step ${step}; pass a larger --steps`));
  const refused = await runCli(["train", "--resume", run, "--steps", "500", "--lr", "1"]);
  assert.match(refused.stderr, /only --steps may be given with it \(got lr\)/);
});

test("a triplet VAE with fixed masks resumes; a checkpoint that does not fit config.json is refused", async () => {
  const dir = mkdtempSync(join(tmpdir(), "disentangle-resume-triplet-"));
  const { run, result } = await trainTinyRun(
    dir,
    ["--model", "triplet-vae", "--data", "colored-shapes", "--queries", "color,shape"]
      .concat(["--z", "4", "--dims-per-query", "1", "--batch", "8", "--triplets-per-query", "2"])
      .concat(["--eval-triplets", "20", "--steps", "3", "--log-every", "3"]),
    { size: 16, positions: 2, scales: 1 },
  );
  assert.equal(result.code, 0, result.stderr);
  const resumed = await runCli(["train", "--resume", run, "--steps", "5", "--no-progress"]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stdout, /done at step 5/);

  const configPath = join(run, "config.json");
  const config = JSON.parse(readFileSync(configPath, "utf8"));
  writeFileSync(configPath, JSON.stringify({ ...config, z: 6 }));
  const misfit = await runCli(["train", "--resume", run, "--steps", "7", "--no-progress"]);
  assert.equal(misfit.code, 1, misfit.stderr);
  assert.match(
    misfit.stderr,
    /checkpoint\.safetensors: params\.vae\.encoder\.\S+ has shape \[\d+(,\d+)*\], expected \[\d+(,\d+)*\] \(the checkpoint does not fit the run's config\.json; was it edited\?\)/,
  );
});
