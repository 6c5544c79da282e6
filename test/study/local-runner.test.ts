/**
 * The local runner resumes a study after its process is killed: the run it was training
 * resumes from its checkpoint (its child process exits with the runner, releasing the run),
 * finished runs are skipped, and each step is logged once.
 *
 * Skipped in the Wasm pass: the runner and store do not depend on the device, and resuming a
 * run bit-identically is tested on both devices in test/run/resume.test.ts.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { readLog } from "../../src/run/log.ts";
import { checkpointStep, readRunEvents, runDir } from "../../src/study/store.ts";
import { runCli, startCli } from "../helpers/cli.ts";
import { tinyStudy } from "./tiny-study.ts";

const skip =
  process.env.DISENTANGLE_DEVICE === "wasm"
    ? "device-independent (runner, store); resume on Wasm is tested in test/run/resume.test.ts"
    : false;

test("a study run killed with SIGKILL resumes where it was when run again", { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "disentangle-local-"));
  const store = join(dir, "store");
  const file = join(dir, "study.json");
  writeFileSync(
    file,
    JSON.stringify({ ...tinyStudy("ltiny", [1]), models: [{ model: "beta-vae" }], seeds: [0, 1] }),
  );
  const args = ["study", "run", file, "--store", store, "--workers", "1", "--threads-per-run", "1"];
  const first = runDir(store, "ltiny", "beta-vae-beta1-seed0");
  const second = runDir(store, "ltiny", "beta-vae-beta1-seed1");

  let killed = false;
  const runner = startCli(args);
  const poll = setInterval(() => {
    if (!killed && checkpointStep(first) >= 5 && !existsSync(join(first, "result.json"))) {
      killed = true;
      runner.child.kill("SIGKILL");
    }
  }, 50);
  const interrupted = await runner.done;
  clearInterval(poll);
  assert.equal(interrupted.signal, "SIGKILL", interrupted.stderr);
  assert.equal(existsSync(join(first, "result.json")), false);

  const again = await runCli(args);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /2 trained, 0 already done, 0 failed/);
  const resumed = /run beta-vae-beta1-seed0: resuming from checkpoint at step (\d+) of 20/.exec(
    again.stderr,
  );
  assert.ok(resumed, again.stderr);
  assert.ok(Number(resumed[1]) >= 5);
  assert.match(readRunEvents(first), /resuming from checkpoint at step \d+/);
  assert.deepEqual(
    readLog(join(first, "log.jsonl")).map((row) => row.step),
    [5, 10, 15, 20],
  );
  assert.ok(existsSync(join(second, "result.json")));

  const third = await runCli(args);
  assert.equal(third.code, 0, third.stderr);
  assert.match(third.stdout, /0 trained, 2 already done/);
});
