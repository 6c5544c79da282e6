import assert from "node:assert/strict";
import { test } from "node:test";
import {
  diagonalGaussian,
  gaussianLogDensity,
  klDiagonalGaussians,
  reparameterize,
} from "../../src/distributions/diagonal-gaussian.ts";
import { klDivergence } from "../../src/distributions/kl.ts";
import { createPrior } from "../../src/distributions/priors.ts";
import { grad, numpy as np } from "../../src/engine/jax.ts";
import { assertClose, logNormal, meanAndStandardError, normalSampler } from "./reference.ts";

test("gaussianLogDensity matches the closed form, with broadcasting", () => {
  // Hand value: log N(0; 0, 1) = -0.5 log(2π).
  assert.ok(
    Math.abs(
      gaussianLogDensity(np.array([0]), np.array([0]), np.array([0])).item() + 0.9189385332,
    ) < 1e-6,
  );
  const z = [-2.5, 0.1, 3];
  const mu = [0.5, -1, 2, 0];
  const lv = [-2, 0, 1.5, -0.3];
  // [3,1] against [1,4] -> [3,4]
  const got = gaussianLogDensity(
    np.array(z, { shape: [3, 1] }),
    np.array(mu, { shape: [1, 4] }),
    np.array(lv, { shape: [1, 4] }),
  ).dataSync();
  const want = z.flatMap((zi) => mu.map((m, j) => logNormal(zi, m, lv[j])));
  assertClose(got, want, 1e-6, 1e-6, "log density");
  assertClose(
    createPrior("normal").distribution(1).logProb(np.array(z)).dataSync(),
    z.map((zi) => logNormal(zi, 0, 0)),
    1e-6,
    1e-6,
    "standard normal",
  );
});

test("reparameterize gives mu + exp(logvar/2)·eps and its gradients", () => {
  const got = reparameterize(np.array([1, -2]), np.array([0.4, -1]), np.array([0.5, 2])).dataSync();
  assertClose(got, [1 + Math.exp(0.2) * 0.5, -2 + Math.exp(-0.5) * 2], 1e-6, 1e-6, "z");
  const dLogvar = grad((lv: ReturnType<typeof np.array>) =>
    np.sum(reparameterize(np.array([1, -2]), lv, np.array([0.5, 2]))),
  )(np.array([0.4, -1])).dataSync();
  assertClose(
    dLogvar,
    [0.5 * Math.exp(0.2) * 0.5, 0.5 * Math.exp(-0.5) * 2],
    1e-5,
    1e-6,
    "dz/dlogvar",
  );
});

/** Monte Carlo KL(q || p) = E_q[log q(z) - log p(z)] per dimension, with its standard error. */
/** KL(N(mu, exp(lv)) || N(0, I)) per dimension through the KL registry and the normal prior. */
function klToPrior(mu: number[], lv: number[]) {
  const posterior = diagonalGaussian({ mu: np.array(mu), logvar: np.array(lv) });
  const prior = createPrior("normal").distribution(mu.length);
  return klDivergence(posterior, prior, np.zeros([mu.length])).dataSync();
}

function monteCarloKl(
  mu1: number[],
  lv1: number[],
  logP: (z: ReturnType<typeof np.array>) => ReturnType<typeof np.array>,
  samples: number,
  seed: number,
): { mean: number; se: number }[] {
  const D = mu1.length;
  const draw = normalSampler(seed);
  const z = new Float32Array(samples * D);
  for (let k = 0; k < samples; k++) {
    for (let d = 0; d < D; d++) z[k * D + d] = mu1[d] + Math.exp(lv1[d] / 2) * draw();
  }
  const zArr = np.array(z, { shape: [samples, D] });
  const logQ = gaussianLogDensity(
    zArr.ref,
    np.array(mu1, { shape: [1, D] }),
    np.array(lv1, { shape: [1, D] }),
  );
  const diff = logQ.sub(logP(zArr)).dataSync();
  return mu1.map((_, d) => {
    const column = new Float64Array(samples);
    for (let k = 0; k < samples; k++) column[k] = diff[k * D + d];
    return meanAndStandardError(column);
  });
}

test("KL to the standard normal prior agrees with Monte Carlo within 4 standard errors", () => {
  const mu = [0.5, -1.2, 2, 0];
  const lv = [-1, 0.3, 1.2, -2.5];
  const closed = klToPrior(mu, lv);
  const mc = monteCarloKl(
    mu,
    lv,
    (z) => createPrior("normal").distribution(mu.length).logProb(z),
    40000,
    1,
  );
  for (let d = 0; d < mu.length; d++) {
    const { mean, se } = mc[d];
    assert.ok(4 * se < 0.06 * closed[d], `dim ${d}: test too weak (se ${se}, kl ${closed[d]})`);
    assert.ok(Math.abs(mean - closed[d]) <= 4 * se, `dim ${d}: MC ${mean} ± ${se} vs ${closed[d]}`);
  }
  // Hand values: KL(N(0,1)||N(0,1)) = 0; KL(N(1, e)||N(0,1)) = 0.5 (e + 1 - 1 - 1).
  assertClose(klToPrior([0, 1], [0, 1]), [0, 0.5 * (Math.E - 1)], 1e-6, 1e-7, "hand values");
});

test("klDiagonalGaussians agrees with Monte Carlo and reduces to the standard-normal case", () => {
  const mu1 = [0.5, -1.2, 2];
  const lv1 = [-1, 0.3, 1.2];
  const mu2 = [1.5, 0.3, -0.5];
  const lv2 = [0.5, -0.7, 1];
  const closed = klDiagonalGaussians(
    np.array(mu1),
    np.array(lv1),
    np.array(mu2),
    np.array(lv2),
  ).dataSync();
  const mc = monteCarloKl(
    mu1,
    lv1,
    (z) =>
      gaussianLogDensity(z, np.array(mu2, { shape: [1, 3] }), np.array(lv2, { shape: [1, 3] })),
    40000,
    2,
  );
  for (let d = 0; d < mu1.length; d++) {
    const { mean, se } = mc[d];
    assert.ok(4 * se < 0.06 * closed[d], `dim ${d}: test too weak (se ${se}, kl ${closed[d]})`);
    assert.ok(Math.abs(mean - closed[d]) <= 4 * se, `dim ${d}: MC ${mean} ± ${se} vs ${closed[d]}`);
  }
  const toPrior = klDiagonalGaussians(np.array(mu1), np.array(lv1), np.zeros([3]), np.zeros([3]));
  assertClose(toPrior.dataSync(), klToPrior(mu1, lv1), 1e-6, 1e-6, "KL to N(0,1)");
  const self = klDiagonalGaussians(np.array(mu1), np.array(lv1), np.array(mu1), np.array(lv1));
  assertClose(self.dataSync(), [0, 0, 0], 0, 1e-6, "KL(q||q)");
});

test("the gradients of the KL to the standard normal prior are mu and (exp(logvar) - 1)/2", () => {
  const mu = [0.5, -1.2];
  const lv = [-1, 0.3];
  const [dMu, dLv] = grad(
    (m: ReturnType<typeof np.array>, l: ReturnType<typeof np.array>) =>
      np.sum(
        klDivergence(
          diagonalGaussian({ mu: m, logvar: l }),
          createPrior("normal").distribution(2),
          np.zeros([2]),
        ),
      ),
    { argnums: [0, 1] },
  )(np.array(mu), np.array(lv));
  assertClose(dMu.dataSync(), mu, 1e-6, 1e-6, "dKL/dmu");
  assertClose(
    dLv.dataSync(),
    lv.map((l) => (Math.exp(l) - 1) / 2),
    1e-6,
    1e-6,
    "dKL/dlogvar",
  );
});
