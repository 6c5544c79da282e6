/**
 * The distributed runner on a real redis-server: a 4-run tiny study over two worker
 * processes completes; one worker killed with SIGKILL mid-run loses nothing (its run is taken
 * over by the other worker and resumes from its checkpoint); a run that always fails lands in
 * the dead-letter list with its error after its retries.
 *
 * Skipped in the Wasm pass: the queue, the workers and the store do not depend on the engine's
 * device, and the native pass trains the same runs.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { readLog } from "../../src/run/log.ts";
import { checkpointStep, readRunEvents, runDir } from "../../src/study/store.ts";
import { type CliResult, runCli, startCli } from "../helpers/cli.ts";
import { type RedisServer, redisUnavailable, startRedis } from "../helpers/redis.ts";
import { tinyStudy } from "./tiny-study.ts";

const skip =
  process.env.DISENTANGLE_DEVICE === "wasm"
    ? "device-independent (queue, workers, store); the native pass covers it"
    : redisUnavailable();

let redis: RedisServer | undefined;
before(async () => {
  if (!skip) redis = await startRedis();
});
after(async () => {
  await redis?.stop();
});

async function waitFor(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test("two workers train a 4-run study; one SIGKILLed mid-run loses nothing; a failing run is dead-lettered", {
  skip,
}, async () => {
  const url = (redis as RedisServer).url;
  const dir = mkdtempSync(join(tmpdir(), "disentangle-queue-"));
  const store = join(dir, "store");
  const file = join(dir, "tiny.json");
  writeFileSync(file, JSON.stringify(tinyStudy("qtiny", [1, 4]), null, 2));
  const enqueued = await runCli(["study", "run", file, "--queue", url, "--store", store]);
  assert.equal(enqueued.code, 0, enqueued.stderr);
  assert.match(enqueued.stdout, /4 run\(s\) enqueued/);

  // A run that always fails: its dataset folder does not exist.
  const doomed = join(dir, "doomed.json");
  writeFileSync(
    doomed,
    JSON.stringify(
      {
        ...tinyStudy("qdoomed", [1]),
        models: [{ model: "beta-vae" }],
        shared: {
          ...tinyStudy("x", [1]).shared,
          data: "image-folder",
          root: join(dir, "missing"),
          dataOptions: {},
        },
      },
      null,
      2,
    ),
  );
  const queued = await runCli([
    "study",
    "run",
    doomed,
    "--queue",
    url,
    "--store",
    store,
    "--attempts",
    "2",
    "--backoff",
    "200ms",
  ]);
  assert.equal(queued.code, 0, queued.stderr);
  const workerArgs = [
    "study",
    "worker",
    "--queue",
    url,
    "--store",
    store,
    "--threads-per-run",
    "1",
    "--concurrency",
    "2",
  ];
  const fast = ["--lock", "3s", "--stalled-interval", "1s"];
  const a = startCli([...workerArgs, ...fast]);
  const b = startCli([...workerArgs, ...fast]);
  let bOutput = "";
  // A failed assertion must not leave the workers running (they would keep the test alive).
  try {
    b.child.stderr?.on("data", (chunk) => {
      bOutput += chunk;
    });

    // Kill worker A (two runs at once) once a run it trains has a checkpoint and is not finished.
    let victim: string | undefined;
    await waitFor(
      "worker A to checkpoint a run",
      () => {
        // A's runs: those whose lock is held by a child process of worker A (/proc: Linux).
        const ids = [
          "beta-vae-beta1-seed0",
          "beta-vae-beta4-seed0",
          "beta-tcvae-beta1-seed0",
          "beta-tcvae-beta4-seed0",
        ];
        victim = ids.find((id) => {
          const folder = runDir(store, "qtiny", id);
          try {
            const { pid } = JSON.parse(readFileSync(join(folder, "train.lock"), "utf8"));
            const parent = Number(
              readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")[1],
            );
            return (
              parent === a.child.pid &&
              checkpointStep(folder) >= 5 &&
              !existsSync(join(folder, "result.json"))
            );
          } catch {
            return false; // no lock yet, or read while being replaced
          }
        });
        return victim !== undefined;
      },
      60_000,
    );
    a.child.kill("SIGKILL");
    const killed: CliResult = await a.done;
    assert.equal(killed.signal, "SIGKILL");
    const victimDir = runDir(store, "qtiny", victim as string);
    // Its run process died with it (the lock it leaves names a dead pid, which is taken over).
    const lockPid = () => {
      try {
        return (JSON.parse(readFileSync(join(victimDir, "train.lock"), "utf8")) as { pid: number })
          .pid;
      } catch {
        return undefined;
      }
    };
    const holderAlive = () => {
      const pid = lockPid();
      if (pid === undefined) return false;
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const victimPid = lockPid();
    await waitFor(
      "the killed worker's run process to die with it",
      () => !holderAlive() || lockPid() !== victimPid,
      15_000,
    );

    const ids = [
      "beta-vae-beta1-seed0",
      "beta-vae-beta4-seed0",
      "beta-tcvae-beta1-seed0",
      "beta-tcvae-beta4-seed0",
    ];
    await waitFor(
      "every run to finish",
      () => ids.every((id) => existsSync(join(runDir(store, "qtiny", id), "result.json"))),
      90_000,
    );
    const events = readRunEvents(victimDir);
    const resumed = /resuming from checkpoint at step (\d+)/.exec(events);
    assert.ok(resumed, `the taken-over run resumed from its checkpoint:\n${events}`);
    assert.ok(Number(resumed[1]) >= 5, events);
    assert.match(
      bOutput,
      new RegExp(`\\[qtiny\\] run ${victim}: resuming from checkpoint at step ${resumed[1]}`),
    );
    assert.equal(events.match(/starting \(/g)?.length, 1, `trained from scratch once:\n${events}`);
    assert.deepEqual(
      readLog(join(victimDir, "log.jsonl")).map((row) => row.step),
      [5, 10, 15, 20],
      "each step logged once after the takeover",
    );
    for (const id of ids) {
      const evaluation = JSON.parse(
        readFileSync(join(runDir(store, "qtiny", id), "evals", "step-00000020.json"), "utf8"),
      );
      assert.equal(evaluation.step, 20);
      assert.ok(Number.isFinite(evaluation.metrics["mig-dlib"].values.mig));
    }

    await waitFor(
      "the failing run to be dead-lettered",
      () => existsSync(join(store, "qdoomed", "dead-letter", "beta-vae-beta1-seed0.json")),
      60_000,
    );
    const letter = JSON.parse(
      readFileSync(join(store, "qdoomed", "dead-letter", "beta-vae-beta1-seed0.json"), "utf8"),
    );
    assert.equal(letter.attempts, 2);
    assert.match(letter.error, /missing/);
    assert.match(bOutput, /failed attempt 1 .*it will be retried/);
    const status = await runCli(["study", "status", doomed, "--queue", url, "--store", store]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /beta-vae-beta1-seed0\s+dead/);
    assert.match(status.stdout, /dead-letter list.*\n.*beta-vae-beta1-seed0.*missing/);
  } catch (error) {
    a.child.kill("SIGKILL");
    b.child.kill("SIGKILL");
    throw error;
  }
  b.child.kill("SIGTERM");
  const stopped = await b.done;
  assert.equal(stopped.code, 0, stopped.stderr);
  process.stdout.write(`worker B's output:\n${bOutput.replace(/^/gm, "  ")}\n`);
});
