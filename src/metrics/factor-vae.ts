/**
 * FactorVAE disentanglement score (Kim & Mnih, "Disentangling by Factorising", ICML 2018,
 * Sec. 4), as disentanglement_lib: codes are divided by their empirical standard deviation
 * (from `numVarianceEstimate` random observations); dimensions with standard deviation below
 * `pruneThreshold` are dropped as collapsed. Each point fixes a random factor k over a batch,
 * and votes (k, argmin_j Var_batch(z_j) / Var(z_j)) over the remaining dimensions; the
 * majority-vote classifier maps each dimension to its most-voted factor. The score is the
 * share of freshly generated votes it gets right. With no active dimension the score is 0.
 */

import { Rng } from "../data/random.ts";
import { defineMetric } from "./metric.ts";
import {
  INTERVENTION_DEFAULTS,
  interventionSchema,
  needsOracle,
  type RepresentationOracle,
  represent,
  sampleFactors,
} from "./oracle.ts";

export interface FactorVaeOptions {
  /** Observations per point (L). Default 64. */
  batchSize?: number;
  /** Training votes. Default INTERVENTION_DEFAULTS.numTrain. */
  numTrain?: number;
  /** Evaluation votes. Default INTERVENTION_DEFAULTS.numEval. */
  numEval?: number;
  /** Observations for the global variances. Default VARIANCE_OBSERVATIONS. */
  numVarianceEstimate?: number;
  /** Minimum standard deviation of an active dimension. Default 0.05. */
  pruneThreshold?: number;
  seed?: number;
}

export interface FactorVaeResult {
  /** The evaluation accuracy. */
  score: number;
  trainAccuracy: number;
  evalAccuracy: number;
  activeDims: number;
}

const ROWS_PER_CALL = 4096;
/** Random observations for the global variances (disentanglement_lib's num_variance_estimate). */
const VARIANCE_OBSERVATIONS = 10000;

/**
 * The FactorVAE disentanglement score (Kim & Mnih 2018, Sec. 4) of the representation
 * `oracle` encodes: the accuracy of the majority-vote classifier from least-variance
 * dimensions, as disentanglement_lib computes it.
 */
export async function factorVaeScore(
  oracle: RepresentationOracle,
  options: FactorVaeOptions = {},
): Promise<FactorVaeResult> {
  const batch = options.batchSize ?? INTERVENTION_DEFAULTS.batchSize;
  if (batch < 2) throw new RangeError(`batchSize must be >= 2 for a variance, got ${batch}`);
  const rng = new Rng(options.seed ?? 0);
  const k = oracle.factorSizes.length;

  // Global variances (ddof 1) from random observations.
  const nVar = options.numVarianceEstimate ?? VARIANCE_OBSERVATIONS;
  const first = await represent(oracle, sampleFactors(oracle, nVar, rng), nVar);
  const d = first.dims;
  const globalVar = variances(first.codes, d, 0, nVar);
  const threshold = options.pruneThreshold ?? 0.05;
  const active = Array.from(globalVar.keys()).filter((j) => Math.sqrt(globalVar[j]) >= threshold);
  if (active.length === 0) return { score: 0, trainAccuracy: 0, evalAccuracy: 0, activeDims: 0 };

  const votes = async (count: number): Promise<Float64Array> => {
    const table = new Float64Array(k * d); // [factor][dim]
    const group = Math.max(1, Math.floor(ROWS_PER_CALL / batch));
    for (let start = 0; start < count; start += group) {
      const m = Math.min(group, count - start);
      const fixedFactor = new Int32Array(m);
      const factors = new Int32Array(m * batch * k);
      for (let p = 0; p < m; p++) {
        const f = rng.nextInt(k);
        fixedFactor[p] = f;
        const s = sampleFactors(oracle, batch, rng);
        for (let b = 1; b < batch; b++) s[b * k + f] = s[f];
        factors.set(s, p * batch * k);
      }
      const out = await represent(oracle, factors, m * batch);
      if (out.dims !== d)
        throw new RangeError(`represent() returned ${out.dims} dims, earlier ${d}`);
      for (let p = 0; p < m; p++) {
        const local = variances(out.codes, d, p * batch, batch);
        let best = active[0];
        for (const j of active)
          if (local[j] / globalVar[j] < local[best] / globalVar[best]) best = j;
        table[fixedFactor[p] * d + best]++;
      }
    }
    return table;
  };
  const trainVotes = await votes(options.numTrain ?? INTERVENTION_DEFAULTS.numTrain);
  const classifier = Array.from({ length: d }, (_, j) => {
    let best = 0;
    for (let f = 1; f < k; f++) if (trainVotes[f * d + j] > trainVotes[best * d + j]) best = f;
    return best;
  });
  const accuracy = (table: Float64Array) => {
    let right = 0;
    let total = 0;
    for (let j = 0; j < d; j++) {
      right += table[classifier[j] * d + j];
      for (let f = 0; f < k; f++) total += table[f * d + j];
    }
    return right / total;
  };
  const evalAccuracy = accuracy(await votes(options.numEval ?? INTERVENTION_DEFAULTS.numEval));
  return {
    score: evalAccuracy,
    trainAccuracy: accuracy(trainVotes),
    evalAccuracy,
    activeDims: active.length,
  };
}

/** Per-dimension sample variance (ddof 1) of rows start..start+n-1 of codes [*, d]. */
function variances(codes: ArrayLike<number>, d: number, start: number, n: number): Float64Array {
  const mean = new Float64Array(d);
  const out = new Float64Array(d);
  for (let i = start; i < start + n; i++)
    for (let j = 0; j < d; j++) mean[j] += codes[i * d + j] / n;
  for (let i = start; i < start + n; i++) {
    for (let j = 0; j < d; j++) out[j] += (codes[i * d + j] - mean[j]) ** 2 / (n - 1);
  }
  return out;
}

export const factorVaeMetric = defineMetric({
  name: "factor-vae",
  summary:
    "FactorVAE score (Kim & Mnih 2018): majority-vote accuracy naming the fixed factor from the code of least normalised variance",
  needsGrid: true,
  missing: needsOracle,
  schema: interventionSchema(),
  async compute(input, options) {
    const r = await factorVaeScore((input.oracle as () => RepresentationOracle)(), options);
    return {
      values: { score: r.score },
      options: { ...options, numVarianceEstimate: VARIANCE_OBSERVATIONS },
      details: { ...r },
    };
  },
});
