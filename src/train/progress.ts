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
