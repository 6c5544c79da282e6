/**
 * `disentangle study status FILE`: where each run stands in the run store (done, partial with
 * its checkpoint's step, new, dead), and with `--queue` in the queue too, with the dead-letter
 * list (runs that failed every attempt) and their errors.
 */
import type { Study } from "./expand.ts";
import { readDeadLetter, readRunState } from "./store.ts";

/** Pads the columns of `rows` (the first row is the header). */
export function textTable(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => (row[c] ?? "").length)));
  return rows
    .map((row) =>
      row
        .map((cell, c) => cell.padEnd(widths[c]))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** Prints the study's status (or, with `json`, one JSON object). */
export async function runStatusCommand(
  study: Study,
  options: { store: string; queue?: string; json?: boolean },
): Promise<void> {
  const states = study.runs.map((spec) => readRunState(options.store, study.name, spec.id));
  let queued: Map<string, { state: string; attemptsMade: number; error?: string }> | undefined;
  let dead = readDeadLetter(options.store, study.name).map((d) => ({
    id: d.id,
    attempts: d.attempts,
    error: d.error,
  }));
  if (options.queue !== undefined) {
    const { queueStatus } = await import("./queue.ts");
    const rows = await queueStatus(study, options.queue);
    queued = new Map(rows.map((row) => [row.id, row]));
    dead = rows
      .filter((row) => row.state === "dead")
      .map((row) => ({ id: row.id, attempts: row.attemptsMade, error: row.error ?? "" }));
  }
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({ study: study.name, store: options.store, runs: states.map((s) => ({ ...s, queue: queued?.get(s.id) })), deadLetter: dead })}\n`,
    );
    return;
  }
  const count = (status: string) => states.filter((s) => s.status === status).length;
  process.stdout.write(
    `study ${study.name}: ${states.length} runs, ${count("done")} done, ${count("partial")} partial, ${count("new")} not started, ${count("dead")} dead (store ${options.store})\n`,
  );
  const header = ["run", "store", "step", "evaluated at", ...(queued ? ["queue", "attempts"] : [])];
  const rows = states.map((state, i) => {
    const q = queued?.get(state.id);
    return [
      state.id,
      state.status,
      `${state.step}/${study.runs[i].config.steps}`,
      state.evaluated.join(",") || "-",
      ...(queued ? [q?.state ?? "-", String(q?.attemptsMade ?? 0)] : []),
    ];
  });
  process.stdout.write(`${textTable([header, ...rows])}\n`);
  if (dead.length > 0) {
    process.stdout.write(
      `dead-letter list (${dead.length} run(s) failed every attempt):\n${dead.map((d) => `  ${d.id} (${d.attempts} attempt(s)): ${d.error}`).join("\n")}\n`,
    );
  }
}
