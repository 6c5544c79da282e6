import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { fitLogistic, fitOneVsRest, predictProba } from "../../src/metrics/logistic.ts";

test("unregularised fit on two x values recovers the empirical log-odds (closed form)", () => {
  // x=+1: 3 of 4 positive; x=-1: 1 of 4 positive => w + b = log 3, -w + b = -log 3
  const x = Float64Array.from([1, 1, 1, 1, -1, -1, -1, -1]);
  const y = [1, 1, 1, 0, 1, 0, 0, 0];
  const m = fitLogistic(x, 1, y, { c: 1e12 });
  assert.ok(Math.abs(m.weights[0] - Math.log(3)) < 1e-6, `w ${m.weights[0]}`);
  assert.ok(Math.abs(m.bias) < 1e-6, `b ${m.bias}`);
});

test("the L2 fit is a stationary point of the penalised log-loss", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 1e6 }),
      fc.double({ min: 0.1, max: 10, noNaN: true }),
      (seed, c) => {
        let s = seed;
        const rand = () => {
          s = (s * 1103515245 + 12345) % 2147483648;
          return s / 2147483648;
        };
        const n = 40;
        const d = 3;
        const x = Float64Array.from({ length: n * d }, () => rand() * 4 - 2);
        const y = Array.from({ length: n }, (_, i) => (x[i * d] + rand() > 0.5 ? 1 : 0));
        if (!y.includes(0) || !y.includes(1)) return;
        const m = fitLogistic(x, d, y, { c });
        const grad = new Float64Array(d + 1);
        for (let i = 0; i < n; i++) {
          let t = m.bias;
          for (let j = 0; j < d; j++) t += m.weights[j] * x[i * d + j];
          const r = 1 / (1 + Math.exp(-t)) - y[i];
          for (let j = 0; j < d; j++) grad[j] += r * x[i * d + j];
          grad[d] += r;
        }
        for (let j = 0; j < d; j++) grad[j] += m.weights[j] / c;
        for (const g of grad) assert.ok(Math.abs(g) < 1e-6, `gradient ${grad}`);
      },
    ),
    { numRuns: 25 },
  );
});

test("one-vs-rest probabilities are normalised, zero for an absent class", () => {
  const x = Float64Array.from([0, 1, 2, 3, 4, 5]);
  const model = fitOneVsRest(x, 1, { labels: Int32Array.from([0, 0, 2, 2, 3, 3]), classes: 4 });
  assert.equal(model.models[1], null);
  const p = predictProba(model, x, 1);
  for (let i = 0; i < 6; i++) {
    const row = p.subarray(i * 4, i * 4 + 4);
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    assert.equal(row[1], 0);
  }
  // a single training class predicts that class with certainty
  const only = fitOneVsRest(x, 1, { labels: new Int32Array(6).fill(2), classes: 3 });
  assert.deepEqual(Array.from(predictProba(only, x.subarray(0, 1), 1)), [0, 0, 1]);
});
