/**
 * Training progress on stderr: a live bar with the loss terms and img/s on a terminal,
 * one plain line every `logEvery` steps otherwise (CI logs, pipes).
 */
import cliProgress from "cli-progress";

export interface ProgressReporter {
  update(step: number, terms: Record<string, number>, imagesPerSecond: number): void;
  stop(): void;
}

function formatTerms(terms: Record<string, number>): string {
  return Object.entries(terms)
    .map(
      ([name, value]) => `${name} ${Math.abs(value) >= 100 ? value.toFixed(1) : value.toFixed(3)}`,
    )
    .join("  ");
}

export function createProgress(
  totalSteps: number,
  startStep: number,
  logEvery: number,
  enabled = true,
): ProgressReporter {
  if (!enabled) return { update() {}, stop() {} };
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format:
          "step {value}/{total} [{bar}] {percentage}% | {rate} img/s | {terms} | eta {eta_formatted}",
        stream: process.stderr,
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(totalSteps, startStep, { rate: "-", terms: "" });
    return {
      update(step, terms, rate) {
        bar.update(step, { rate: rate.toFixed(0), terms: formatTerms(terms) });
      },
      stop: () => bar.stop(),
    };
  }
  return {
    update(step, terms, rate) {
      if (step % logEvery === 0 || step === totalSteps) {
        process.stderr.write(
          `step ${step}/${totalSteps}  ${rate.toFixed(0)} img/s  ${formatTerms(terms)}\n`,
        );
      }
    },
    stop() {},
  };
}

/**
 * A bar for a long count on stderr (encoding a dataset): shown on a terminal when there are
 * at least `minimum` items and `enabled` is not false; silent otherwise.
 */
export function countProgress(
  label: string,
  options: { enabled?: boolean; minimum?: number } = {},
): { update(done: number, total: number): void; stop(): void } {
  if (options.enabled === false || process.stderr.isTTY !== true) {
    return { update() {}, stop() {} };
  }
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {value}/{total} | eta {eta_formatted}`, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (total < (options.minimum ?? 5000)) return;
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(done);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
