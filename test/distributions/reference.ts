/**
 * Plain-JS float64 reference maths for the distributions and objectives tests: written from
 * the formulas, independent of the jax code under test.
 */
import { Rng } from "../../src/data/random.ts";

export const LOG_2PI = Math.log(2 * Math.PI);

/** log N(z; mu, exp(logvar)). */
export function logNormal(z: number, mu: number, logvar: number): number {
  return -0.5 * (LOG_2PI + logvar + (z - mu) ** 2 / Math.exp(logvar));
}

/** log(1 + e^x) without overflow. */
export function softplusRef(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

export function logSumExp(values: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i]);
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += Math.exp(values[i] - max);
  return max + Math.log(sum);
}

/** Standard normal draws (Box-Muller over the project's seeded mulberry32 generator). */
export function normalSampler(seed: number): () => number {
  const rng = new Rng(seed, 7);
  return () => {
    const u = 1 - rng.nextFloat();
    const v = rng.nextFloat();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

/** Uniform integers in [0, n) from a seeded generator. */
export function intSampler(seed: number): (n: number) => number {
  const rng = new Rng(seed, 11);
  return (n) => rng.nextInt(n);
}

/** Sample mean and its standard error. */
export function meanAndStandardError(values: ArrayLike<number>): { mean: number; se: number } {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  return { mean, se: Math.sqrt(ss / (n - 1) / n) };
}

/** Asserts |actual - expected| <= atol + rtol·|expected| elementwise, naming the first bad index. */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol: number,
  atol: number,
  what: string,
): void {
  if (actual.length !== expected.length) {
    throw new Error(`${what}: length ${actual.length}, expected ${expected.length}`);
  }
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (!(err <= atol + rtol * Math.abs(expected[i]))) {
      throw new Error(`${what}[${i}]: got ${actual[i]}, expected ${expected[i]} (error ${err})`);
    }
  }
}

/** log Γ(x), x > 0, in float64: six upward shifts then Stirling's series (A&S 6.1.41), ~1e-10. */
export function logGammaRef(x: number): number {
  let shift = 0;
  for (let k = 0; k < 6; k++) shift += Math.log(x + k);
  const y = x + 6;
  const stirling = (y - 0.5) * Math.log(y) - y + 0.5 * Math.log(2 * Math.PI);
  return stirling + 1 / (12 * y) - 1 / (360 * y ** 3) + 1 / (1260 * y ** 5) - shift;
}
