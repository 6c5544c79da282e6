/**
 * Plug-in (maximum-likelihood) estimates of discrete entropy and mutual information, in nats,
 * from label vectors: I(a; b) = sum_ij p_ij log(p_ij / (p_i p_j)) over the empirical
 * contingency table (as sklearn's `mutual_info_score`, which disentanglement_lib uses).
 */
import type { FactorLabels } from "./discretize.ts";

export function mutualInformation(a: FactorLabels, b: FactorLabels): number {
  const n = a.labels.length;
  if (b.labels.length !== n) {
    throw new RangeError(`label vectors differ in length: ${n} and ${b.labels.length}`);
  }
  if (n === 0) return 0;
  const table = new Float64Array(a.classes * b.classes);
  const pa = new Float64Array(a.classes);
  const pb = new Float64Array(b.classes);
  for (let i = 0; i < n; i++) {
    table[a.labels[i] * b.classes + b.labels[i]]++;
    pa[a.labels[i]]++;
    pb[b.labels[i]]++;
  }
  let mi = 0;
  for (let i = 0; i < a.classes; i++) {
    for (let j = 0; j < b.classes; j++) {
      const c = table[i * b.classes + j];
      if (c > 0) mi += (c / n) * Math.log((c * n) / (pa[i] * pb[j]));
    }
  }
  return Math.max(0, mi);
}

export function entropy(a: FactorLabels): number {
  const n = a.labels.length;
  const counts = new Float64Array(a.classes);
  for (let i = 0; i < n; i++) counts[a.labels[i]]++;
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / n) * Math.log(c / n);
  return h;
}
