/**
 * Rank correlations between metrics across runs, as in Locatello et al., "Challenging Common
 * Assumptions in the Unsupervised Learning of Disentangled Representations" (ICML 2019,
 * Fig. 3: Spearman rank correlation between disentanglement metrics over all trained models):
 * do two metrics order the runs alike?
 */

/** 1-based ranks of `values`; tied values share the mean of their positions (fractional ranks). */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1].value === order[start].value) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[order[k].index] = rank;
    start = end + 1;
  }
  return ranks;
}

function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? Number.NaN : sxy / Math.sqrt(sxx * syy);
}

/**
 * Spearman's rank correlation coefficient (Spearman 1904): the Pearson correlation of the
 * average ranks, as scipy.stats.spearmanr computes it (ties included). Without ties it equals
 * 1 - 6 Σ d² / (n (n² - 1)). NaN for fewer than 2 pairs or a constant side.
 */
export function spearman(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length) {
    throw new RangeError(`spearman: ${x.length} values against ${y.length}`);
  }
  if (x.length < 2) return Number.NaN;
  return pearson(averageRanks(x), averageRanks(y));
}

/** Spearman correlations between every pair of named columns. */
export interface RankCorrelations {
  names: string[];
  /** [i][j]: Spearman's rho of columns i and j over the runs where both are finite. */
  rho: number[][];
  /** [i][j]: how many runs that was. */
  pairs: number[][];
}

/**
 * The rank correlation matrix of `columns` (metric name -> one value per run, null when the
 * run has none): each pair over the runs where both values are finite.
 */
export function rankCorrelationMatrix(
  columns: Record<string, readonly (number | null)[]>,
): RankCorrelations {
  const names = Object.keys(columns);
  const rho = names.map(() => names.map(() => Number.NaN));
  const pairs = names.map(() => names.map(() => 0));
  for (const [i, a] of names.entries()) {
    for (const [j, b] of names.entries()) {
      const x: number[] = [];
      const y: number[] = [];
      columns[a].forEach((value, k) => {
        const other = columns[b][k];
        if (value !== null && other !== null && Number.isFinite(value) && Number.isFinite(other)) {
          x.push(value);
          y.push(other);
        }
      });
      rho[i][j] = spearman(x, y);
      pairs[i][j] = x.length;
    }
  }
  return { names, rho, pairs };
}
