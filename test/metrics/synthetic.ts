/** Synthetic factors and representations shared by the metric tests. */

import { Rng } from "../../src/data/random.ts";
import type { CodeMatrix, FactorMatrix } from "../../src/metrics/arrays.ts";
import { standardNormal } from "../../src/metrics/normal.ts";
import type { RepresentationOracle } from "../../src/metrics/oracle.ts";

/** n rows of independent uniform factor indices with the given sizes. */
export function randomFactors(sizes: number[], n: number, seed: number): FactorMatrix {
  const rng = new Rng(seed);
  const k = sizes.length;
  const data = new Float64Array(n * k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) data[i * k + j] = rng.nextInt(sizes[j]);
  return { data, count: n, factors: k };
}

/** Codes whose row i is fn(factor row i). */
export function codesOf(factors: FactorMatrix, fn: (row: number[]) => number[]): CodeMatrix {
  const k = factors.factors;
  const rows = Array.from({ length: factors.count }, (_, i) =>
    fn(Array.from({ length: k }, (_, j) => factors.data[i * k + j])),
  );
  const dims = rows[0].length;
  const data = new Float32Array(factors.count * dims);
  for (const [i, r] of rows.entries()) data.set(r, i * dims);
  return { data, count: factors.count, dims };
}

/** Applies a permutation and per-dimension scales: new dim j = scale[j] * old dim perm[j]. */
export function transformCodes(codes: CodeMatrix, perm: number[], scale: number[]): CodeMatrix {
  const d = codes.dims;
  const data = new Float32Array(codes.data.length);
  for (let i = 0; i < codes.count; i++) {
    for (let j = 0; j < d; j++) data[i * d + j] = scale[j] * codes.data[i * d + perm[j]];
  }
  return { data, count: codes.count, dims: d };
}

/** Codes: each factor plus noise, plus extra noise dimensions (a partly disentangled code). */
export function noisyCodes(
  factors: FactorMatrix,
  noise: number,
  extra: number,
  seed: number,
): CodeMatrix {
  const rng = new Rng(seed);
  return codesOf(factors, (row) => [
    ...row.map((v) => v + noise * standardNormal(rng)),
    ...Array.from({ length: extra }, () => standardNormal(rng)),
  ]);
}

/** An oracle over a factor grid whose codes are fn(factor indices). */
export function oracleOf(sizes: number[], fn: (row: number[]) => number[]): RepresentationOracle {
  return {
    factorSizes: sizes,
    represent(factors, n) {
      const k = sizes.length;
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push(...fn(Array.from(factors.subarray(i * k, i * k + k))));
      return Float32Array.from(out);
    },
  };
}
