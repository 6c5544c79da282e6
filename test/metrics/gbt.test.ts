import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../src/data/random.ts";
import {
  fitGbtClassifier,
  fitGbtRegressor,
  gbtPredictClass,
  gbtPredictRaw,
} from "../../src/metrics/gbt.ts";

function data(n: number, d: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: n * d }, () => rng.nextFloat() * 2 - 1);
}

test("one stump with learning rate 1 predicts the side means of the brute-force best split", () => {
  const n = 40;
  const d = 2;
  const x = data(n, d, 1);
  const y = Float64Array.from({ length: n }, (_, i) => Math.sin(3 * x[i * d + 1]) + 0.3 * x[i * d]);
  const model = fitGbtRegressor(x, d, y, { stages: 1, maxDepth: 1, learningRate: 1 });
  // brute force over every feature and every split between sorted values
  let best = { sse: Number.POSITIVE_INFINITY, j: 0, t: 0 };
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) {
      const t = x[i * d + j];
      const left: number[] = [];
      const right: number[] = [];
      for (let r = 0; r < n; r++) (x[r * d + j] <= t ? left : right).push(y[r]);
      if (right.length === 0) continue;
      const sse = [left, right].reduce((s, side) => {
        const m = side.reduce((a, b) => a + b, 0) / side.length;
        return s + side.reduce((a, b) => a + (b - m) ** 2, 0);
      }, 0);
      if (sse < best.sse) best = { sse, j, t };
    }
  }
  const pred = gbtPredictRaw(model, x, d);
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (y[i] - pred[i]) ** 2;
  assert.ok(Math.abs(sse - best.sse) < 1e-9, `stump SSE ${sse}, brute force ${best.sse}`);
  assert.equal(model.importance[best.j], 1);
});

test("boosted regression fits a smooth function of one feature and credits that feature", () => {
  const n = 400;
  const d = 3;
  const x = data(n, d, 2);
  const y = Float64Array.from({ length: n }, (_, i) => Math.sin(3 * x[i * d + 2]));
  const model = fitGbtRegressor(x, d, y, { stages: 60 });
  const pred = gbtPredictRaw(model, x, d);
  let sse = 0;
  let sst = 0;
  for (let i = 0; i < n; i++) {
    sse += (y[i] - pred[i]) ** 2;
    sst += y[i] ** 2;
  }
  assert.ok(sse / sst < 0.02, `relative SSE ${sse / sst}`);
  assert.ok(model.importance[2] > 0.9, `importance ${model.importance}`);
});

test("boosted classification separates classes defined by thresholds on one feature", () => {
  const n = 200; // < maxBins distinct values: every midpoint is a candidate
  const d = 2;
  const x = data(n, d, 3);
  const labels = Int32Array.from({ length: n }, (_, i) =>
    x[i * d] < -0.3 ? 0 : x[i * d] < 0.4 ? 2 : 3,
  );
  const model = fitGbtClassifier(x, d, labels, 4, { stages: 20, maxBins: 256 });
  assert.deepEqual(Array.from(gbtPredictClass(model, x, d)), Array.from(labels));
  assert.ok(model.importance[0] > 0.99);
  const test = Float64Array.from([-0.9, 0, 0, 0.9, 0.9, -0.9]);
  assert.deepEqual(Array.from(gbtPredictClass(model, test, d)), [0, 2, 3]);
});
