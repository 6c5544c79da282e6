import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  canonicalDivergenceName,
  createDivergence,
} from "../../../src/distributions/divergences/divergence.ts";
import { initEngine } from "../../../src/engine/device.ts";
import { type Array, grad, jit, numpy as np, random } from "../../../src/engine/jax.ts";
import { keyFromSeed } from "../../../src/engine/prng.ts";
import { type Gaussian1d, jensenShannonReference, logNormal } from "./reference.ts";

await initEngine();

const f32 = (v: number[]) => np.array(Float32Array.from(v));
const f64 = (v: number[]) => f32(v).astype(np.float64);

/** Grid of pairs: p = N(0, 1), q = N(offset, ratio²), offsets 0..6σ, σ ratios 1/30..30. */
const CASES: [Gaussian1d, Gaussian1d][] = [];
for (const offset of [0, 0.3, 1, 3, 6]) {
  for (const sigma of [1, 0.7, 0.3, 0.1, 1 / 30, 3, 30]) {
    // Float32-representable parameters, so jax and the reference see the same numbers.
    CASES.push([
      { mu: 0, sigma: 1 },
      { mu: Math.fround(offset), sigma: Math.sqrt(Math.exp(Math.fround(2 * Math.log(sigma)))) },
    ]);
  }
}
const REFERENCE = CASES.map(([p, q]) => jensenShannonReference(p, q));

/**
 * Central differences (h = 1e-4) of the Simpson reference with respect to
 * θ = [mu_p, logvar_p, mu_q, logvar_q].
 */
function referenceGradient(theta: number[]): number[] {
  const value = (t: number[]) =>
    jensenShannonReference(
      { mu: t[0], sigma: Math.exp(t[1] / 2) },
      { mu: t[2], sigma: Math.exp(t[3] / 2) },
    );
  const h = 1e-4;
  return theta.map((_, k) => {
    const up = theta.slice();
    const down = theta.slice();
    up[k] += h;
    down[k] -= h;
    return (value(up) - value(down)) / (2 * h);
  });
}

function asArrays(cases: [Gaussian1d, Gaussian1d][], make: (v: number[]) => Array) {
  const logvar = (g: Gaussian1d) => Math.fround(2 * Math.log(g.sigma));
  return {
    p: { mu: make(cases.map(([p]) => p.mu)), logvar: make(cases.map(([p]) => logvar(p))) },
    q: { mu: make(cases.map(([, q]) => q.mu)), logvar: make(cases.map(([, q]) => logvar(q))) },
  };
}

test("Simpson reference: JS(N(0,1), N(0,1)) = 0, far apart -> log 2, and a value from its definition", () => {
  assert.ok(Math.abs(jensenShannonReference({ mu: 0, sigma: 1 }, { mu: 0, sigma: 1 })) < 1e-14);
  assert.ok(
    Math.abs(jensenShannonReference({ mu: 0, sigma: 1 }, { mu: 60, sigma: 1 }) - Math.LN2) < 1e-12,
  );
});

test("Gauss-Hermite JS matches Simpson integration (float64 inputs, 32 points: |err| < 1e-5)", async () => {
  const js = createDivergence({
    name: "jensen-shannon-per-dim",
    estimator: "gauss-hermite",
    points: 32,
  });
  const { p, q } = asArrays(CASES, f64);
  const got = await js.evaluate(p, q).data();
  let worst = 0;
  for (let i = 0; i < CASES.length; i++) worst = Math.max(worst, Math.abs(got[i] - REFERENCE[i]));
  assert.ok(worst < 1e-5, `max |GH - Simpson| = ${worst}`);
});

test("Gauss-Hermite JS (default 24 points, float32) matches Simpson within 3e-5", async () => {
  const js = createDivergence({ name: "jensen-shannon-per-dim", estimator: "gauss-hermite" });
  const { p, q } = asArrays(CASES, f32);
  const got = await js.evaluate(p, q).data();
  for (let i = 0; i < CASES.length; i++) {
    assert.ok(
      Math.abs(got[i] - REFERENCE[i]) < 3e-5,
      `case ${JSON.stringify(CASES[i])}: GH ${got[i]} vs Simpson ${REFERENCE[i]}`,
    );
  }
});

test("Gauss-Hermite JS gradients match central differences of the Simpson reference", async () => {
  const js = createDivergence({
    name: "jensen-shannon-per-dim",
    estimator: "gauss-hermite",
    points: 32,
  });
  const picks = [
    [0.2, -0.3, 0.9, 0.4],
    [0, 0, 1.5, -1.2],
    [-0.5, 0.8, 0.1, 0.7],
  ]; // mu_p, logvar_p, mu_q, logvar_q
  const gradient = jit(
    grad((t: Array) => {
      const [a, b, c, d] = [t.ref.slice(0), t.ref.slice(1), t.ref.slice(2), t.slice(3)];
      return np.sum(js.evaluate({ mu: a, logvar: b }, { mu: c, logvar: d }));
    }),
  );
  for (const pick of picks) {
    const theta = pick.map(Math.fround);
    const fd = referenceGradient(theta);
    const g = gradient(f64(theta));
    const got = await g.data();
    for (let k = 0; k < 4; k++) {
      assert.ok(
        Math.abs(got[k] - fd[k]) < 1e-5,
        `theta ${theta}, d/dθ${k}: grad ${got[k]} vs fd ${fd[k]}`,
      );
    }
  }
});

test("JS properties (Gauss-Hermite): symmetric, in [0, log 2], zero for identical posteriors", async () => {
  const js = createDivergence({ name: "jensen-shannon-per-dim", estimator: "gauss-hermite" });
  const gaussian = fc.record({
    mu: fc.float({ min: -5, max: 5, noNaN: true }),
    logvar: fc.float({ min: -8, max: 4, noNaN: true }),
  });
  // One compiled function: JS(p, q), JS(q, p) and JS(p, p), concatenated.
  const evaluateBoth = jit((pm: Array, pl: Array, qm: Array, ql: Array) =>
    np.concatenate([
      js.evaluate({ mu: pm.ref, logvar: pl.ref }, { mu: qm.ref, logvar: ql.ref }),
      js.evaluate({ mu: qm, logvar: ql }, { mu: pm.ref, logvar: pl.ref }),
      js.evaluate({ mu: pm.ref, logvar: pl.ref }, { mu: pm, logvar: pl }),
    ]),
  );
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(gaussian, gaussian), { minLength: 16, maxLength: 16 }),
      async (pairs) => {
        const col = (f: (pq: (typeof pairs)[number]) => number) => f32(pairs.map(f));
        const out = await evaluateBoth(
          col(([p]) => p.mu),
          col(([p]) => p.logvar),
          col(([, q]) => q.mu),
          col(([, q]) => q.logvar),
        ).data();
        const [forward, backward, self] = [0, 1, 2].map((k) => out.subarray(16 * k, 16 * k + 16));
        for (let i = 0; i < pairs.length; i++) {
          assert.ok(
            Math.abs(forward[i] - backward[i]) <= 1e-6,
            `asymmetric: ${forward[i]} vs ${backward[i]}`,
          );
          assert.ok(
            forward[i] >= -1e-6 && forward[i] <= Math.LN2 + 1e-6,
            `out of [0, log 2]: ${forward[i]}`,
          );
          assert.ok(Math.abs(self[i]) <= 1e-6, `JS(p, p) = ${self[i]}`);
        }
      },
    ),
    { numRuns: 20, seed: 7 },
  );
});

test("JS stays finite, with finite gradients, at extreme posteriors", async () => {
  const js = createDivergence({
    name: "jensen-shannon-per-dim",
    estimator: "gauss-hermite",
    points: 64,
  });
  const mu = [0, 0, 100, -50, 0];
  const lv = [-12, 10, -12, 8, 0];
  const lv2 = [10, -12, 10, -12, 0];
  const loss = (m: Array) =>
    np.sum(js.evaluate({ mu: m, logvar: f32(lv) }, { mu: f32([0, 0, 0, 0, 0]), logvar: f32(lv2) }));
  const value = await loss(f32(mu)).data();
  const g = await grad(loss)(f32(mu)).data();
  assert.ok(Number.isFinite(value[0]));
  for (const v of g) assert.ok(Number.isFinite(v), `gradient ${g}`);
});

/** The Monte Carlo estimate recomputed from the same noise in float64, from the densities. */
function monteCarloReference(
  p: Gaussian1d,
  q: Gaussian1d,
  epsP: ArrayLike<number>,
  epsQ: ArrayLike<number>,
) {
  const termP = Float64Array.from(epsP, (e) => {
    const z = p.mu + p.sigma * e;
    const a = Math.exp(logNormal(z, p));
    return Math.log((2 * a) / (a + Math.exp(logNormal(z, q))));
  });
  const termQ = Float64Array.from(epsQ, (e) => {
    const z = q.mu + q.sigma * e;
    const b = Math.exp(logNormal(z, q));
    return Math.log((2 * b) / (b + Math.exp(logNormal(z, p))));
  });
  const n = termP.length;
  const mean = (xs: Float64Array) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = (xs: Float64Array) => {
    const m = mean(xs);
    return xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
  };
  return {
    estimate: 0.5 * mean(termP) + 0.5 * mean(termQ),
    standardError: 0.5 * Math.sqrt((variance(termP) + variance(termQ)) / n),
  };
}

test("Monte Carlo JS: equals the float64 recomputation on its noise and is within 4 SE of Simpson", async () => {
  const samples = 4000;
  const js = createDivergence({
    name: "jensen-shannon-per-dim",
    estimator: "monte-carlo",
    samples,
  });
  const cases = CASES.filter(([, q]) => q.sigma >= 0.1 && q.sigma <= 3);
  const shape = js.noiseShape([cases.length]);
  assert.deepEqual(shape, [2, samples, cases.length]);
  const noise = random.normal(keyFromSeed(3), shape as number[]);
  const noiseData = await noise.ref.data();
  const { p, q } = asArrays(cases, f32);
  const got = await js.evaluate(p, q, noise).data();
  for (let i = 0; i < cases.length; i++) {
    const column = (half: number) =>
      Float64Array.from(
        { length: samples },
        (_, s) => noiseData[(half * samples + s) * cases.length + i],
      );
    const ref = monteCarloReference(cases[i][0], cases[i][1], column(0), column(1));
    assert.ok(
      Math.abs(got[i] - ref.estimate) < 2e-5,
      `case ${i}: jax ${got[i]} vs float64 ${ref.estimate}`,
    );
    // 4 standard errors, plus 1e-5 for far-apart pairs whose rare overlaps the SE misses.
    const err = Math.abs(ref.estimate - REFERENCE[CASES.indexOf(cases[i])]);
    assert.ok(
      err < 4 * ref.standardError + 1e-5,
      `case ${JSON.stringify(cases[i])}: MC ${ref.estimate} is ${err} (SE ${ref.standardError}) from Simpson`,
    );
  }
});

test("Monte Carlo JS gradient approaches the Simpson reference's gradient", async () => {
  const samples = 20000;
  const js = createDivergence({
    name: "jensen-shannon-per-dim",
    estimator: "monte-carlo",
    samples,
  });
  const theta = [0.3, -0.4, -0.2, 0.5].map(Math.fround);
  const fd = referenceGradient(theta);
  const noise = random.normal(keyFromSeed(11), [2, samples, 1]);
  const g = grad((t: Array) => {
    const [a, b, c, d] = [
      t.ref.slice([0, 1]),
      t.ref.slice([1, 2]),
      t.ref.slice([2, 3]),
      t.slice([3, 4]),
    ];
    return np.sum(js.evaluate({ mu: a, logvar: b }, { mu: c, logvar: d }, noise));
  })(f32(theta));
  const got = await g.data();
  for (let k = 0; k < 4; k++) {
    assert.ok(Math.abs(got[k] - fd[k]) < 0.01, `d/dθ${k}: MC grad ${got[k]} vs reference ${fd[k]}`);
  }
});

test("createDivergence rejects bad configs and missing or misshapen noise", () => {
  assert.throws(
    () =>
      createDivergence({ name: "jensen-shannon-per-dim", estimator: "gauss-hermite", points: 1 }),
    /points is 1, expected a whole number in \[2, 100\]/,
  );
  assert.throws(
    () =>
      createDivergence({ name: "jensen-shannon-per-dim", estimator: "monte-carlo", samples: 0 }),
    /samples is 0, expected a whole number >= 1/,
  );
  assert.throws(
    () => createDivergence({ name: "nope" } as never),
    /name is "nope", expected one of jensen-shannon-per-dim, jensen-shannon-joint/,
  );
  const mc = createDivergence({
    name: "jensen-shannon-per-dim",
    estimator: "monte-carlo",
    samples: 3,
  });
  const g = () => ({ mu: f32([0, 1]), logvar: f32([0, 0]) });
  assert.throws(() => mc.evaluate(g(), g()), /needs standard normal noise of shape \[2, 3/);
  assert.throws(
    () => mc.evaluate(g(), g(), np.zeros([2, 3, 5])),
    /noise has shape \[2,3,5\], expected \[2,3,2\]/,
  );
});

test("canonicalDivergenceName maps the legacy name jensen-shannon to jensen-shannon-per-dim only", () => {
  assert.equal(canonicalDivergenceName("jensen-shannon"), "jensen-shannon-per-dim");
  for (const name of ["jensen-shannon-per-dim", "jensen-shannon-joint", "symmetric-kl", "nope"]) {
    assert.equal(canonicalDivergenceName(name), name);
  }
});

test("masked per-dimension JS is Σ_h m_h JS_h, for Gauss-Hermite and for Monte Carlo on the same noise", async () => {
  // Rows of [2, 3] posteriors, with non-binary weights.
  const pm = [0.1, -0.4, 1.2, 0.5, 0, -1];
  const pl = [-0.5, 0.2, 0, 0.3, -1, 0.6];
  const qm = [0.6, 0.3, -0.2, 0.5, 2, -0.4];
  const ql = [-0.2, -0.6, 0.4, 0.1, 0.5, -0.3];
  const m = [0.7, 1.3, 0, 2, 0.25, 1];
  const mat = (v: number[]) => f32(v).reshape([2, 3]);
  const pair = () => [
    { mu: mat(pm), logvar: mat(pl) },
    { mu: mat(qm), logvar: mat(ql) },
  ];
  const gh = createDivergence({ name: "jensen-shannon-per-dim", estimator: "gauss-hermite" });
  const mc = createDivergence({
    name: "jensen-shannon-per-dim",
    estimator: "monte-carlo",
    samples: 5,
  });
  const noise = random.normal(keyFromSeed(4), mc.noiseShape([2, 3]) as number[]);
  for (const [d, n] of [
    [gh, undefined],
    [mc, noise],
  ] as const) {
    const [p1, q1] = pair();
    const perElement = await d.evaluate(p1, q1, n?.ref).data();
    const [p2, q2] = pair();
    const masked = await d.masked(p2, q2, mat(m), n?.ref).data();
    assert.deepEqual(masked.length, 2);
    for (let t = 0; t < 2; t++) {
      let expected = 0;
      for (let h = 0; h < 3; h++) expected += m[t * 3 + h] * perElement[t * 3 + h];
      assert.ok(
        Math.abs(masked[t] - expected) < 1e-6,
        `${d.config.name}: row ${t} masked ${masked[t]} vs Σ m·D ${expected}`,
      );
    }
  }
  noise.dispose();
  const [p3, q3] = pair();
  assert.throws(
    () => gh.masked(p3, q3, f32([1, 1, 1])),
    /masks have shape \[3\], expected the posteriors' shape \[2,3\]/,
  );
});
