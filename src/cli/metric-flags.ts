/**
 * What `eval` and `metrics` share: the metric option flags (derived from the metric
 * descriptors), reading them back, and the printed table.
 */
import type { Command } from "commander";
import type { MetricReport } from "../metrics/metric.ts";
import { METRIC_NAMES, metricOptionDocs } from "../metrics/registry.ts";
import { descriptorFlag, descriptorFlagHelp, descriptorFlagValue } from "./descriptor-flags.ts";

/** Adds `--metrics`, `--seed`, `--json` and one flag per metric option to `command`. */
export function addMetricFlags(command: Command, defaultNote: string): Command {
  command
    .option("--metrics <list>", `${METRIC_NAMES.join(",")} (default: ${defaultNote})`)
    .option("--seed <n>", "seed of every subsample, split and sample (default 0)")
    .option("--json", "print one JSON object");
  for (const entry of metricOptionDocs()) {
    command.option(descriptorFlag(entry), descriptorFlagHelp(entry));
  }
  return command;
}

/** The metric options the user gave, by field, typed as their schema expects. */
export function metricOptionsFrom(opts: Record<string, unknown>): Record<string, unknown> {
  const given: Record<string, unknown> = {};
  for (const { name, type } of metricOptionDocs()) {
    if (opts[name] !== undefined) given[name] = descriptorFlagValue(type, String(opts[name]));
  }
  return given;
}

/** `--metrics a,b` as a list (undefined when not given). */
export function metricList(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const items = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (items.length === 0) throw new RangeError("--metrics is empty");
  return items;
}

/** A whole number >= min from a flag, or undefined. */
export function wholeNumber(
  flag: string,
  text: string | undefined,
  min: number,
): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (text.trim() === "" || !Number.isInteger(v) || v < min) {
    throw new RangeError(`${flag} ${JSON.stringify(text)}: expected a whole number >= ${min}`);
  }
  return v;
}

/** One line per value: `metric key  value  seconds`, with the estimator notes that apply. */
export function metricTable(reports: Record<string, MetricReport>): string {
  const rows: [string, string, string][] = [];
  for (const [name, report] of Object.entries(reports)) {
    for (const [key, value] of Object.entries(report.values)) {
      rows.push([
        `${name} ${key}`,
        value === null ? "n/a" : value.toFixed(4),
        `${report.seconds?.toFixed(1) ?? "-"} s`,
      ]);
    }
  }
  const width = Math.max(...rows.map((r) => r[0].length));
  const lines = rows.map(
    ([name, value, time]) => `${name.padEnd(width)}  ${value.padStart(8)}  ${time.padStart(8)}`,
  );
  const prior = reports.decomposition?.options;
  if (prior !== undefined) {
    lines.push(
      `(decomposition under the ${prior.prior} prior; KL per dimension by ${prior.klEstimator})`,
    );
  }
  return `${lines.join("\n")}\n`;
}
