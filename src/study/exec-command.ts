/**
 * The child side of a study run (`disentangle study exec DIR`): initialises the engine (its
 * threads come from DISENTANGLE_THREADS, set by the parent), trains and evaluates the run
 * (execute-run.ts), and reports to the parent over IPC. Dies with its parent (parent-death.ts;
 * elsewhere than Linux, when its IPC channel closes), so a run whose worker was killed is
 * never trained twice at once. Exit codes: 0 done, 75 the run is held by another process,
 * 130 interrupted (checkpoint saved), 1 failed.
 */
import type { ChildMessage } from "./child.ts";
import { EXIT_BUSY, EXIT_INTERRUPTED } from "./child.ts";
import { executeRun, RunInterruptedError } from "./execute-run.ts";
import { dieWithParent } from "./parent-death.ts";
import { RunBusyError } from "./store.ts";

/** Runs the study run in `dir` in this process (started by a runner as a child). */
export async function runExecCommand(dir: string): Promise<void> {
  const send = (message: ChildMessage) => {
    if (process.connected) process.send?.(message);
  };
  if (process.send !== undefined) {
    const parent = Number(process.env.DISENTANGLE_STUDY_PARENT);
    dieWithParent(Number.isInteger(parent) && parent > 0 ? parent : undefined);
    process.on("disconnect", () => {
      process.stderr.write(`disentangle: the runner of ${dir} went away; stopping\n`);
      process.exit(1);
    });
    // The channel alone does not keep the child alive once its work is done.
    process.channel?.unref();
  }
  const { initEngine } = await import("../engine/device.ts");
  await initEngine();
  try {
    await executeRun(dir, {
      event(line) {
        process.stderr.write(`${line}\n`);
        send({ type: "event", line });
      },
      progress: (step, steps, imagesPerSecond) =>
        send({ type: "progress", step, steps, imagesPerSecond }),
      evaluated: (step, values) => send({ type: "evaluated", step, values }),
    });
  } catch (error) {
    if (error instanceof RunBusyError || error instanceof RunInterruptedError) {
      process.stderr.write(`disentangle: ${error.message}\n`);
      process.exitCode = error instanceof RunBusyError ? EXIT_BUSY : EXIT_INTERRUPTED;
      return;
    }
    throw error;
  }
}
