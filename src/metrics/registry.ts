/**
 * Metrics by name: one typed table of descriptors (metric.ts), used by `disentangle eval`
 * (a trained run) and `disentangle metrics` (arrays) alike, so both accept the same names,
 * options and defaults. Adding a metric: a descriptor in its file and one line here.
 */

import {
  parseHyperparameters,
  type SharedFieldDoc,
  sharedFieldDocs,
} from "../objectives/descriptor.ts";
import { activeDimsMetric } from "./active-dims.ts";
import { betaVaeMetric } from "./beta-vae.ts";
import { dciMetric } from "./dci.ts";
import { decompositionMetric } from "./elbo-decomposition.ts";
import { explicitnessMetric } from "./explicitness.ts";
import { factorVaeMetric } from "./factor-vae.ts";
import { logLikelihoodMetric } from "./log-likelihood.ts";
import type { MetricDescriptor, MetricInput, MetricReport } from "./metric.ts";
import { migDlibMetric, migMetric } from "./mig.ts";
import { modularityMetric } from "./modularity.ts";
import { reconstructionMetric } from "./reconstruction-error.ts";
import { sapBalancedMetric, sapMetric } from "./sap.ts";
import { tripletMetric } from "./triplet-runner.ts";

/** The metric registry: name -> descriptor (paper, inputs it needs, options, compute). */
export const METRICS = {
  mig: migMetric,
  "mig-dlib": migDlibMetric,
  sap: sapMetric,
  "sap-balanced": sapBalancedMetric,
  dci: dciMetric,
  modularity: modularityMetric,
  explicitness: explicitnessMetric,
  "beta-vae": betaVaeMetric,
  "factor-vae": factorVaeMetric,
  decomposition: decompositionMetric,
  "active-dims": activeDimsMetric,
  reconstruction: reconstructionMetric,
  "log-likelihood": logLikelihoodMetric,
  triplet: tripletMetric,
} as const satisfies Record<string, MetricDescriptor>;

export type MetricName = keyof typeof METRICS;
/** The names of {@link METRICS}, as `disentangle eval --metrics` accepts them. */
export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];

/** Names earlier versions of `disentangle metrics` used. */
const ALIASES: Record<string, MetricName> = { "mig-chen": "mig" };

const descriptor = (name: MetricName) => METRICS[name] as MetricDescriptor;

/**
 * The metrics `input` can be scored on, in registry order: the defaults of `eval` and
 * `metrics` (those that run only when named are left out).
 */
export function applicableMetrics(
  input: MetricInput,
  given: Record<string, unknown> = {},
): MetricName[] {
  return METRIC_NAMES.filter(
    (name) =>
      descriptor(name).onlyWhenNamed === undefined &&
      descriptor(name).missing(input, given) === null,
  );
}

/** Resolves and checks requested names: unknown ones and ones the input cannot serve are errors. */
export function checkMetrics(
  input: MetricInput,
  requested: string[],
  given: Record<string, unknown> = {},
): MetricName[] {
  const names = requested.map((name) => {
    const resolved = (METRIC_NAMES as string[]).includes(name)
      ? (name as MetricName)
      : ALIASES[name];
    if (resolved === undefined) {
      throw new RangeError(`unknown metric "${name}", expected some of ${METRIC_NAMES.join(", ")}`);
    }
    const why = descriptor(resolved).missing(input, given);
    if (why !== null) throw new RangeError(`${resolved} ${why}`);
    return resolved;
  });
  return Array.from(new Set(names));
}

/** Every metric option with each metric's doc and default, for flags and docs. */
export function metricOptionDocs(): SharedFieldDoc[] {
  return sharedFieldDocs(Object.values(METRICS) as MetricDescriptor[]);
}

/**
 * Runs `names` on `input`. `given` holds options as the user gave them (flags), by field;
 * each metric takes its own fields and its schema fills the rest. An option no requested
 * metric takes is an error (it would be silently ignored).
 */
export async function runMetrics(
  input: MetricInput,
  names: MetricName[],
  given: Record<string, unknown>,
  seed: number,
  log: (line: string) => void = () => {},
): Promise<Record<string, MetricReport>> {
  const used = new Set(names.flatMap((name) => Object.keys(descriptor(name).schema.shape)));
  const unused = Object.keys(given).filter(
    (field) => given[field] !== undefined && !used.has(field),
  );
  if (unused.length > 0) {
    const takers = (field: string) =>
      METRIC_NAMES.filter((name) => field in descriptor(name).schema.shape).join(", ");
    throw new RangeError(
      unused
        .map(
          (field) =>
            `option ${field}: none of ${names.join(", ")} takes it (${takers(field) || "no metric does"})`,
        )
        .join("\n"),
    );
  }
  const reports: Record<string, MetricReport> = {};
  for (const name of names) {
    const metric = descriptor(name);
    const own = Object.fromEntries(
      Object.keys(metric.schema.shape)
        .filter((field) => given[field] !== undefined)
        .map((field) => [field, given[field]]),
    );
    const options = parseHyperparameters(metric, own) as Record<string, unknown>;
    log(`${name}...`);
    const started = performance.now();
    const report = await metric.compute(input, { ...options, seed } as never);
    reports[name] = { ...report, seconds: (performance.now() - started) / 1000 };
  }
  return reports;
}
