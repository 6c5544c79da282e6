/**
 * Ownership of every objective, divergence, architecture and likelihood: each consumes its
 * array arguments exactly once, hands back live outputs the caller owns, and leaves no device
 * buffer behind once those are disposed (test/helpers/ownership.ts). Lists are taken from the
 * modules' exported names, so a new objective, divergence or architecture is checked too.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { bernoulliLogLikelihood } from "../../src/distributions/bernoulli.ts";
import {
  type DiagonalGaussianParams,
  diagonalGaussian,
  gaussianLogDensity,
  klDiagonalGaussians,
  reparameterize,
} from "../../src/distributions/diagonal-gaussian.ts";
import type { Distribution } from "../../src/distributions/distribution.ts";
import {
  createDivergence,
  DIVERGENCE_NAMES,
  type DivergenceConfig,
} from "../../src/distributions/divergences/divergence.ts";
import { gaussianLogLikelihood } from "../../src/distributions/gaussian-likelihood.ts";
import { klDivergence } from "../../src/distributions/kl.ts";
import { laplaceLogDensity } from "../../src/distributions/laplace.ts";
import { createPrior, PRIOR_NAMES, type Prior } from "../../src/distributions/priors.ts";
import { softplus } from "../../src/distributions/softplus.ts";
import { sumOverPixels } from "../../src/distributions/sum-over-pixels.ts";
import type { ConvSchedule } from "../../src/engine/conv.ts";
import { initEngine } from "../../src/engine/device.ts";
import { type Array, blockUntilReady, numpy as np, tree } from "../../src/engine/jax.ts";
import { keyFromSeed } from "../../src/engine/prng.ts";
import {
  ARCHITECTURE_NAMES,
  type Architecture,
  ArchitectureShapeError,
  type ImageShape,
} from "../../src/nn/architecture.ts";
import { createArchitecture } from "../../src/nn/architectures/index.ts";
import { createVae, decoderOutputChannels, type LikelihoodConfig } from "../../src/nn/vae.ts";
import { ESTIMATORS } from "../../src/objectives/importance-weights.ts";
import type { LatentBatch, Objective } from "../../src/objectives/objective.ts";
import { PRIOR_DIVERGENCE_NAMES } from "../../src/objectives/prior-term.ts";
import { createObjective, OBJECTIVE_NAMES } from "../../src/objectives/registry.ts";
import type { TripletLossConfig } from "../../src/objectives/triplet-loss.ts";
import { type TripletBatch, tripletVaeObjective } from "../../src/objectives/triplet-vae.ts";
import { assertConsumes } from "../helpers/ownership.ts";

await initEngine();

const B = 4;
const Z = 3;
const T = 4;
const Q = 2;

let draw = 0;
/** Deterministic, distinct values (so that every array owns a device buffer). */
function values(shape: number[], scale = 1, offset = 0): Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  draw++;
  for (let i = 0; i < n; i++) data[i] = offset + scale * Math.sin(1.7 * draw + 2.3 * i + 0.1);
  return np.array(data, { shape });
}

const posterior = (shape = [T, Z]) => ({ mu: values(shape), logvar: values(shape, 0.5, -0.5) });

const annealing = () => values([], 0, 0.7);

// --- objectives -------------------------------------------------------------------------

/** A batch as the objectives take it: distinct [B, Z] posterior, the prior N(0, I) over [Z]. */
function latentBatch(): LatentBatch {
  return {
    logPxGivenZ: values([B], 10, -50),
    z: values([B, Z]),
    posterior: diagonalGaussian({ mu: values([B, Z]), logvar: values([B, Z], 0.5, -0.5) }),
    prior: diagonalGaussian({ mu: values([Z], 0), logvar: values([Z], 0) }),
  };
}

/**
 * Every objective the registry offers, with beta-TCVAE once per estimator, beta-vae once
 * per prior divergence, and the VR bound with two samples per image (the batch's B rows).
 */
const objectives: [string, () => Objective][] = OBJECTIVE_NAMES.flatMap(
  (name): [string, () => Objective][] => {
    if (name === "beta-tcvae") {
      return ESTIMATORS.map((estimator) => [
        `${name} (${estimator})`,
        () => createObjective(name, { estimator }),
      ]);
    }
    if (name === "beta-vae") {
      return PRIOR_DIVERGENCE_NAMES.map((priorDivergence) => [
        `${name} (${priorDivergence})`,
        () => createObjective(name, { priorDivergence }),
      ]);
    }
    if (name === "vr-bound") return [[name, () => createObjective(name, { samples: 2 })]];
    return [[name, () => createObjective(name)]];
  },
);

for (const [label, create] of objectives) {
  test(`objective ${label}: evaluate consumes the batch, annealing and key, returns owned terms`, async () => {
    const objective = create();
    await assertConsumes(
      (batch: LatentBatch, a: Array, key?: Array) =>
        objective.evaluate(batch, { datasetSize: 100, annealing: a, ...(key ? { key } : {}) }),
      (): [LatentBatch, Array, Array?] =>
        objective.needsKey
          ? [latentBatch(), annealing(), keyFromSeed(4)]
          : [latentBatch(), annealing()],
      { name: label },
    );
  });
}

// --- divergences ------------------------------------------------------------------------

/**
 * Configs for every exported divergence name: `{ name }` where that is accepted, else each
 * estimator that is (small point and sample counts, to stay fast).
 */
function divergenceConfigs(): DivergenceConfig[] {
  const accepted = (config: unknown): boolean => {
    try {
      createDivergence(config as DivergenceConfig);
      return true;
    } catch (error) {
      if (error instanceof RangeError) return false;
      throw error;
    }
  };
  return DIVERGENCE_NAMES.flatMap((name) => {
    const candidates: unknown[] = accepted({ name })
      ? [{ name }]
      : [
          { name, estimator: "gauss-hermite", points: 6 },
          { name, estimator: "monte-carlo", samples: 3 },
        ].filter(accepted);
    assert.ok(candidates.length > 0, `no config found for divergence ${name}: extend this test`);
    return candidates as DivergenceConfig[];
  });
}

const configs = divergenceConfigs();

for (const config of configs) {
  const label = `divergence ${JSON.stringify(config)}`;
  const divergence = createDivergence(config);
  const noiseShape = divergence.noiseShape([T, Z]);
  const noise = () => (noiseShape === null ? [] : [values(noiseShape)]);
  // A per-dimension divergence also exposes its per-element D (divergence.ts).
  if (divergence.kind === "per-dimension") {
    test(`${label}: evaluate consumes p, q and noise`, async () => {
      await assertConsumes(
        (p: DiagonalGaussianParams, q: DiagonalGaussianParams, ...rest: Array[]) =>
          divergence.evaluate(p, q, ...rest),
        () => [posterior(), posterior(), ...noise()],
        { name: label },
      );
    });
  }
  test(`${label}: masked consumes p, q, masks and noise`, async () => {
    await assertConsumes(
      (p: DiagonalGaussianParams, q: DiagonalGaussianParams, m: Array, ...rest: Array[]) =>
        divergence.masked(p, q, m, ...rest),
      () => [posterior(), posterior(), values([T, Z], 0.5, 0.5), ...noise()],
      { name: label },
    );
  });
}

// --- the triplet VAE --------------------------------------------------------------------

function tripletBatch(noiseShape: number[] | null): TripletBatch {
  return {
    anchor: posterior(),
    positive: posterior(),
    negative: posterior(),
    query: np.array(new Int32Array([0, 1, 1, 0])),
    masks: values([Q, Z], 0.5, 0.5),
    ...(noiseShape === null ? {} : { noise: values(noiseShape) }),
  };
}

const tripletBases = objectives.filter(([label]) => label === "vae" || label.endsWith("(mss)"));
for (const config of configs) {
  for (const [baseLabel, createBase] of tripletBases) {
    const label = `triplet-vae (${baseLabel}, ${JSON.stringify(config)})`;
    test(`${label}: evaluate consumes images, triplets and annealing`, async () => {
      const objective = tripletVaeObjective({
        base: createBase(),
        divergence: createDivergence(config),
        loss: { name: "likelihood" },
        weight: 2,
        maskL1: 0.01,
      });
      const noiseShape = objective.noiseShape(T, Z);
      await assertConsumes(
        (images: LatentBatch, triplets: TripletBatch, a: Array) =>
          objective.evaluate(images, triplets, { datasetSize: 100, annealing: a }),
        () => [latentBatch(), tripletBatch(noiseShape), annealing()],
        { name: label },
      );
    });
  }
}

const metricLosses: TripletLossConfig[] = [
  { name: "margin", margin: 0.5 },
  { name: "infonce", temperature: 0.5 },
];
for (const loss of metricLosses) {
  for (const config of [
    { name: "mean-squared" },
    { name: "jensen-shannon-per-dim", estimator: "gauss-hermite" },
  ] as const) {
    const label = `triplet-vae (vae, ${loss.name}, ${config.name})`;
    test(`${label}: evaluate consumes images, triplets and annealing`, async () => {
      const objective = tripletVaeObjective({
        base: createObjective("vae"),
        divergence: createDivergence(config),
        loss,
        weight: 2,
        maskL1: 0.01,
      });
      await assertConsumes(
        (images: LatentBatch, triplets: TripletBatch, a: Array) =>
          objective.evaluate(images, triplets, { datasetSize: 100, annealing: a }),
        () => [latentBatch(), tripletBatch(null), annealing()],
        { name: label },
      );
    });
  }
}

// --- architectures ----------------------------------------------------------------------

/** The smallest of 16x16, 32x32, 64x64 that the architecture takes. */
function tinyArchitecture(name: (typeof ARCHITECTURE_NAMES)[number]): Architecture {
  for (const size of [16, 32, 64]) {
    const imageShape: ImageShape = [size, size, 1];
    try {
      return createArchitecture(name, { imageShape, latentDim: Z });
    } catch (error) {
      if (!(error instanceof ArchitectureShapeError)) throw error;
    }
  }
  throw new Error(`${name}: takes none of 16x16, 32x32, 64x64`);
}

const SCHEDULES: (ConvSchedule | undefined)[] = [undefined, "training", "inference"];

for (const name of ARCHITECTURE_NAMES) {
  test(`architecture ${name}: init, encode and decode consume their arrays`, async () => {
    const arch = tinyArchitecture(name);
    const [h, w, c] = arch.config.imageShape;
    await assertConsumes(
      (key: Array) => arch.initEncoder(key),
      () => [keyFromSeed(1)],
      {
        name: `${name} initEncoder`,
      },
    );
    await assertConsumes(
      (key: Array) => arch.initDecoder(key),
      () => [keyFromSeed(2)],
      {
        name: `${name} initDecoder`,
      },
    );
    const encoder = await blockUntilReady(arch.initEncoder(keyFromSeed(1)));
    const decoder = await blockUntilReady(arch.initDecoder(keyFromSeed(2)));
    for (const schedule of SCHEDULES) {
      await assertConsumes(
        (params: typeof encoder, x: Array) => arch.encode(params, x, schedule),
        () => [tree.ref(encoder), values([2, h, w, c], 0.5, 0.5)],
        { name: `${name} encode (${schedule ?? "default"})` },
      );
      await assertConsumes(
        (params: typeof decoder, z: Array) => arch.decode(params, z, schedule),
        () => [tree.ref(decoder), values([2, Z])],
        { name: `${name} decode (${schedule ?? "default"})` },
      );
    }
    tree.dispose([encoder, decoder]);
  });
}

// --- the VAE, its likelihoods, priors and distributions ---------------------------------

const LIKELIHOODS: LikelihoodConfig[] = [
  { kind: "bernoulli" },
  { kind: "gaussian", variance: 0.5 },
  { kind: "gaussian", variance: "learned" },
  { kind: "gaussian", variance: "learned-pixel" },
  { kind: "laplace", scale: 0.2 },
  { kind: "laplace", scale: "learned-pixel" },
  { kind: "discretised-logistic", components: 3 },
  { kind: "perceptual", featureVariance: 0.1, pixelVariance: 0.1, featureSeed: 0 },
];

const priors: Prior[] = PRIOR_NAMES.map((name) => createPrior(name));

/** Every likelihood under the first prior, and every other prior under the first likelihood. */
const vaeCases: [LikelihoodConfig, Prior][] = [
  ...LIKELIHOODS.map((l): [LikelihoodConfig, Prior] => [l, priors[0]]),
  ...priors.slice(1).map((p): [LikelihoodConfig, Prior] => [LIKELIHOODS[0], p]),
];

for (const [likelihood, prior] of vaeCases) {
  const label = `vae (conv-small, ${JSON.stringify(likelihood)}, prior ${prior.name})`;
  test(`${label}: init, forward and decodeMean consume their arrays`, async () => {
    const vae = createVae(
      createArchitecture("conv-small", {
        imageShape: [16, 16, 1],
        latentDim: Z,
        outputChannels: decoderOutputChannels(likelihood, 1),
      }),
      likelihood,
      prior,
    );
    await assertConsumes(
      (key: Array) => vae.init(key),
      () => [keyFromSeed(3)],
      {
        name: `${label} init`,
      },
    );
    const params = await blockUntilReady(vae.init(keyFromSeed(3)));
    await assertConsumes(
      (p: typeof params, x: Array, eps: Array) => vae.forward(p, x, eps),
      () => [tree.ref(params), values([2, 16, 16, 1], 0.5, 0.5), values([2, Z])],
      { name: `${label} forward` },
    );
    await assertConsumes(
      (p: Pick<typeof params, "encoder" | "prior">) => vae.priorDistribution(p),
      () => [tree.ref({ encoder: params.encoder, prior: params.prior })],
      { name: `${label} priorDistribution` },
    );
    await assertConsumes(
      (p: typeof params.decoder, z: Array) => vae.decodeMean(p, z),
      () => [tree.ref(params.decoder), values([2, Z])],
      { name: `${label} decodeMean` },
    );
    tree.dispose(params);
  });
}

/**
 * The prior's distribution over `n` dimensions; a learned prior's from parameters made here
 * (three components; the VampPrior's components as given posteriors).
 */
const distributionOf = (prior: Prior, n: number) => {
  if (prior.learned === undefined) return prior.distribution(n);
  const params = prior.learned.init(keyFromSeed(6), 3, n, [4, 4, 1]);
  const pseudoPosteriors = prior.learned.pseudoInputs
    ? { mu: values([3, n]), logvar: values([3, n], 0.2) }
    : undefined;
  return prior.distribution(n, { params, ...(pseudoPosteriors ? { pseudoPosteriors } : {}) });
};

/**
 * A distribution of the prior's family with distinct [B, Z] parameters; a mixture's parameters
 * are per component, not per example, so its are shifted in place.
 */
const batchOf = (prior: Prior) =>
  distributionOf(prior, Z).map((param) =>
    param.add(values(prior.learned ? param.shape : [B, Z], 0.4)),
  );

/** A `map` that changes the parameters' shape where the family allows ([B, Z] -> [B·Z]). */
const reshapeOf = (prior: Prior) => (param: Array) =>
  prior.learned ? param.reshape(param.shape) : param.reshape([B * Z]);

for (const prior of priors) {
  test(`distribution family of prior ${prior.name}: every method consumes it`, async () => {
    const name = `prior ${prior.name}`;
    await assertConsumes(
      (n: number) => distributionOf(prior, n),
      () => [Z],
      { name },
    );
    const methods: [string, (d: Distribution, ...rest: never[]) => unknown, () => unknown[]][] = [
      ["logProb", (d, x: Array) => d.logProb(x), () => [values([B, Z])]],
      ["sample", (d, key: Array) => d.sample(key), () => [keyFromSeed(4)]],
      ["sample (shape)", (d, key: Array) => d.sample(key, [2, B, Z]), () => [keyFromSeed(5)]],
      ["mean", (d) => d.mean(), () => []],
      ["map", (d) => d.map(reshapeOf(prior)), () => []],
      ["marginals", (d) => d.marginals(), () => []],
      [
        "ref, then dispose",
        (d) => {
          const mean = d.ref().mean();
          d.dispose();
          return mean;
        },
        () => [],
      ],
    ];
    for (const [method, call, rest] of methods) {
      await assertConsumes(
        call as (...args: readonly unknown[]) => unknown,
        () => [batchOf(prior), ...rest()],
        { name: `${name} ${method}` },
      );
    }
    for (const other of priors) {
      await assertConsumes(klDivergence, () => [batchOf(prior), batchOf(other), values([B, Z])], {
        name: `klDivergence(${prior.name} || ${other.name})`,
      });
    }
  });
}

test("likelihoods and densities in src/distributions consume their arrays", async () => {
  const img = [B, 4, 4, 1];
  const cases: (readonly [string, (...args: never[]) => unknown, () => readonly unknown[]])[] = [
    [
      "bernoulliLogLikelihood",
      bernoulliLogLikelihood,
      () => [values(img, 5), values(img, 0.5, 0.5)],
    ],
    ["gaussianLogLikelihood (fixed)", gaussianLogLikelihood, () => [values(img), values(img), -1]],
    [
      "gaussianLogLikelihood (learned)",
      gaussianLogLikelihood,
      () => [values(img), values(img), values([1], 0.3, -1)],
    ],
    ["laplaceLogDensity", laplaceLogDensity, () => [values([B, Z]), values([Z]), values([Z])]],
    [
      "gaussianLogDensity",
      gaussianLogDensity,
      () => [values([B, Z]), values([B, Z]), values([B, Z])],
    ],
    ["reparameterize", reparameterize, () => [values([B, Z]), values([B, Z]), values([B, Z])]],
    [
      "klDiagonalGaussians",
      klDiagonalGaussians,
      () => [values([B, Z]), values([B, Z]), values([B, Z]), values([B, Z])],
    ],
    ["softplus", softplus, () => [values([B, Z], 100)]],
    ["sumOverPixels [B,H,W,C]", sumOverPixels, () => [values(img)]],
    ["sumOverPixels [B]", sumOverPixels, () => [values([B])]],
  ];
  for (const [name, fn, make] of cases) {
    await assertConsumes(fn as (...args: readonly unknown[]) => unknown, make, { name });
  }
});
