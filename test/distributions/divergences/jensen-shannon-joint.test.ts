import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { DiagonalGaussianParams } from "../../../src/distributions/diagonal-gaussian.ts";
import {
  createDivergence,
  DEFAULT_JOINT_SAMPLES,
} from "../../../src/distributions/divergences/divergence.ts";
import { initEngine } from "../../../src/engine/device.ts";
import { type Array, grad, jit, numpy as np, random } from "../../../src/engine/jax.ts";
import { keyFromSeed } from "../../../src/engine/prng.ts";
import {
  type Gaussian1d,
  jensenShannonReference,
  jensenShannonReference2d,
  logNormal,
} from "./reference.ts";

await initEngine();

/** log 2 plus float32 rounding: a float32 estimate at saturation reads fround(log 2) > log 2. */
const LOG2_FLOAT32 = Math.LN2 + 1e-6;

const f32 = (v: number[]) => np.array(Float32Array.from(v));

/** The float32-representable version of g, so jax and the references see the same numbers. */
const representable = (g: Gaussian1d): Gaussian1d => ({
  mu: Math.fround(g.mu),
  sigma: Math.sqrt(Math.exp(Math.fround(2 * Math.log(g.sigma)))),
});

/** [T, Z] posteriors from T rows of Z representable 1-D Gaussians. */
function posteriors(rows: Gaussian1d[][], dtype = np.float32): DiagonalGaussianParams {
  const shape = [rows.length, rows[0].length];
  const make = (f: (g: Gaussian1d) => number) =>
    f32(rows.flat().map(f)).astype(dtype).reshape(shape);
  return { mu: make((g) => g.mu), logvar: make((g) => Math.fround(2 * Math.log(g.sigma))) };
}

const matrix = (rows: number[][], dtype = np.float32) =>
  f32(rows.flat()).astype(dtype).reshape([rows.length, rows[0].length]);

const logAddExp = (a: number, b: number) => Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));

/**
 * The Monte Carlo estimate of one row recomputed in float64 from the densities, with its
 * standard error: noise is the [2, S, T, Z] row-major data, t the row.
 */
function monteCarloReference(
  p: Gaussian1d[],
  q: Gaussian1d[],
  mask: number[],
  noise: ArrayLike<number>,
  samples: number,
  rows: number,
  t: number,
) {
  const z = p.length;
  const masked = (x: number[], g: Gaussian1d[]) =>
    x.reduce((sum, xh, h) => sum + mask[h] * logNormal(xh, g[h]), 0);
  // log ã(x) - log M̃(x), M̃ = (ã + b̃)/2, at S draws x ~ a.
  const terms = (half: number, a: Gaussian1d[], b: Gaussian1d[]) =>
    Float64Array.from({ length: samples }, (_, s) => {
      const x = a.map((g, h) => g.mu + g.sigma * noise[((half * samples + s) * rows + t) * z + h]);
      const la = masked(x, a);
      return la - (logAddExp(la, masked(x, b)) - Math.LN2);
    });
  const termP = terms(0, p, q);
  const termQ = terms(1, q, p);
  const mean = (xs: Float64Array) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = (xs: Float64Array) => {
    const m = mean(xs);
    return xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
  };
  return {
    estimate: 0.5 * mean(termP) + 0.5 * mean(termQ),
    standardError: 0.5 * Math.sqrt((variance(termP) + variance(termQ)) / samples),
  };
}

test("2-D reference: the grid quadrature equals the 1-D JS when the second dimensions agree", () => {
  const p: Gaussian1d = { mu: 0.2, sigma: 0.8 };
  const q: Gaussian1d = { mu: -0.5, sigma: 1.3 };
  const same: Gaussian1d = { mu: 0.4, sigma: 0.6 };
  const joint = jensenShannonReference2d([p, same], [q, same]);
  assert.ok(Math.abs(joint - jensenShannonReference(p, q)) < 1e-6, `${joint}`);
});

test("2-D joint JS matches grid quadrature within 4 standard errors; the per-dim sum differs by more than 5", async () => {
  const samples = 300_000;
  const js = createDivergence({ name: "jensen-shannon-joint", samples });
  const unit: Gaussian1d = { mu: 0, sigma: 1 };
  const cases = (
    [
      [
        [unit, unit],
        [
          { mu: 0.6, sigma: 1 },
          { mu: 0.6, sigma: 1 },
        ],
      ],
      [
        [unit, unit],
        [
          { mu: 1, sigma: 1 },
          { mu: 1, sigma: 1 },
        ],
      ],
      [
        [
          { mu: 0.3, sigma: 0.8 },
          { mu: -0.2, sigma: 1.2 },
        ],
        [
          { mu: -0.4, sigma: 1.1 },
          { mu: 0.5, sigma: 0.7 },
        ],
      ],
    ] as [Gaussian1d, Gaussian1d][][]
  ).map(([p, q]) => [p.map(representable), q.map(representable)] as [Gaussian1d[], Gaussian1d[]]);
  const rows = cases.length;
  const shape = js.noiseShape([rows, 2]) as number[];
  assert.deepEqual(shape, [2, samples, rows, 2]);
  const noise = random.normal(keyFromSeed(21), shape);
  const noiseData = await noise.ref.data();
  const got = await js
    .masked(
      posteriors(cases.map(([p]) => p)),
      posteriors(cases.map(([, q]) => q)),
      matrix(cases.map(() => [1, 1])),
      noise,
    )
    .data();
  for (let t = 0; t < rows; t++) {
    const [p, q] = cases[t];
    const quadrature = jensenShannonReference2d([p[0], p[1]], [q[0], q[1]]);
    const perDim = jensenShannonReference(p[0], q[0]) + jensenShannonReference(p[1], q[1]);
    const mc = monteCarloReference(p, q, [1, 1], noiseData, samples, rows, t);
    const summary = `case ${t}: quadrature joint ${quadrature.toFixed(5)}, per-dim sum ${perDim.toFixed(5)}, MC ${got[t].toFixed(5)} ± ${mc.standardError.toFixed(5)} (float64 ${mc.estimate.toFixed(5)})`;
    console.log(summary);
    assert.ok(Math.abs(got[t] - mc.estimate) < 5e-5, `jax vs float64 recomputation: ${summary}`);
    assert.ok(Math.abs(got[t] - quadrature) < 4 * mc.standardError, summary);
    assert.ok(
      Math.abs(perDim - quadrature) > 6 * mc.standardError,
      `indistinguishable: ${summary}`,
    );
  }
});

test("a binary mask selecting one of 3 dimensions gives that dimension's 1-D JS; the others do not matter", async () => {
  const samples = 50_000;
  const js = createDivergence({ name: "jensen-shannon-joint", samples });
  const p = [
    { mu: 0.3, sigma: 0.8 },
    { mu: -1, sigma: 1.5 },
    { mu: 2, sigma: 0.5 },
  ].map(representable);
  const q = [
    { mu: -0.4, sigma: 1.1 },
    { mu: 0.2, sigma: 0.6 },
    { mu: 1.2, sigma: 0.9 },
  ].map(representable);
  // Row h selects dimension h.
  const masks = [0, 1, 2].map((h) => [0, 1, 2].map((k) => (k === h ? 1 : 0)));
  const noise = random.normal(keyFromSeed(8), [2, samples, 3, 3]);
  const noiseData = await noise.ref.data();
  const got = await js
    .masked(posteriors([p, p, p]), posteriors([q, q, q]), matrix(masks), noise.ref)
    .data();
  // The unselected dimensions replaced by very different posteriors, on the same noise.
  const scramble = (g: Gaussian1d[], h: number, by: number) =>
    g.map((x, k) => (k === h ? x : representable({ mu: x.mu + 7 * by, sigma: x.sigma * 4 ** by })));
  const gotScrambled = await js
    .masked(
      posteriors([0, 1, 2].map((h) => scramble(p, h, 1))),
      posteriors([0, 1, 2].map((h) => scramble(q, h, -1))),
      matrix(masks),
      noise,
    )
    .data();
  for (let h = 0; h < 3; h++) {
    const oneD = jensenShannonReference(p[h], q[h]);
    const mc = monteCarloReference(p, q, masks[h], noiseData, samples, 3, h);
    const summary = `dim ${h}: MC ${got[h]} ± ${mc.standardError}, 1-D quadrature ${oneD}`;
    assert.ok(Math.abs(got[h] - mc.estimate) < 5e-5, `jax vs float64: ${summary}`);
    assert.ok(Math.abs(got[h] - oneD) < 4 * mc.standardError, summary);
    assert.ok(
      Math.abs(gotScrambled[h] - got[h]) < 1e-6,
      `scrambled: ${gotScrambled[h]}; ${summary}`,
    );
  }
});

test("bounded by log 2: far-apart posteriors in 4 selected dimensions give ≈ log 2, the per-dim sum ≈ 4·0.5", async () => {
  const samples = 2000;
  const js = createDivergence({ name: "jensen-shannon-joint", samples });
  const perDim = createDivergence({ name: "jensen-shannon-per-dim", estimator: "gauss-hermite" });
  const p = () => ({ mu: matrix([[0, 0, 0, 0, 0]]), logvar: matrix([[0, 0, 0, 0, 0]]) });
  const q = () => ({ mu: matrix([[3, -3, 3, -3, 9]]), logvar: matrix([[0, 0, 0, 0, 0]]) });
  const mask = () => matrix([[1, 1, 1, 1, 0]]);
  const joint = (
    await js.masked(p(), q(), mask(), random.normal(keyFromSeed(2), [2, samples, 1, 5])).data()
  )[0];
  const sum = (await perDim.masked(p(), q(), mask()).data())[0];
  // Offset 6σ in 4 dimensions: 1 - overlap of N(0, 1) and N(6, 1) is tiny, JS = log 2 - O(1e-3).
  assert.ok(joint <= LOG2_FLOAT32 && joint > Math.LN2 - 0.01, `joint ${joint}`);
  assert.ok(sum > 1.5, `per-dim sum ${sum}`);

  const gaussian = fc.record({
    mu: fc.float({ min: -5, max: 5, noNaN: true }),
    logvar: fc.float({ min: -6, max: 4, noNaN: true }),
  });
  const small = createDivergence({ name: "jensen-shannon-joint", samples: 4 });
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(gaussian, gaussian, fc.boolean()), { minLength: 12, maxLength: 12 }),
      fc.integer({ min: 0, max: 1000 }),
      async (entries, seed) => {
        // 4 rows of 3 dimensions.
        const col = (f: (e: (typeof entries)[number]) => number) =>
          f32(entries.map(f)).reshape([4, 3]);
        const out = await small
          .masked(
            { mu: col(([a]) => a.mu), logvar: col(([a]) => a.logvar) },
            { mu: col(([, b]) => b.mu), logvar: col(([, b]) => b.logvar) },
            col(([, , m]) => (m ? 1 : 0)),
            random.normal(keyFromSeed(seed), [2, 4, 4, 3]),
          )
          .data();
        for (const v of out) assert.ok(Number.isFinite(v) && v <= LOG2_FLOAT32, `${out}`);
      },
    ),
    { numRuns: 20, seed: 3 },
  );
});

test("symmetric (with the two noise halves swapped) and zero for identical posteriors, also under soft masks", async () => {
  const samples = 16;
  const js = createDivergence({ name: "jensen-shannon-joint", samples });
  const gaussian = fc.record({
    mu: fc.float({ min: -5, max: 5, noNaN: true }),
    logvar: fc.float({ min: -6, max: 4, noNaN: true }),
  });
  const rows = 4;
  const dims = 3;
  // JS(p, q; [εp, εq]), JS(q, p; [εq, εp]) and JS(p, p; [εp, εq]), concatenated.
  const evaluateAll = jit(
    (pm: Array, pl: Array, qm: Array, ql: Array, m: Array, noise: Array, swapped: Array) =>
      np.concatenate([
        js.masked({ mu: pm.ref, logvar: pl.ref }, { mu: qm.ref, logvar: ql.ref }, m.ref, noise.ref),
        js.masked({ mu: qm, logvar: ql }, { mu: pm.ref, logvar: pl.ref }, m.ref, swapped),
        js.masked({ mu: pm.ref, logvar: pl.ref }, { mu: pm, logvar: pl }, m, noise),
      ]),
  );
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(gaussian, gaussian, fc.float({ min: 0, max: 3, noNaN: true })), {
        minLength: rows * dims,
        maxLength: rows * dims,
      }),
      fc.integer({ min: 0, max: 1000 }),
      async (entries, seed) => {
        const col = (f: (e: (typeof entries)[number]) => number) =>
          f32(entries.map(f)).reshape([rows, dims]);
        const half = samples * rows * dims;
        const eps = await random.normal(keyFromSeed(seed), [2 * half]).data();
        const noise = (data: Float32Array) => np.array(data).reshape([2, samples, rows, dims]);
        const swapped = new Float32Array(2 * half);
        swapped.set(eps.subarray(half), 0);
        swapped.set(eps.subarray(0, half), half);
        const out = await evaluateAll(
          col(([a]) => a.mu),
          col(([a]) => a.logvar),
          col(([, b]) => b.mu),
          col(([, b]) => b.logvar),
          col(([, , m]) => m),
          noise(Float32Array.from(eps)),
          noise(swapped),
        ).data();
        for (let t = 0; t < rows; t++) {
          const [forward, backward, self] = [0, 1, 2].map((k) => out[k * rows + t]);
          assert.ok(
            Math.abs(forward - backward) <= 1e-6 * Math.max(1, Math.abs(forward)),
            `asymmetric: ${forward} vs ${backward}`,
          );
          assert.ok(Math.abs(self) <= 1e-6, `JS(p, p) = ${self}`);
        }
      },
    ),
    { numRuns: 15, seed: 5 },
  );
});

test("gradients in means, log-variances and soft masks equal central differences of the float64 estimate", async () => {
  const samples = 32;
  const js = createDivergence({ name: "jensen-shannon-joint", samples });
  const noise = random.normal(keyFromSeed(13), [2, samples, 1, 3]).astype(np.float64);
  const noiseData = await noise.ref.data();
  // θ = [mu_p (3), logvar_p (3), mu_q (3), logvar_q (3), mask (3)].
  const theta = [0.3, -0.5, 1, -0.4, 0.2, 0.5, -0.6, 0.4, 0.2, 0.3, -0.7, 0.1, 0.4, 1, 1.6].map(
    Math.fround,
  );
  const value = (t: number[]) =>
    monteCarloReference(
      [0, 1, 2].map((h) => ({ mu: t[h], sigma: Math.exp(t[3 + h] / 2) })),
      [0, 1, 2].map((h) => ({ mu: t[6 + h], sigma: Math.exp(t[9 + h] / 2) })),
      t.slice(12, 15),
      noiseData,
      samples,
      1,
      0,
    ).estimate;
  const g = grad((t: Array) => {
    const part = (k: number) => t.ref.slice([3 * k, 3 * k + 3]).reshape([1, 3]);
    const result = js.masked(
      { mu: part(0), logvar: part(1) },
      { mu: part(2), logvar: part(3) },
      part(4),
      noise.ref,
    );
    t.dispose();
    return np.sum(result);
  });
  const got = await g(f32(theta).astype(np.float64)).data();
  noise.dispose();
  const h = 1e-5;
  for (let k = 0; k < theta.length; k++) {
    const up = theta.slice();
    const down = theta.slice();
    up[k] += h;
    down[k] -= h;
    const fd = (value(up) - value(down)) / (2 * h);
    assert.ok(Math.abs(got[k] - fd) < 1e-6 + 1e-5 * Math.abs(fd), `d/dθ${k}: ${got[k]} vs ${fd}`);
  }
  // The masks do get gradients.
  for (let k = 12; k < 15; k++) assert.ok(Math.abs(got[k]) > 1e-4, `mask gradient ${got[k]}`);
});

test("value and gradients stay finite at extreme posteriors and mask weights", async () => {
  const js = createDivergence({ name: "jensen-shannon-joint", samples: 8 });
  const noise = random.normal(keyFromSeed(17), [2, 8, 1, 5]);
  const loss = (mu: Array, masks: Array) =>
    np.sum(
      js.masked(
        { mu, logvar: matrix([[-12, 10, -12, 8, 0]]) },
        { mu: matrix([[0, 0, 0, 0, 0]]), logvar: matrix([[10, -12, 10, -12, 0]]) },
        masks,
        noise.ref,
      ),
    );
  const mu = [[0, 0, 100, -50, 0]];
  const masks = [[0, 1, 5, 0.5, 20]];
  const value = await loss(matrix(mu), matrix(masks)).data();
  assert.ok(Number.isFinite(value[0]) && value[0] <= LOG2_FLOAT32, `${value[0]}`);
  const [gMu, gMasks] = grad(loss, { argnums: [0, 1] })(matrix(mu), matrix(masks));
  for (const v of [...(await gMu.data()), ...(await gMasks.data())]) {
    assert.ok(Number.isFinite(v), `gradient ${v}`);
  }
  noise.dispose();
});

test("createDivergence: jensen-shannon-joint's samples, noise shape, and its errors", () => {
  const d = createDivergence({ name: "jensen-shannon-joint" });
  assert.equal(d.kind, "joint");
  assert.deepEqual(d.noiseShape([5, 3]), [2, DEFAULT_JOINT_SAMPLES, 5, 3]);
  assert.deepEqual(
    createDivergence({ name: "jensen-shannon-joint", samples: 3 }).noiseShape([5, 3]),
    [2, 3, 5, 3],
  );
  for (const samples of [0, 1.5]) {
    assert.throws(
      () => createDivergence({ name: "jensen-shannon-joint", samples }),
      new RegExp(`jensen-shannon-joint: samples is ${samples}, expected a whole number >= 1`),
    );
  }
  const g = () => ({ mu: matrix([[0, 1]]), logvar: matrix([[0, 0]]) });
  assert.throws(
    () => d.masked(g(), g(), matrix([[1, 1]])),
    /jensen-shannon-joint: needs standard normal noise of shape \[2, 8, 1, 2\]/,
  );
  assert.throws(
    () => d.masked(g(), g(), matrix([[1, 1]]), np.zeros([2, 8, 2])),
    /noise has shape \[2,8,2\], expected \[2,8,1,2\]/,
  );
  assert.throws(
    () => d.masked(g(), g(), matrix([[1, 1, 1]]), np.zeros([2, 8, 1, 2])),
    /masks have shape \[1,3\], expected the posteriors' shape \[1,2\]/,
  );
});
