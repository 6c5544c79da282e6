import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../src/data/random.ts";
import { umap } from "../../src/viz/umap.ts";

/** Two tight clusters of 40 points in 5-D, 100 apart. */
function twoClusters(): { points: Float64Array; n: number; dims: number } {
  const n = 80;
  const dims = 5;
  const rng = new Rng(3);
  const points = new Float64Array(n * dims);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < dims; k++) points[i * dims + k] = (i < n / 2 ? 0 : 100) + rng.nextFloat();
  }
  return { points, n, dims };
}

test("umap returns a finite [n, 2] embedding that separates two far clusters, same for a seed", async () => {
  const { points, n, dims } = twoClusters();
  let last = 0;
  const { embedding } = await umap(points, n, dims, {
    nNeighbors: 10,
    seed: 1,
    onProgress: (e) => (last = e),
  });
  assert.equal(embedding.length, 2 * n);
  assert.ok(embedding.every(Number.isFinite));
  assert.ok(last > 0);
  const centroid = (from: number) => {
    const c = [0, 0];
    for (let i = from; i < from + n / 2; i++)
      for (let k = 0; k < 2; k++) c[k] += embedding[2 * i + k] / (n / 2);
    return c;
  };
  const spread = (from: number, c: number[]) => {
    let s = 0;
    for (let i = from; i < from + n / 2; i++)
      s = Math.max(s, Math.hypot(embedding[2 * i] - c[0], embedding[2 * i + 1] - c[1]));
    return s;
  };
  const a = centroid(0);
  const b = centroid(n / 2);
  const gap = Math.hypot(a[0] - b[0], a[1] - b[1]);
  assert.ok(gap > spread(0, a) + spread(n / 2, b), `clusters overlap: gap ${gap}`);
  const again = await umap(points, n, dims, { nNeighbors: 10, seed: 1 });
  assert.deepEqual(again.embedding, embedding);
});

test("umap rejects nNeighbors >= n", async () => {
  await assert.rejects(umap(new Float64Array(10), 5, 2, { nNeighbors: 5 }), RangeError);
});
