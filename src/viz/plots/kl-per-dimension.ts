/**
 * KL(q(z_j|x) || p(z_j)) averaged over the data, one bar per latent dimension (z0, z1, ... in
 * the order given), with the threshold below which a dimension counts as inactive (collapsed
 * to the prior) drawn as a dashed rule. Active and inactive bars differ in colour.
 *
 * The y scale is logarithmic by default: an active dimension carries nats, a collapsed one
 * thousandths or less, and on a linear scale the 0.01-nat rule would sit on the axis. Bars
 * start at the bottom of the axis, a power of ten at least ten times below the threshold and
 * the smallest positive value; values under it (0, tiny negative Monte Carlo estimates) sit on
 * it. Each bar is labelled with its value. On a linear scale bars start at 0.
 */
import type { TopLevelSpec } from "vega-lite";
import { INACTIVE_KL } from "../../metrics/elbo-decomposition.ts";
import { OKABE_ITO, renderVegaLite } from "./vega.ts";

/** Mean KL (nats) below which a latent dimension counts as inactive. */

export interface KlPerDimensionOptions {
  /** Dimension names (default z0, z1, ...). */
  labels?: readonly string[];
  /** The inactive threshold in nats (default `INACTIVE_KL`). */
  threshold?: number;
  /** Default "log". */
  scale?: "log" | "linear";
  /** Default "KL per latent dimension". */
  title?: string;
  /** Plot area height in px (default 200); the width grows with the number of dimensions. */
  height?: number;
}

/** The bars as an SVG document. */
export async function klPerDimensionSvg(
  klPerDim: readonly number[],
  options: KlPerDimensionOptions = {},
): Promise<string> {
  const d = klPerDim.length;
  if (d === 0) throw new RangeError("KL per dimension: no dimensions");
  const labels = options.labels ?? klPerDim.map((_, j) => `z${j}`);
  if (labels.length !== d) {
    throw new RangeError(`KL per dimension: ${labels.length} labels for ${d} dimensions`);
  }
  for (const [j, v] of klPerDim.entries()) {
    if (!Number.isFinite(v)) throw new RangeError(`KL per dimension: z${j} is ${v}`);
  }
  const threshold = options.threshold ?? INACTIVE_KL;
  const log = (options.scale ?? "log") === "log";
  const positive = klPerDim.filter((v) => v > 0);
  const floor = log ? 10 ** Math.floor(Math.log10(Math.min(threshold, ...positive)) - 1) : 0;
  const values = klPerDim.map((kl, j) => ({
    dim: labels[j],
    kl,
    shown: log ? Math.max(kl, floor) : kl,
    state: kl >= threshold ? "active" : "inactive",
    text: formatNats(kl),
  }));
  const dims = values.map((v) => v.dim);
  const top = Math.max(threshold, ...klPerDim);
  const decades: number[] = [];
  if (log) for (let p = floor; p <= top * 10; p *= 10) decades.push(Number(p.toPrecision(1)));
  const y = {
    field: "shown",
    type: "quantitative",
    title: log ? "KL (nats, log scale)" : "KL (nats)",
    scale: log ? { type: "log", domain: [floor, decades[decades.length - 1]] } : {},
    axis: log
      ? {
          values: decades,
          labelExpr:
            "datum.value >= 0.001 ? format(datum.value, '~g') : format(datum.value, '.0e')",
        }
      : {},
  };
  const x = {
    field: "dim",
    type: "nominal",
    sort: dims,
    title: "latent dimension",
    axis: { labelAngle: 0 },
  };
  const spec = {
    title: {
      text: options.title ?? "KL per latent dimension",
      subtitle: `${values.filter((v) => v.state === "active").length} of ${d} active; dashed line: the inactive threshold, ${threshold} nats`,
    },
    width: Math.max(160, 44 * d), // room for a value label such as "0.0029" over each bar
    height: options.height ?? 200,
    layer: [
      {
        data: { values: [{ threshold }] },
        mark: { type: "rule", strokeDash: [5, 4], color: OKABE_ITO[1], strokeWidth: 1.5 },
        encoding: { y: { field: "threshold", type: "quantitative" } },
      },
      {
        data: { values },
        mark: { type: "bar", width: { band: 0.7 } },
        encoding: {
          x,
          y,
          y2: { datum: floor },
          color: {
            field: "state",
            type: "nominal",
            scale: { domain: ["active", "inactive"], range: [OKABE_ITO[0], "#a8a8a8"] },
            legend: { title: null, orient: "top", direction: "horizontal" },
          },
          tooltip: [{ field: "dim" }, { field: "kl", format: ".4g" }],
        },
      },
      {
        data: { values },
        mark: { type: "text", dy: -6, baseline: "bottom", fontSize: 11, color: "#222222" },
        encoding: { x, y, text: { field: "text" } },
      },
    ],
  } as TopLevelSpec;
  return renderVegaLite(spec);
}

/** A short value label: 3 significant digits, tiny values in exponent form. */
function formatNats(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 0.001) return Number(v.toPrecision(2)).toString();
  return v.toExponential(0);
}
