/** A factor as class labels 0..classes-1, one per row. */
export interface FactorLabels {
  labels: Int32Array;
  classes: number;
}

/**
 * Equal-width histogram discretisation, as disentanglement_lib's `_histogram_discretize`
 * (Locatello et al. 2019): `np.digitize(x, np.histogram(x, bins)[1][:-1])`. The edges are
 * lo + i*(hi-lo)/bins over the values' range [lo, hi] (lo-0.5, hi+0.5 when constant); a value
 * on an inner edge goes to the upper bin and the maximum to the last bin.
 */

export function histogramBins(values: ArrayLike<number>, bins: number): FactorLabels {
  if (!Number.isInteger(bins) || bins < 1) {
    throw new RangeError(`bins must be a whole number >= 1, got ${bins}`);
  }
  const n = values.length;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    if (values[i] < lo) lo = values[i];
    if (values[i] > hi) hi = values[i];
  }
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const step = (hi - lo) / bins;
  const edge = (i: number) => lo + i * step;
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const x = values[i];
    let b = Math.min(bins - 1, Math.max(0, Math.floor((x - lo) / step)));
    while (b + 1 < bins && x >= edge(b + 1)) b++;
    while (b > 0 && x < edge(b)) b--;
    labels[i] = b;
  }
  return { labels, classes: bins };
}
