/**
 * beta-VAE disentanglement score (Higgins et al., "beta-VAE: Learning basic visual concepts
 * with a constrained variational framework", ICLR 2017, Sec. 3 and Appendix A.4), as
 * disentanglement_lib: each point picks a factor k uniformly, draws two batches of factors
 * that agree on k (and are otherwise independent), and records the mean absolute difference
 * of their codes, (1/L) sum_l |z1_l - z2_l|; a linear classifier predicts k from that vector.
 * The score is its accuracy on freshly generated points. Classifier: one-vs-rest L2 logistic
 * regression (C = 1, as sklearn's default that disentanglement_lib uses) on features
 * standardised by the training points' moments (so rescaling a code dimension changes nothing).
 */

import { Rng } from "../data/random.ts";
import { columnMoments, standardize } from "./arrays.ts";
import { fitOneVsRest, type LogisticOptions, predictClass } from "./logistic.ts";
import { defineMetric } from "./metric.ts";
import {
  INTERVENTION_DEFAULTS,
  interventionSchema,
  needsOracle,
  type RepresentationOracle,
  represent,
  sampleFactors,
} from "./oracle.ts";

export interface BetaVaeOptions {
  /** Pairs averaged per point (L). Default 64. */
  batchSize?: number;
  /** Training points. Default INTERVENTION_DEFAULTS.numTrain. */
  numTrain?: number;
  /** Evaluation points. Default INTERVENTION_DEFAULTS.numEval. */
  numEval?: number;
  seed?: number;
  logistic?: LogisticOptions;
}

export interface BetaVaeResult {
  /** The evaluation accuracy. */
  score: number;
  trainAccuracy: number;
  evalAccuracy: number;
}

/**
 * The beta-VAE disentanglement score (Higgins et al. 2017, Sec. 3 and Appendix A.4) of the
 * representation `oracle` encodes, computed as disentanglement_lib does (see this file's
 * header).
 */
export async function betaVaeScore(
  oracle: RepresentationOracle,
  options: BetaVaeOptions = {},
): Promise<BetaVaeResult> {
  const batch = options.batchSize ?? INTERVENTION_DEFAULTS.batchSize;
  const rng = new Rng(options.seed ?? 0);
  const k = oracle.factorSizes.length;
  const trainSet = await points(
    oracle,
    batch,
    options.numTrain ?? INTERVENTION_DEFAULTS.numTrain,
    rng,
  );
  const evalSet = await points(
    oracle,
    batch,
    options.numEval ?? INTERVENTION_DEFAULTS.numEval,
    rng,
  );
  const d = trainSet.dims;
  const moments = columnMoments(trainSet.features, d);
  standardize(trainSet.features, d, moments);
  standardize(evalSet.features, d, moments);
  const model = fitOneVsRest(
    trainSet.features,
    d,
    { labels: trainSet.labels, classes: k },
    options.logistic,
  );
  const accuracy = (set: typeof trainSet) => {
    const predicted = predictClass(model, set.features, d);
    let hits = 0;
    for (let i = 0; i < predicted.length; i++) if (predicted[i] === set.labels[i]) hits++;
    return hits / predicted.length;
  };
  const evalAccuracy = accuracy(evalSet);
  return { score: evalAccuracy, trainAccuracy: accuracy(trainSet), evalAccuracy };
}

/** Rows per `represent` call: points are generated in groups of about this many rows. */
const ROWS_PER_CALL = 4096;

async function points(
  oracle: RepresentationOracle,
  batch: number,
  count: number,
  rng: Rng,
): Promise<{ features: Float64Array; labels: Int32Array; dims: number }> {
  const k = oracle.factorSizes.length;
  const labels = new Int32Array(count);
  let features = new Float64Array(0);
  let dims = 0;
  const group = Math.max(1, Math.floor(ROWS_PER_CALL / (2 * batch)));
  for (let start = 0; start < count; start += group) {
    const m = Math.min(group, count - start);
    const factors = new Int32Array(m * 2 * batch * k);
    for (let p = 0; p < m; p++) {
      const fixed = rng.nextInt(k);
      labels[start + p] = fixed;
      const f1 = sampleFactors(oracle, batch, rng);
      const f2 = sampleFactors(oracle, batch, rng);
      for (let b = 0; b < batch; b++) f2[b * k + fixed] = f1[b * k + fixed];
      factors.set(f1, p * 2 * batch * k);
      factors.set(f2, (p * 2 + 1) * batch * k);
    }
    const out = await represent(oracle, factors, m * 2 * batch);
    if (dims === 0) {
      dims = out.dims;
      features = new Float64Array(count * dims);
    } else if (out.dims !== dims) {
      throw new RangeError(`represent() returned ${out.dims} dims, earlier ${dims}`);
    }
    for (let p = 0; p < m; p++) {
      const row = (start + p) * dims;
      for (let b = 0; b < batch; b++) {
        const a = (p * 2 * batch + b) * dims;
        const c = ((p * 2 + 1) * batch + b) * dims;
        for (let j = 0; j < dims; j++) {
          features[row + j] += Math.abs(out.codes[a + j] - out.codes[c + j]) / batch;
        }
      }
    }
  }
  return { features, labels, dims };
}

export const betaVaeMetric = defineMetric({
  name: "beta-vae",
  summary:
    "beta-VAE score (Higgins et al. 2017): accuracy of a linear classifier naming the fixed factor from mean |z1 - z2| over batches",
  needsGrid: true,
  missing: needsOracle,
  schema: interventionSchema(),
  async compute(input, options) {
    const r = await betaVaeScore((input.oracle as () => RepresentationOracle)(), options);
    return { values: { score: r.score }, options, details: { ...r } };
  },
});
