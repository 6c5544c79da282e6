/**
 * Trustworthiness of an embedding (Venna & Kaski 2001, "Neighborhood preservation in nonlinear
 * projection methods: An experimental study", ICANN), exactly as
 * `sklearn.manifold.trustworthiness` (Euclidean metric in both spaces):
 *
 *   T(k) = 1 - 2 / (n k (2n - 3k - 1)) * sum_i sum_{j in U_k(i)} (r(i, j) - k),
 *
 * where U_k(i) are the k nearest neighbours of i in the embedding that are not among its k
 * nearest in the input, and r(i, j) is the rank of j among i's input-space neighbours (1 =
 * nearest, the point itself excluded). Ties in distance are broken by index (sklearn's
 * argsort is unstable there; no tie occurs with continuous data). Pure JS, O(n^2 (d + log n)).
 */

/** Squared Euclidean distance between rows i and j of a row-major matrix with `dims` columns. */
function squared(x: ArrayLike<number>, dims: number, i: number, j: number): number {
  let s = 0;
  for (let k = 0; k < dims; k++) {
    const t = x[i * dims + k] - x[j * dims + k];
    s += t * t;
  }
  return s;
}

/** Indices of the other points sorted by distance from `i` (then by index). */
function neighbourOrder(
  x: ArrayLike<number>,
  n: number,
  dims: number,
  i: number,
  dist: Float64Array,
  order: number[],
): number[] {
  order.length = 0;
  for (let j = 0; j < n; j++) {
    if (j === i) continue;
    dist[j] = squared(x, dims, i, j);
    order.push(j);
  }
  return order.sort((a, b) => dist[a] - dist[b] || a - b);
}

/**
 * sklearn.manifold.trustworthiness(X, X_embedded, n_neighbors) for `n` points given row-major:
 * `points` [n, dims], `embedding` [n, embeddingDims]. Requires nNeighbors < n / 2 as sklearn.
 */
export function trustworthiness(
  points: ArrayLike<number>,
  embedding: ArrayLike<number>,
  n: number,
  dims: number,
  embeddingDims: number,
  nNeighbors = 5,
): number {
  if (!(Number.isInteger(n) && n >= 2)) throw new RangeError(`n must be an integer >= 2, got ${n}`);
  if (points.length !== n * dims) {
    throw new RangeError(`points: ${points.length} values, expected n * dims = ${n * dims}`);
  }
  if (embedding.length !== n * embeddingDims) {
    throw new RangeError(
      `embedding: ${embedding.length} values, expected n * embeddingDims = ${n * embeddingDims}`,
    );
  }
  if (!(Number.isInteger(nNeighbors) && nNeighbors >= 1 && nNeighbors < n / 2)) {
    throw new RangeError(
      `nNeighbors must be an integer in [1, n / 2) = [1, ${n / 2}), got ${nNeighbors}`,
    );
  }
  const k = nNeighbors;
  const dist = new Float64Array(n);
  const order: number[] = [];
  const rank = new Int32Array(n);
  let penalty = 0;
  for (let i = 0; i < n; i++) {
    const input = neighbourOrder(points, n, dims, i, dist, order);
    for (let r = 0; r < input.length; r++) rank[input[r]] = r + 1;
    const embedded = neighbourOrder(embedding, n, embeddingDims, i, dist, order);
    for (let r = 0; r < k; r++) {
      const excess = rank[embedded[r]] - k;
      if (excess > 0) penalty += excess;
    }
  }
  return 1 - penalty * (2 / (n * k * (2 * n - 3 * k - 1)));
}
