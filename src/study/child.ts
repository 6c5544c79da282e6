/**
 * One run of a study in a child process (`disentangle study exec DIR`): the engine's thread
 * count is fixed per process, so each run gets its own process and its share of the threads.
 * The child reports over an IPC channel and dies with its parent (parent-death.ts): when a
 * local runner or a queue worker dies, even by SIGKILL, its children stop too, so the runs
 * they trained can be picked up elsewhere without being trained twice at once.
 */
import { type ChildProcess, spawn } from "node:child_process";

/** A message from a run's child process. */
export type ChildMessage =
  | { type: "progress"; step: number; steps: number; imagesPerSecond: number }
  | { type: "evaluated"; step: number; values: Record<string, number | null> }
  | { type: "event"; line: string };

/** Exit code of a child whose run is held by another process (try again later). */
export const EXIT_BUSY = 75;
/** Exit code of a child stopped by SIGINT after checkpointing. */
export const EXIT_INTERRUPTED = 130;

/**
 * The command that starts this CLI again: Node with the same flags (`--import tsx` when run
 * from sources) and the same entry script. `DISENTANGLE_CLI` (a path to a script) overrides
 * the script, for library callers whose `process.argv[1]` is their own program.
 */
export function cliCommand(): { command: string; args: string[] } {
  const script = process.env.DISENTANGLE_CLI ?? process.argv[1];
  return { command: process.execPath, args: [...process.execArgv, script] };
}

/** A started run process. */
export interface RunChild {
  child: ChildProcess;
  /** Settles when the child exits: its code or signal and the last lines of its stderr. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** Starts `disentangle study exec DIR` with `threads` engine threads. */
export function startRunChild(
  dir: string,
  options: {
    threads: number;
    onMessage?: (message: ChildMessage) => void;
    onStderr?: (text: string) => void;
  },
): RunChild {
  const { command, args } = cliCommand();
  const child = spawn(command, [...args, "study", "exec", dir], {
    env: {
      ...process.env,
      DISENTANGLE_THREADS: String(options.threads),
      DISENTANGLE_STUDY_PARENT: String(process.pid),
    },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  let tail = "";
  const keep = (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    tail = (tail + text).slice(-4000);
    options.onStderr?.(text);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  child.on("message", (message) => options.onMessage?.(message as ChildMessage));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => {
      child.on("close", (code, signal) => resolve({ code, signal, stderr: tail }));
      child.on("error", (error) =>
        resolve({ code: 1, signal: null, stderr: `${tail}\n${error.message}` }),
      );
    },
  );
  return { child, done };
}

/** The error line of a failed child: its last `disentangle: ...` line, else its stderr's end. */
export function childError(stderr: string, code: number | null, signal: string | null): string {
  const lines = stderr.trim().split("\n");
  const message = [...lines].reverse().find((line) => line.startsWith("disentangle: "));
  const how = signal ? `killed by ${signal}` : `exit code ${code}`;
  return `${message?.slice("disentangle: ".length) ?? lines.slice(-5).join("\n")} (${how})`;
}
