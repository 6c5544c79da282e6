import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { permutation, Rng } from "../../src/data/random.ts";
import { initEngine } from "../../src/engine/device.ts";
import { migChen, migDlib } from "../../src/metrics/mig.ts";
import { standardNormal } from "../../src/metrics/normal.ts";
import { codesOf, noisyCodes, randomFactors, transformCodes } from "./synthetic.ts";

await initEngine();

const close = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test("MIG (disentanglement_lib) on a 4-row example matches the hand computation", () => {
  // codes z0 = [0,0,1,1], z1 = [0,1,1,1]; factors v0 = z0, v1 = z1; 2 bins split at 0.5.
  const codes = { data: Float32Array.from([0, 0, 0, 1, 1, 1, 1, 1]), count: 4, dims: 2 };
  const factors = { data: [0, 0, 0, 1, 1, 1, 1, 1], count: 4, factors: 2 };
  const r = migDlib(codes, factors, { bins: 2 });
  // I(z0; v1) = I(z1; v0): table {(0,0): 1/4, (0,1): 1/4, (1,1): 1/2}, marginals (1/2,1/2), (1/4,3/4)
  const cross = 0.25 * Math.log(2) + 0.25 * Math.log(2 / 3) + 0.5 * Math.log(4 / 3);
  const h1 = -(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75));
  const expected = [(Math.log(2) - cross) / Math.log(2), (h1 - cross) / h1];
  close(r.perFactor[0], expected[0], 1e-12, "factor 0");
  close(r.perFactor[1], expected[1], 1e-12, "factor 1");
  close(r.mig, (expected[0] + expected[1]) / 2, 1e-12, "mig");
  assert.equal(r.protocol, "disentanglement_lib");
});

test("MIG (disentanglement_lib): identity high, constant zero, duplicated factor penalised", () => {
  const factors = randomFactors([4, 5, 6], 2000, 1);
  const identity = migDlib(
    codesOf(factors, (r) => r),
    factors,
  );
  assert.ok(identity.mig > 0.9 && identity.mig <= 1, `identity ${identity.mig}`);
  assert.equal(
    migDlib(
      codesOf(factors, () => [1, 1, 1]),
      factors,
    ).mig,
    0,
  );
  const dup = migDlib(
    codesOf(factors, (r) => [r[0], r[0], r[1], r[2]]),
    factors,
  );
  close(dup.perFactor[0], 0, 1e-12, "duplicated factor's gap");
  assert.ok(dup.mig < 0.7, `duplicated ${dup.mig}`);
  // excluding factor 0 leaves the other two
  const some = migDlib(
    codesOf(factors, (r) => r),
    factors,
    { include: [1, 2] },
  );
  assert.deepEqual(some.factors, [1, 2]);
});

test("MIG (disentanglement_lib) is invariant to permuting dims and rescaling by powers of 2", () => {
  const factors = randomFactors([3, 4, 5], 300, 2);
  const codes = noisyCodes(factors, 0.3, 1, 3);
  const base = migDlib(codes, factors).mig;
  fc.assert(
    fc.property(
      fc.shuffledSubarray([0, 1, 2, 3], { minLength: 4, maxLength: 4 }),
      fc.array(fc.integer({ min: -4, max: 4 }), { minLength: 4, maxLength: 4 }),
      (perm, exps) => {
        const moved = transformCodes(
          codes,
          perm,
          exps.map((e) => 2 ** e),
        );
        assert.equal(migDlib(moved, factors).mig, base);
      },
    ),
    { numRuns: 20 },
  );
});

/** Grid [2, 100]: dim 0 encodes factor 0 as -5/+5, dim 1 is uninformative N(0, 1). */
function chenGrid(logvar0: number) {
  const sizes = [2, 100];
  const n = 200;
  const means = new Float64Array(n * 2);
  const logvars = new Float64Array(n * 2);
  for (let r = 0; r < n; r++) {
    means[r * 2] = Math.floor(r / 100) === 0 ? -5 : 5;
    logvars[r * 2] = logvar0;
  }
  return { means, logvars, dims: 2, factorSizes: sizes };
}

test("MIG (Chen et al.): well-separated binary factor has I = log 2, others none", async () => {
  const r = await migChen(chenGrid(0));
  assert.equal(r.protocol, "chen");
  // I(z0; v0) = H(mixture of N(-5,1), N(5,1)) - H(N(0,1)) ~ log 2 (overlap ~1e-6)
  close(r.mutualInformation[0][0], Math.log(2), 0.02, "I(z0; v0)");
  close(r.mutualInformation[0][1], 0, 1e-9, "I(z1; v0)");
  close(r.mutualInformation[1][0], 0, 0.02, "I(z0; v1)");
  close(r.mutualInformation[1][1], 0, 1e-9, "I(z1; v1)");
  close(r.factorEntropies[1], Math.log(100), 1e-12, "log(factor size)");
  close((await migChen(chenGrid(0), { include: [0] })).mig, 1, 0.03, "MIG of factor 0");
  // fully overlapping posteriors (huge variance) carry almost no information
  const blurred = await migChen(chenGrid(Math.log(1e4)), { include: [0] });
  assert.ok(blurred.mig < 0.1, `blurred ${blurred.mig}`);
});

test("MIG (Chen et al.) is reproducible, exactly permutation invariant and scale invariant", async () => {
  const g = chenGrid(0);
  const a = await migChen(g, { seed: 4, samples: 50 });
  assert.deepEqual(await migChen(g, { seed: 4, samples: 50 }), a);
  const swap = (x: Float64Array) => x.map((_, i) => x[i % 2 === 0 ? i + 1 : i - 1]);
  const swapped = await migChen(
    { ...g, means: swap(g.means), logvars: swap(g.logvars) },
    { seed: 4, samples: 50 },
  );
  assert.deepEqual(swapped.perFactor, a.perFactor);
  // z -> 3 z + 1: means scale and shift, log-variances gain log 9
  const scaled = await migChen(
    {
      ...g,
      means: g.means.map((m) => 3 * m + 1),
      logvars: g.logvars.map((v) => v + Math.log(9)),
    },
    { seed: 4, samples: 50 },
  );
  for (let k = 0; k < 2; k++) close(scaled.perFactor[k], a.perFactor[k], 1e-9, `factor ${k}`);
  await assert.rejects(migChen({ ...g, factorSizes: [2, 99] }), /expected grid size/);
});

/**
 * Chen et al.'s estimator written out directly in float64 (Math.exp, log-sum-exp per sample),
 * fed the same draws as migChen: one standard normal per grid row, then one permutation of
 * each estimate's rows (marginal first, then factor by factor, value by value).
 */
function bruteForceChenMi(
  means: Float64Array,
  logvars: Float64Array,
  dims: number,
  sizes: number[],
  samples: number,
  seed: number,
): number[][] {
  const n = sizes.reduce((a, b) => a * b, 1);
  const rng = new Rng(seed);
  const noise = Array.from({ length: n }, () => standardNormal(rng));
  const entropies = (rows: number[]): number[] => {
    const perm = permutation(rows.length, rng);
    const chosen = Array.from({ length: Math.min(samples, rows.length) }, (_, s) => rows[perm[s]]);
    return Array.from({ length: dims }, (_, j) => {
      let h = 0;
      for (const s of chosen) {
        const z = means[s * dims + j] + Math.exp(logvars[s * dims + j] / 2) * noise[s];
        const terms = rows.map((m) => {
          const v = Math.exp(logvars[m * dims + j]);
          return -0.5 * Math.log(2 * Math.PI * v) - (z - means[m * dims + j]) ** 2 / (2 * v);
        });
        const top = Math.max(...terms);
        h -= top + Math.log(terms.reduce((a, t) => a + Math.exp(t - top), 0) / rows.length);
      }
      return h / chosen.length;
    });
  };
  const marginal = entropies(Array.from({ length: n }, (_, r) => r));
  return sizes.map((size, k) => {
    const stride = sizes.slice(k + 1).reduce((a, b) => a * b, 1);
    const conditional = new Array<number>(dims).fill(0);
    for (let v = 0; v < size; v++) {
      const rows = Array.from({ length: n }, (_, r) => r).filter(
        (r) => Math.floor(r / stride) % size === v,
      );
      entropies(rows).forEach((h, j) => {
        conditional[j] += h / size;
      });
    }
    return marginal.map((h, j) => h - conditional[j]);
  });
}

test("MIG (Chen et al.): chunked float32 estimator matches a float64 brute force", async () => {
  // Grid 3 x 7, 3 dims: dim 0 follows factor 0, dim 1 factor 1, dim 2 noise; log-variances
  // spread over [-3, 2]; chunks of 8 posteriors (21 = 8 + 8 + 5 padded) and 10 samples (padded).
  const sizes = [3, 7];
  const dims = 3;
  const n = 21;
  const rng = new Rng(11);
  const means = new Float64Array(n * dims);
  const logvars = new Float64Array(n * dims);
  for (let r = 0; r < n; r++) {
    means[r * dims] = Math.floor(r / 7) + 0.3 * standardNormal(rng);
    means[r * dims + 1] = 0.5 * (r % 7) + 0.3 * standardNormal(rng);
    means[r * dims + 2] = standardNormal(rng);
    for (let j = 0; j < dims; j++) logvars[r * dims + j] = -3 + 5 * rng.nextFloat();
  }
  const expected = bruteForceChenMi(means, logvars, dims, sizes, 10, 5);
  const result = await migChen(
    { means, logvars, dims, factorSizes: sizes },
    { samples: 10, seed: 5, chunk: 8 },
  );
  for (let k = 0; k < 2; k++) {
    for (let j = 0; j < dims; j++) {
      close(result.mutualInformation[k][j], expected[k][j], 2e-4, `I(z${j}; v${k})`);
    }
  }
  // The informative dimensions carry real information, so the check can bite.
  assert.ok(expected[0][0] > 0.3 && expected[1][1] > 0.3, JSON.stringify(expected));
});
