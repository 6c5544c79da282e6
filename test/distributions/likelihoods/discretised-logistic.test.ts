/**
 * The discretised logistic mixture: its 256 bins sum to 1 (a closed form: the bin masses
 * telescope), it matches PyTorch 1.13 in float64 (fixtures by
 * tools/golden/distributions_likelihoods.py), and its gradients stay finite at x = 0 and 255.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import {
  discretisedLogistic,
  discretisedLogisticMixtureLogLikelihood,
  discretisedLogisticMixtureMean,
  mixtureOutputChannels,
} from "../../../src/distributions/likelihoods/discretised-logistic.ts";
import { grad, numpy as np } from "../../../src/engine/jax.ts";
import { assertClose, logSumExp } from "../reference.ts";

const fixture = JSON.parse(
  readFileSync(new URL("../fixtures/likelihoods.json", import.meta.url), "utf8"),
) as {
  discretisedLogistic: {
    components: number;
    shape: number[];
    out: number[];
    x: number[];
    logProb: number[];
    gradOut: number[];
    mean: number[];
  }[];
};

/** Decoder outputs for one pixel of C channels: logits, then means and log-scales (component-major). */
function pixelOutputs(logits: number[], means: number[][], logScales: number[][]): number[] {
  return [...logits, ...means.flat(), ...logScales.flat()];
}

/** log p of each of the 256 levels of a one-pixel image under `out` (one pixel, 1 channel). */
function levelLogProbs(out: number[], components: number): Float32Array {
  const levels = Array.from({ length: 256 }, (_, k) => k / 255);
  const outs = levels.flatMap(() => out);
  return discretisedLogisticMixtureLogLikelihood(
    np.array(outs, { shape: [256, 1, 1, out.length] }),
    np.array(levels, { shape: [256, 1, 1, 1] }),
    components,
  ).dataSync() as Float32Array;
}

test("the 256 bins of a pixel sum to 1, for one logistic and for mixtures, wide or narrow", () => {
  const cases: [string, number[], number][] = [
    ["centred, s = 0.1", pixelOutputs([0], [[0.5]], [[Math.log(0.1)]]), 1],
    ["past the top edge", pixelOutputs([0], [[1.3]], [[Math.log(0.05)]]), 1],
    ["below the bottom edge", pixelOutputs([0], [[-0.4]], [[Math.log(0.2)]]), 1],
    ["narrower than a bin", pixelOutputs([0], [[0.4]], [[-6.5]]), 1],
    ["wider than the range", pixelOutputs([0], [[0.5]], [[Math.log(5)]]), 1],
    ["three components", pixelOutputs([0.3, -1, 2], [[0.1], [0.6], [0.95]], [[-3], [-5], [-2]]), 3],
  ];
  for (const [what, out, components] of cases) {
    const logProbs = levelLogProbs(out, components);
    const total = Math.exp(logSumExp(logProbs));
    assert.ok(Math.abs(total - 1) < 2e-5, `${what}: Σ p = ${total}`);
  }
});

test("a pixel's mass follows the logistic CDF: the bottom bin is σ((δ - μ)/s), an interior one F(x+δ) - F(x-δ)", () => {
  const mu = 0.3;
  const s = 0.04;
  const logProbs = levelLogProbs(pixelOutputs([0], [[mu]], [[Math.log(s)]]), 1);
  const cdf = (v: number) => 1 / (1 + Math.exp(-(v - mu) / s));
  const half = 0.5 / 255;
  assertClose([Math.exp(logProbs[0])], [cdf(half)], 1e-5, 1e-9, "bottom bin");
  assertClose([Math.exp(logProbs[255])], [1 - cdf(1 - half)], 1e-4, 1e-12, "top bin");
  for (const k of [40, 77, 128, 200]) {
    const x = k / 255;
    assertClose([logProbs[k]], [Math.log(cdf(x + half) - cdf(x - half))], 1e-5, 1e-5, `bin ${k}`);
  }
});

test("log p(x|z), its gradient and the mixture mean match PyTorch (float64 fixtures)", () => {
  for (const c of fixture.discretisedLogistic) {
    const [b, h, w, channels] = c.shape;
    const outShape = [b, h, w, mixtureOutputChannels(c.components, channels)];
    const x = np.array(c.x, { shape: c.shape });
    const f = (out: ReturnType<typeof np.array>) =>
      np.sum(discretisedLogisticMixtureLogLikelihood(out, x.ref, c.components));
    const what = `K=${c.components}, C=${channels}`;
    assertClose(
      discretisedLogisticMixtureLogLikelihood(
        np.array(c.out, { shape: outShape }),
        x.ref,
        c.components,
      ).dataSync(),
      c.logProb,
      1e-5,
      1e-3,
      `${what} log p`,
    );
    assertClose(
      grad(f)(np.array(c.out, { shape: outShape })).dataSync(),
      c.gradOut,
      1e-3,
      1e-3,
      `${what} d log p / d out`,
    );
    assertClose(
      discretisedLogisticMixtureMean(
        np.array(c.out, { shape: outShape }),
        c.components,
        channels,
      ).dataSync(),
      c.mean,
      0,
      2e-3, // the censored logistic's mean, within half a bin of the rounded one's
      `${what} mean (PyTorch: Σ over the 256 levels of v p(v))`,
    );
    x.dispose();
  }
});

test("the mean image is the discretised distribution's mean Σ v p(v), wide and edge components too", () => {
  const cases: [string, number[], number][] = [
    ["inside", pixelOutputs([0], [[0.42]], [[Math.log(0.03)]]), 1],
    ["narrow, far below 0", pixelOutputs([0], [[-9]], [[-6]]), 1],
    ["wide, split between the edge bins", pixelOutputs([0], [[-13]], [[7.7]]), 1],
    ["near the top edge", pixelOutputs([0], [[0.97]], [[Math.log(0.05)]]), 1],
    [
      "a mixture of all of these",
      pixelOutputs([1, 0.5, -0.3], [[-9], [-13], [0.42]], [[-6], [7.7], [Math.log(0.03)]]),
      3,
    ],
  ];
  for (const [what, out, components] of cases) {
    const logProbs = levelLogProbs(out, components);
    const want = Array.from(logProbs).reduce((s, lp, k) => s + (k / 255) * Math.exp(lp), 0);
    const got = discretisedLogisticMixtureMean(
      np.array(out, { shape: [1, 1, 1, out.length] }),
      components,
      1,
    ).dataSync()[0];
    assert.ok(Math.abs(got - want) < 2e-3, `${what}: mean ${got}, Σ v p(v) = ${want}`);
  }
});

test("gradients are finite at x = 0 and x = 255, even for far means and scales at the floor", () => {
  const x = [0, 1, 0, 1];
  // Means far outside [0,1] and log-scales far below the floor (-7) or very large.
  const out = [
    ...pixelOutputs([0, 0], [[5], [-3]], [[-20], [3]]),
    ...pixelOutputs([0, 0], [[-4], [0.5]], [[-7], [8]]),
    ...pixelOutputs([1, -1], [[0], [1]], [[-7], [-7]]),
    ...pixelOutputs([-2, 2], [[1], [0]], [[-7], [-7]]),
  ];
  const f = (o: ReturnType<typeof np.array>) =>
    np.sum(discretisedLogisticMixtureLogLikelihood(o, np.array(x, { shape: [4, 1, 1, 1] }), 2));
  const value = f(np.array(out, { shape: [4, 1, 1, 6] })).dataSync()[0];
  assert.ok(Number.isFinite(value), `log p = ${value}`);
  const g = Array.from(grad(f)(np.array(out, { shape: [4, 1, 1, 6] })).dataSync());
  assert.ok(
    g.every((v) => Number.isFinite(v)),
    `gradient ${g}`,
  );
});

test("the descriptor reads K logits and K·C means and log-scales per pixel", () => {
  const config = discretisedLogistic.config({ mixtureComponents: 4 });
  assert.deepEqual(config, { kind: "discretised-logistic", components: 4 });
  assert.equal(discretisedLogistic.create(config, [8, 8, 3]).outputChannels, 4 * (1 + 2 * 3));
  assert.throws(() => discretisedLogistic.schema.parse({ mixtureComponents: 0 }));
});
