/**
 * The distributed runner: a study's runs as jobs of a BullMQ queue on Redis, trained by any
 * number of `disentangle study worker`s into a shared run store (store.ts). BullMQ does the
 * scheduling: each job is locked by one worker at a time (a run is never trained twice at
 * once; the run's lock file in the store guards the same across queues), a worker that dies
 * stops renewing its lock and its job is found stalled and moved back to the queue, a failed
 * attempt is retried with exponential backoff, and a job that fails every attempt stays in the
 * queue's failed set: the dead-letter list, with its error (also written to the store). A
 * retried or taken-over run resumes from its last checkpoint (execute-run.ts). Each run trains
 * in a child process (child.ts), which keeps the worker's event loop free to renew its locks
 * and lets the worker enforce a per-run timeout.
 */
import { availableParallelism, hostname } from "node:os";
import { type Job, Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { childError, startRunChild } from "./child.ts";
import type { RunSpec, Study } from "./expand.ts";
import { formatDuration } from "./local-runner.ts";
import {
  clearDeadLetter,
  type RunResult,
  readRunResult,
  runDir,
  writeDeadLetter,
  writeRunSpec,
} from "./store.ts";

/** The one queue every study's runs go to (job ids are STUDY--RUN). */
export const QUEUE_NAME = "disentangle-studies";

/** What a job carries: the run, and its time limit per attempt. */
export interface StudyJobData {
  spec: RunSpec;
  timeoutMs: number;
}

/** Attempts per run before it goes to the dead-letter list. */
export const DEFAULT_ATTEMPTS = 3;
/** The first retry's delay; each retry doubles it. */
export const DEFAULT_BACKOFF_MS = 30_000;
/** A run's time limit per attempt. */
export const DEFAULT_TIMEOUT_MS = 24 * 3_600_000;

/** A Redis connection for BullMQ (which needs `maxRetriesPerRequest: null` for its workers). */
export function connectRedis(url: string): Redis {
  if (!/^rediss?:\/\/[^/]+/.test(url)) {
    throw new RangeError(`--queue ${JSON.stringify(url)}: expected redis://HOST:PORT`);
  }
  return new Redis(url, { maxRetriesPerRequest: null });
}

/** The job id of a run. */
export function jobId(study: string, run: string): string {
  return `${study}--${run}`;
}

function withQueue<T>(url: string, body: (queue: Queue) => Promise<T>): Promise<T> {
  const connection = connectRedis(url);
  const queue = new Queue(QUEUE_NAME, { connection });
  return body(queue).finally(async () => {
    await queue.close();
    connection.disconnect();
  });
}

/** How `enqueueStudy` enqueues. */
export interface EnqueueOptions {
  /** When given, runs already finished in this store are not enqueued. */
  store?: string;
  attempts?: number;
  backoffMs?: number;
  timeoutMs?: number;
  /** Where progress lines go (default: stdout). */
  log?: (line: string) => void;
}

/**
 * Adds every unfinished run of `study` to the queue (a run already queued, running, done or
 * dead-lettered is left as it is: job ids are unique). Returns the numbers of each.
 */
export async function enqueueStudy(
  study: Study,
  url: string,
  options: EnqueueOptions = {},
): Promise<{ added: number; queued: number; done: number; dead: string[] }> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
  const backoff = options.backoffMs ?? DEFAULT_BACKOFF_MS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return withQueue(url, async (queue) => {
    let added = 0;
    let queued = 0;
    let done = 0;
    const dead: string[] = [];
    for (const spec of study.runs) {
      const id = jobId(study.name, spec.id);
      if (
        options.store !== undefined &&
        readRunResult(runDir(options.store, study.name, spec.id))
      ) {
        done++;
        continue;
      }
      const existing = await queue.getJob(id);
      if (existing) {
        const state = await existing.getState();
        if (state === "completed") done++;
        else if (state === "failed") dead.push(`${spec.id}: ${existing.failedReason}`);
        else queued++;
        continue;
      }
      if (options.store !== undefined) clearDeadLetter(options.store, study.name, spec.id);
      await queue.add(spec.id, { spec, timeoutMs } satisfies StudyJobData, {
        jobId: id,
        attempts,
        backoff: { type: "exponential", delay: backoff },
        removeOnComplete: false,
        removeOnFail: false,
      });
      added++;
    }
    log(
      `study ${study.name}: ${added} run(s) enqueued on ${url} (queue ${QUEUE_NAME}; ${attempts} attempt(s), backoff from ${formatDuration(backoff / 1000)}, timeout ${formatDuration(timeoutMs / 1000)}), ${queued} already queued, ${done} done, ${dead.length} in the dead-letter list${dead.length ? `:\n  ${dead.join("\n  ")}` : ""}`,
    );
    if (added + queued > 0) {
      log(
        `train them with: disentangle study worker --queue ${url} --store DIR (on any number of machines sharing DIR)`,
      );
    }
    return { added, queued, done, dead };
  });
}

/** One run's place in the queue. */
export interface QueuedRun {
  id: string;
  state: string;
  attemptsMade: number;
  progress?: unknown;
  error?: string;
}

/** Where each run of `study` stands in the queue; `dead` are the failed (dead-letter) ones. */
export async function queueStatus(study: Study, url: string): Promise<QueuedRun[]> {
  return withQueue(url, async (queue) => {
    const rows: QueuedRun[] = [];
    for (const spec of study.runs) {
      const job = await queue.getJob(jobId(study.name, spec.id));
      if (!job) {
        rows.push({ id: spec.id, state: "not queued", attemptsMade: 0 });
        continue;
      }
      const state = await job.getState();
      rows.push({
        id: spec.id,
        state: state === "failed" ? "dead" : state,
        attemptsMade: job.attemptsMade,
        progress: job.progress,
        error: job.failedReason || undefined,
      });
    }
    return rows;
  });
}

/** The runs of the queue's dead-letter list (failed every attempt), with their errors. */
export async function deadLetterList(
  url: string,
): Promise<{ id: string; error: string; attempts: number }[]> {
  return withQueue(url, async (queue) => {
    const failed = await queue.getFailed(0, -1);
    return failed.map((job) => ({
      id: String(job.id),
      error: job.failedReason,
      attempts: job.attemptsMade,
    }));
  });
}

/** Prints the study's queue state every `everyMs` until every run is done or dead. */
export async function followQueue(study: Study, url: string, everyMs = 10_000): Promise<void> {
  for (;;) {
    const rows = await queueStatus(study, url);
    const count = (state: string) => rows.filter((r) => r.state === state).length;
    const active = rows
      .filter((r) => r.state === "active")
      .map((r) => {
        const p = r.progress as { step?: number; steps?: number } | undefined;
        return p?.step !== undefined ? `${r.id} ${p.step}/${p.steps}` : r.id;
      });
    process.stderr.write(
      `[study ${study.name}] ${count("completed")}/${rows.length} done, ${count("active")} running${active.length ? ` (${active.join("; ")})` : ""}, ${count("waiting") + count("delayed") + count("prioritized")} waiting, ${count("dead")} dead\n`,
    );
    if (rows.every((r) => r.state === "completed" || r.state === "dead")) return;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** How a queue worker trains. */
export interface WorkerOptions {
  /** Runs trained at once (default 1). */
  concurrency?: number;
  /** Engine threads of each run (default: the cores split between the runs). */
  threadsPerRun?: number;
  /** BullMQ's lock duration (default 30 s): a dead worker's run is taken over after it. */
  lockMs?: number;
  /** How often BullMQ looks for stalled jobs (default 30 s). */
  stalledMs?: number;
  /** Times a run may be found stalled before it is dead-lettered (default 3). */
  maxStalled?: number;
  /** Where the worker's lines go (default: stderr). */
  log?: (line: string) => void;
}

/**
 * A worker: takes runs from the queue and trains each in a child process into `store`, until
 * SIGINT or SIGTERM (then it stops taking runs and waits for its current ones).
 */
export async function runQueueWorker(
  url: string,
  store: string,
  options: WorkerOptions = {},
): Promise<void> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const concurrency = options.concurrency ?? 1;
  const threads =
    options.threadsPerRun ?? Math.max(1, Math.floor(availableParallelism() / concurrency));
  const me = `worker ${hostname()}:${process.pid}`;
  const connection = connectRedis(url);

  const processor = async (job: Job<StudyJobData>): Promise<RunResult | undefined> => {
    const { spec, timeoutMs } = job.data;
    const dir = runDir(store, spec.study, spec.id);
    writeRunSpec(dir, spec);
    const finished = readRunResult(dir);
    if (finished) return finished;
    log(
      `${me}: run ${spec.study}/${spec.id}, attempt ${job.attemptsMade + 1} of ${job.opts.attempts ?? 1}, ${threads} thread(s)`,
    );
    let timedOut = false;
    const { child, done } = startRunChild(dir, {
      threads,
      onMessage(message) {
        if (message.type === "progress") {
          job.updateProgress({ step: message.step, steps: message.steps }).catch(() => {});
        } else if (message.type === "event") {
          log(`${me}: [${spec.study}] ${message.line}`);
        }
      },
    });
    // setTimeout takes at most 2^31 - 1 ms (24.8 days).
    const timer = setTimeout(
      () => {
        timedOut = true;
        child.kill("SIGINT"); // checkpoint, then stop
        setTimeout(() => child.kill("SIGKILL"), 60_000).unref();
      },
      Math.min(timeoutMs, 2 ** 31 - 1),
    );
    const { code, signal, stderr } = await done;
    clearTimeout(timer);
    if (code === 0) return readRunResult(dir);
    if (timedOut) {
      throw new Error(
        `run ${spec.id} passed its time limit of ${formatDuration(timeoutMs / 1000)} (the next attempt resumes from its checkpoint)`,
      );
    }
    throw new Error(childError(stderr, code, signal));
  };

  const worker = new Worker<StudyJobData>(QUEUE_NAME, processor, {
    connection,
    concurrency,
    lockDuration: options.lockMs ?? 30_000,
    stalledInterval: options.stalledMs ?? 30_000,
    maxStalledCount: options.maxStalled ?? 3,
  });
  worker.on("failed", (job, error) => {
    if (!job) return;
    const { spec } = job.data;
    void job.getState().then((state) => {
      if (state === "failed") {
        writeDeadLetter(store, spec.study, {
          id: spec.id,
          error: error.message,
          attempts: job.attemptsMade,
          failedAt: new Date().toISOString(),
        });
        log(
          `${me}: run ${spec.study}/${spec.id} failed all ${job.attemptsMade} attempt(s), now in the dead-letter list: ${error.message}`,
        );
      } else {
        log(
          `${me}: run ${spec.study}/${spec.id} failed attempt ${job.attemptsMade} (${error.message}); it will be retried`,
        );
      }
    });
  });
  worker.on("stalled", (id) =>
    log(
      `${me}: run ${id.replace("--", "/")} stalled (its worker stopped renewing its lock); back in the queue`,
    ),
  );
  worker.on("completed", (job) =>
    log(`${me}: run ${job.data.spec.study}/${job.data.spec.id} done`),
  );
  worker.on("error", (error) => log(`${me}: ${error.message}`));
  await worker.waitUntilReady();
  log(
    `${me}: waiting for runs on ${url} (queue ${QUEUE_NAME}), store ${store}, ${concurrency} at once`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      log(
        `${me}: stopping: no new runs; the current ones finish first (a Ctrl-C in the terminal reaches them too: they stop at a checkpoint, and their next attempt resumes from it)`,
      );
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      void worker.close().then(resolve);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  connection.disconnect();
}
