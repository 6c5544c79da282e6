/**
 * Importance weights w_ij for estimating the aggregate posterior q(z_i) = (1/N) Σ_n q(z_i|n)
 * from a minibatch of B examples, where z_i was sampled from q(z|x_i) (Chen et al. 2018,
 * Sec. 4.1 and Appendix C): q(z_i) ≈ Σ_j w_ij q(z_i|x_j).
 *
 * - "mws", minibatch weighted sampling: w_ij = 1/(N·B) for every j (Chen et al.'s Appendix
 *   C.1 estimator, constants kept). It is biased low, not unbiased: its rows sum to 1/N
 *   (the restricted-support importance weight p(B)/r(B|n) = 1/N of the derivation), and for
 *   a batch drawn without replacement E[Σ_j w_ij q(z_i|x_j)] lies between
 *   (B-1)/(B(N-1)) · q(z_i) and q(z_i)/B.
 * - "mss", minibatch stratified sampling (Appendix C.2) with M = B - 1: the example's own
 *   posterior has weight 1/N (the diagonal), one other example (j = i + 1, and j = 0 for the
 *   last row) weight (N - M)/(N·M), the remaining B - 2 weight 1/M. Every row sums to 1, so
 *   the estimate is unbiased for q(z_i) when the other batch members are uniform over the
 *   other N - 1 examples (a minibatch drawn without replacement). Chen et al.'s published
 *   code writes the 1/N weights into column 0 instead of the diagonal (stride B instead of
 *   B + 1); this is the matrix the paper describes.
 */

export const ESTIMATORS = ["mws", "mss"] as const;
export type Estimator = (typeof ESTIMATORS)[number];

/** Row-major [B, B] matrix of log w_ij. Throws a RangeError for sizes the estimator cannot use. */
export function logImportanceWeights(
  estimator: Estimator,
  batchSize: number,
  datasetSize: number,
): Float64Array {
  const B = batchSize;
  const N = datasetSize;
  if (!Number.isInteger(B) || B < 1) {
    throw new RangeError(`beta-tcvae: batch size ${B}, expected a whole number >= 1`);
  }
  if (!Number.isInteger(N) || N < B) {
    throw new RangeError(
      `beta-tcvae: datasetSize ${N}, expected a whole number >= the batch size ${B}`,
    );
  }
  const out = new Float64Array(B * B);
  if (estimator === "mws") {
    return out.fill(-Math.log(N * B));
  }
  if (estimator !== "mss") {
    throw new RangeError(
      `beta-tcvae: estimator ${JSON.stringify(estimator)}, expected one of ${ESTIMATORS.join(", ")}`,
    );
  }
  if (B < 2) {
    throw new RangeError(
      `beta-tcvae: batch size ${B}, minibatch stratified sampling ("mss") needs at least 2`,
    );
  }
  const M = B - 1;
  out.fill(-Math.log(M));
  const logStratum = Math.log((N - M) / (N * M));
  for (let i = 0; i < B; i++) {
    out[i * B + i] = -Math.log(N);
    out[i * B + ((i + 1) % B)] = logStratum;
  }
  return out;
}
