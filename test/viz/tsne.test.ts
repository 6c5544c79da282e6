import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import fc from "fast-check";
import { trustworthiness } from "../../src/viz/trustworthiness.ts";
import { conditionalAffinities, jointAffinities, TSNE_DEFAULTS, tsne } from "../../src/viz/tsne.ts";

/** Written by tools/golden/viz_tsne.py (scikit-learn 1.2.1). */
const fixture = JSON.parse(
  readFileSync(new URL("./fixtures/tsne.json", import.meta.url), "utf8"),
) as {
  n: number;
  dims: number;
  points: number[];
  labels: number[];
  perplexity: number;
  affinities: {
    rows: number[];
    conditional: number[][];
    jointRowSums: number[];
    jointRows: number[][];
  };
  tsne: { kl: number; trustworthiness5: number };
  embeddings: Record<string, number[]>;
  trustworthiness: { embedding: string; nNeighbors: number; value: number }[];
};
const { n, dims } = fixture;
const points = Float32Array.from(fixture.points);

function assertClose(actual: ArrayLike<number>, expected: number[], tol: number, what: string) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    assert.ok(
      err <= tol,
      `${what}[${i}]: got ${actual[i]}, expected ${expected[i]} (error ${err})`,
    );
  }
}

test("trustworthiness equals sklearn.manifold.trustworthiness on fixed embeddings", () => {
  for (const { embedding, nNeighbors, value } of fixture.trustworthiness) {
    const got = trustworthiness(points, fixture.embeddings[embedding], n, dims, 2, nNeighbors);
    assert.ok(Math.abs(got - value) <= 1e-9, `${embedding}, k=${nNeighbors}: ${got} vs ${value}`);
  }
});

test("trustworthiness is 1 for an embedding that keeps every neighbourhood", () => {
  // Integer points under an exact similarity (power-of-two scale, integer shift, swapped axes):
  // every distance ordering, ties included, is kept.
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: -50, max: 50 })), {
        minLength: 12,
        maxLength: 30,
      }),
      fc.constantFrom(0.25, 0.5, 2, 8),
      fc.integer({ min: -5, max: 5 }),
      (rows, scale, shift) => {
        const x = rows.flat();
        const y = rows.flatMap(([a, b]) => [b * scale + shift, a * scale - shift]);
        assert.equal(trustworthiness(x, y, rows.length, 2, 2, 5), 1);
      },
    ),
    { numRuns: 30 },
  );
});

test("trustworthiness rejects n_neighbors >= n / 2 as sklearn", () => {
  assert.throws(() => trustworthiness([0, 1, 2, 3], [0, 1, 2, 3], 4, 1, 1, 2), RangeError);
});

test("input affinities match sklearn's binary search and joint P", () => {
  const { p } = conditionalAffinities(points, n, dims, fixture.perplexity);
  fixture.affinities.rows.forEach((row, k) => {
    assertClose(
      p.subarray(row * n, (row + 1) * n),
      fixture.affinities.conditional[k],
      1e-6,
      `p(.|${row})`,
    );
  });
  const joint = jointAffinities(points, n, dims, fixture.perplexity);
  const rowSums = Array.from({ length: n }, (_, i) =>
    joint.subarray(i * n, (i + 1) * n).reduce((a, b) => a + b, 0),
  );
  assertClose(rowSums, fixture.affinities.jointRowSums, 1e-9, "joint row sums");
  fixture.affinities.jointRows.forEach((expected, k) => {
    const row = fixture.affinities.rows[k];
    assertClose(joint.subarray(row * n, (row + 1) * n), expected, 1e-9, `P[${row}]`);
  });
});

test("t-SNE on the fixture reaches sklearn's KL (10%) and trustworthiness (0.02)", async () => {
  let calls = 0;
  const { embedding, kl } = await tsne(points, n, dims, { onProgress: () => calls++ });
  assert.equal(calls, TSNE_DEFAULTS.maxIter);
  assert.equal(embedding.length, 2 * n);
  assert.ok(embedding.every(Number.isFinite));
  const t = trustworthiness(points, embedding, n, dims, 2, 5);
  const relative = Math.abs(kl - fixture.tsne.kl) / fixture.tsne.kl;
  assert.ok(
    relative <= 0.1,
    `KL ${kl} vs sklearn ${fixture.tsne.kl} (${(100 * relative).toFixed(1)}%)`,
  );
  assert.ok(
    Math.abs(t - fixture.tsne.trustworthiness5) <= 0.02,
    `trustworthiness ${t} vs sklearn ${fixture.tsne.trustworthiness5}`,
  );
});

test("t-SNE is deterministic for a seed and the seed matters (random init)", async () => {
  const m = 60;
  const sub = points.subarray(0, m * dims);
  const options = { perplexity: 10, maxIter: 250, init: "random" as const };
  const a = await tsne(sub, m, dims, { ...options, seed: 7 });
  const b = await tsne(sub, m, dims, { ...options, seed: 7 });
  const c = await tsne(sub, m, dims, { ...options, seed: 8 });
  assert.deepEqual(a.embedding, b.embedding);
  assert.equal(a.kl, b.kl);
  assert.notDeepEqual(a.embedding, c.embedding);
});

test("t-SNE rejects bad input and options", async () => {
  await assert.rejects(tsne(new Float32Array(5), 3, 2), RangeError);
  await assert.rejects(tsne(new Float32Array(6), 3, 2, { perplexity: 3 }), RangeError);
  await assert.rejects(tsne(new Float32Array(6), 3, 2, { maxIter: 100 }), RangeError);
  await assert.rejects(tsne(Float32Array.of(0, Number.NaN, 1, 2), 2, 2), RangeError);
});
