/**
 * Latent codes against generative factors, after Chen et al. 2018 ("Isolating Sources of
 * Disentanglement in VAEs", Figs. 6 and 7): one panel per factor; in it, for each of a few
 * latent dimensions, the mean code E[z_j | v_k = v] over the images whose factor k has value
 * v, against v. A disentangled code shows one dimension moving with each factor and the
 * others flat. The dimensions shown are given, or the top k by mutual information with the
 * factor (the matrix a MIG result carries).
 */
import type { TopLevelSpec } from "vega-lite";
import { OKABE_ITO, renderVegaLite } from "./vega.ts";

/** Codes [count, dims], row-major (a metrics CodeMatrix fits). */
export interface CodeRows {
  data: ArrayLike<number>;
  count: number;
  dims: number;
}

/** Factor values [count, factors], row-major (a metrics FactorMatrix fits). */
export interface FactorRows {
  data: ArrayLike<number>;
  count: number;
  factors: number;
}

/** I(z_j; v_k) for the scored factors, as in a MigResult: `mutualInformation[i][j]` is factor `factors[i]`, dim j. */
export interface FactorInformation {
  factors: readonly number[];
  mutualInformation: readonly (readonly number[])[];
}

export interface LatentVsFactorOptions {
  /** Per factor index, the dimensions to draw. Factors without an entry get no panel. */
  dims?: readonly (readonly number[] | undefined)[];
  /** Choose each scored factor's dimensions by mutual information instead (used when `dims` is absent). */
  mutualInformation?: FactorInformation;
  /** Dimensions per factor when chosen by mutual information (default 3). */
  top?: number;
  /** A factor with more distinct values than this is averaged in this many equal-width bins (default 24). */
  maxValues?: number;
  /** Panels per row (default 3). */
  columns?: number;
  /** Plot area of one panel in px (default 200 x 150). */
  panelWidth?: number;
  panelHeight?: number;
  /** Default "Mean latent code against each factor". */
  title?: string;
  /**
   * Per factor index, names of its values (categorical factors, e.g. shape: square, ellipse,
   * heart), in the order of the sorted distinct values; the x axis then shows the names.
   */
  valueLabels?: readonly (readonly string[] | undefined)[];
}

/** The dimensions of one factor's panel, highest mutual information first, and their MI. */
export interface FactorPanel {
  factor: number;
  dims: number[];
  information?: number[];
}

/** The panels drawn: from `dims`, or the top-k dimensions of each scored factor by MI. */
export function chooseDimensions(
  factorCount: number,
  latentDims: number,
  options: Pick<LatentVsFactorOptions, "dims" | "mutualInformation" | "top">,
): FactorPanel[] {
  const checkDim = (j: number) => {
    if (!Number.isInteger(j) || j < 0 || j >= latentDims) {
      throw new RangeError(`latent vs factor: dimension ${j} is outside [0, ${latentDims})`);
    }
  };
  if (options.dims) {
    const panels: FactorPanel[] = [];
    for (const [k, dims] of options.dims.entries()) {
      if (!dims || dims.length === 0) continue;
      if (k >= factorCount) throw new RangeError(`latent vs factor: no factor ${k}`);
      dims.forEach(checkDim);
      panels.push({ factor: k, dims: [...dims] });
    }
    return panels;
  }
  const info = options.mutualInformation;
  if (!info)
    throw new Error("latent vs factor: give the dims to show or a mutual information matrix");
  const top = options.top ?? 3;
  if (!Number.isInteger(top) || top < 1) throw new RangeError(`latent vs factor: top is ${top}`);
  return info.factors.map((k, i) => {
    if (k >= factorCount) throw new RangeError(`latent vs factor: no factor ${k}`);
    const row = info.mutualInformation[i];
    if (row.length !== latentDims) {
      throw new RangeError(
        `latent vs factor: factor ${k} has MI for ${row.length} dimensions, codes have ${latentDims}`,
      );
    }
    const dims = row
      .map((mi, j) => ({ mi, j }))
      .sort((a, b) => b.mi - a.mi || a.j - b.j)
      .slice(0, top);
    return { factor: k, dims: dims.map((d) => d.j), information: dims.map((d) => d.mi) };
  });
}

/** Mean of each chosen code dimension per factor value (or per bin of values), sorted by value. */
export function meanCodeByFactor(
  codes: CodeRows,
  factors: FactorRows,
  factor: number,
  dims: readonly number[],
  maxValues = 24,
): { values: number[]; means: number[][] } {
  const groups = new Map<number, { count: number; sums: number[] }>();
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  const distinct = new Set<number>();
  for (let i = 0; i < factors.count; i++) {
    const v = factors.data[i * factors.factors + factor];
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
    if (distinct.size <= maxValues) distinct.add(v);
  }
  const binned = distinct.size > maxValues;
  const width = (hi - lo) / maxValues;
  for (let i = 0; i < factors.count; i++) {
    let v = factors.data[i * factors.factors + factor];
    if (binned) v = lo + (Math.min(maxValues - 1, Math.floor((v - lo) / width)) + 0.5) * width;
    let group = groups.get(v);
    if (!group) {
      group = { count: 0, sums: dims.map(() => 0) };
      groups.set(v, group);
    }
    group.count++;
    for (const [s, j] of dims.entries()) group.sums[s] += codes.data[i * codes.dims + j];
  }
  const values = [...groups.keys()].sort((a, b) => a - b);
  const means = dims.map((_, s) =>
    values.map((v) => {
      const g = groups.get(v) as { count: number; sums: number[] };
      return g.sums[s] / g.count;
    }),
  );
  return { values, means };
}

/** The figure as an SVG document. `factorNames` has one name per factor column. */
export async function latentVsFactorSvg(
  codes: CodeRows,
  factors: FactorRows,
  factorNames: readonly string[],
  options: LatentVsFactorOptions = {},
): Promise<string> {
  if (codes.data.length !== codes.count * codes.dims) {
    throw new RangeError(
      `latent vs factor: codes hold ${codes.data.length} values, expected ${codes.count}*${codes.dims}`,
    );
  }
  if (factors.data.length !== factors.count * factors.factors || factors.count !== codes.count) {
    throw new RangeError(
      `latent vs factor: factors hold ${factors.data.length} values for ${factors.count} rows, expected ${codes.count}*${factors.factors}`,
    );
  }
  if (factorNames.length !== factors.factors) {
    throw new RangeError(
      `latent vs factor: ${factorNames.length} names for ${factors.factors} factors`,
    );
  }
  const panels = chooseDimensions(factors.factors, codes.dims, options);
  if (panels.length === 0) throw new RangeError("latent vs factor: no factor to draw");
  const shown = [...new Set(panels.flatMap((p) => p.dims))].sort((a, b) => a - b);
  const legend = shown.map((j) => `z${j}`);
  const colours = shown.map((_, i) => OKABE_ITO[i % OKABE_ITO.length]);
  const shapes = ["circle", "square", "triangle-up", "diamond", "triangle-down", "cross"];
  const charts = panels.map((panel) => {
    const { values, means } = meanCodeByFactor(
      codes,
      factors,
      panel.factor,
      panel.dims,
      options.maxValues,
    );
    const rows = panel.dims.flatMap((j, s) =>
      values.map((v, i) => ({ value: v, mean: means[s][i], dim: `z${j}` })),
    );
    const subtitle = panel.information
      ? `MI (nats): ${panel.dims.map((j, s) => `z${j} ${(panel.information as number[])[s].toFixed(2)}`).join(", ")}`
      : undefined;
    return {
      title: { text: factorNames[panel.factor], subtitle, anchor: "middle", fontSize: 13 },
      width: options.panelWidth ?? 200,
      height: options.panelHeight ?? 150,
      data: { values: rows },
      mark: {
        type: "line",
        point: values.length <= 30 ? { size: 50, filled: true } : false,
        strokeWidth: 2,
      },
      encoding: {
        x: {
          field: "value",
          type: "quantitative",
          title: factorNames[panel.factor],
          scale: { zero: false, nice: false },
          axis: axisFor(values, options.valueLabels?.[panel.factor]),
        },
        y: {
          field: "mean",
          type: "quantitative",
          title: "mean code",
          scale: { zero: false },
          axis: { tickCount: 5 },
        },
        color: {
          field: "dim",
          type: "nominal",
          title: "dimension",
          scale: { domain: legend, range: colours },
        },
        shape: {
          field: "dim",
          type: "nominal",
          title: "dimension",
          scale: { domain: legend, range: legend.map((_, i) => shapes[i % shapes.length]) },
        },
      },
    };
  });
  const spec = {
    title: options.title ?? "Mean latent code against each factor",
    columns: Math.min(options.columns ?? 3, charts.length),
    concat: charts,
    spacing: { column: 28, row: 24 },
    resolve: { scale: { color: "shared", shape: "shared" } },
  } as TopLevelSpec;
  return renderVegaLite(spec);
}

/** The x axis: value names at each value (categorical), each value (few), or 5 ticks. */
function axisFor(values: number[], labels: readonly string[] | undefined) {
  if (labels !== undefined && labels.length === values.length) {
    const names = Object.fromEntries(values.map((v, i) => [String(v), labels[i]]));
    return { values, labelExpr: `${JSON.stringify(names)}['' + datum.value] || datum.label` };
  }
  return values.length <= 5 ? { values, format: "~r" } : { tickCount: 5 };
}
