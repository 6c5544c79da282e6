/**
 * Student's t distribution t_ν(loc, b), b = exp(logscale), factorised over the latent
 * dimensions (Student 1908, "The probable error of a mean", Biometrika 6(1); here in the
 * standard location-scale parameterisation, e.g. Murphy 2012, "Machine Learning: A
 * Probabilistic Perspective", Sec. 2.4.3). Its tails fall off as |x|^-(ν+1), polynomially
 * rather than as exp(-x²) (normal) or exp(-|x|) (Laplace): a heavier-tailed prior p(z) than
 * the Gaussian and Laplace ones Chen et al. 2018 (Sec. 6) trained beta-TCVAE with, in the
 * direction of priors beyond the factorised Gaussian. The variance b²ν/(ν-2) is finite for
 * ν > 2 and the mean for ν > 1.
 *
 * The degrees of freedom ν are a fixed JS number, not an array: jax-js 0.1.25 has no lgamma,
 * so the normalising constant log Γ((ν+1)/2) - log Γ(ν/2) - ½ log(νπ) is computed once in
 * float64 from a Lanczos approximation ({@link logGamma}); loc and logscale are arrays, as for
 * the other families. Every function works elementwise with NumPy broadcasting and consumes
 * its array arguments.
 */
import { type Array, numpy as np, random } from "../engine/jax.ts";
import { batchShape, type Distribution } from "./distribution.ts";

export type StudentTParams = {
  /** Degrees of freedom ν > 0, a fixed number (see the module comment). */
  df: number;
  loc: Array;
  logscale: Array;
};

// Lanczos approximation, g = 7, n = 9 (the coefficients of Numerical Recipes / Boost's
// widely used table); relative error about 1e-15 for x > 0.
const LANCZOS_G = 7;
const LANCZOS_COEFFICIENTS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];

/** log Γ(x) for x > 0 in float64 (Lanczos; reflection below ½). */
export function logGamma(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) {
    throw new RangeError(`logGamma: expected a finite x > 0, got ${x}`);
  }
  // Γ(x) Γ(1 - x) = π / sin(πx); sin(πx) > 0 for 0 < x < ½.
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const y = x - 1;
  let sum = LANCZOS_COEFFICIENTS[0];
  for (let i = 1; i < LANCZOS_COEFFICIENTS.length; i++) sum += LANCZOS_COEFFICIENTS[i] / (y + i);
  const t = y + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(sum);
}

function checkDf(df: number): void {
  if (!(df > 0) || !Number.isFinite(df)) {
    throw new RangeError(`student-t: degrees of freedom must be a finite number > 0, got ${df}`);
  }
}

/** log Γ((ν+1)/2) - log Γ(ν/2) - ½ log(νπ), the log density's constant at b = 1. */
export function studentTLogNormaliser(df: number): number {
  checkDf(df);
  return logGamma((df + 1) / 2) - logGamma(df / 2) - 0.5 * Math.log(df * Math.PI);
}

/**
 * log t_ν(x; loc, b) = log Γ((ν+1)/2) - log Γ(ν/2) - ½ log(νπ) - log b
 *   - (ν+1)/2 · log1p(((x - loc)/b)² / ν), elementwise. Consumes x, loc and logscale.
 */
export function studentTLogDensity(x: Array, df: number, loc: Array, logscale: Array): Array {
  const constant = studentTLogNormaliser(df);
  const standardised = x.sub(loc).mul(np.exp(logscale.ref.neg()));
  return np
    .log1p(np.square(standardised).mul(1 / df))
    .mul(-(df + 1) / 2)
    .sub(logscale)
    .add(constant);
}

/**
 * A standard t_ν draw of `shape` as Z / sqrt(χ²_ν / ν), with Z and the ν squared normals of
 * χ²_ν = Σ_k N_k² all from one `random.normal` call of shape [ν + 1, ...shape] (jax-js
 * 0.1.25 has neither `random.t` nor `random.gamma`). Exact for integer ν; it costs ν + 1
 * normals per draw. Consumes key.
 */
export function standardStudentT(key: Array, df: number, shape: number[]): Array {
  if (!Number.isInteger(df) || df < 1) {
    key.dispose();
    throw new RangeError(
      `student-t: sampling needs an integer number of degrees of freedom ≥ 1 (χ²_ν as a sum of ν squared normals), got ${df}`,
    );
  }
  const normals = random.normal(key, [df + 1, ...shape]);
  const [z, rest] = np.split(normals, [1], 0);
  const chiSquaredOverDf = np.sum(np.square(rest), 0).mul(1 / df);
  return z.reshape(shape).div(np.sqrt(chiSquaredOverDf));
}

/**
 * t_ν(loc, exp(logscale)) as a {@link Distribution} (family "student-t"). Samples are
 * loc + b · t with t a standard t_ν draw ({@link standardStudentT}: a normal over the root of
 * an independent χ²_ν / ν, ν an integer), so they are differentiable in loc and b; ν is fixed.
 * `logProb` accepts any ν > 0. `mean` is loc, and throws for ν ≤ 1, where the mean is
 * undefined.
 */
export function studentT({ df, loc, logscale }: StudentTParams): Distribution {
  try {
    checkDf(df);
  } catch (error) {
    loc.dispose();
    logscale.dispose();
    throw error;
  }
  const params = { loc, logscale };
  const dispose = () => {
    loc.dispose();
    logscale.dispose();
  };
  return {
    family: "student-t",
    joint: false,
    params,
    logProb: (x) => studentTLogDensity(x, df, loc, logscale),
    sample: (key, shape) => {
      const s = shape ?? batchShape(params);
      let t: Array;
      try {
        t = standardStudentT(key, df, s);
      } catch (error) {
        dispose();
        throw error;
      }
      return loc.add(np.exp(logscale).mul(t));
    },
    mean: () => {
      logscale.dispose();
      if (df <= 1) {
        loc.dispose();
        throw new RangeError(
          `student-t: the mean is undefined for ν ≤ 1 (the tails are too heavy), got ν = ${df}`,
        );
      }
      return loc;
    },
    map: (fn) => studentT({ df, loc: fn(loc), logscale: fn(logscale) }),
    marginals() {
      return this;
    },
    ref: () => studentT({ df, loc: loc.ref, logscale: logscale.ref }),
    dispose,
  };
}
