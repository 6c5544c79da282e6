import assert from "node:assert/strict";
import { test } from "node:test";
import { laplace, laplaceLogDensity } from "../../src/distributions/laplace.ts";
import { numpy as np } from "../../src/engine/jax.ts";
import { keyFromSeed } from "../../src/engine/prng.ts";
import { assertClose, meanAndStandardError } from "./reference.ts";

test("Laplace log density: hand values and normalisation", () => {
  const z = [-3, -0.5, 0, 0.25, 2];
  assertClose(
    laplaceLogDensity(np.array(z), np.array(0.5), np.array(Math.log(2))).dataSync(),
    z.map((v) => -Math.log(4) - Math.abs(v - 0.5) / 2),
    1e-6,
    1e-6,
    "log density",
  );
  assert.ok(
    Math.abs(laplaceLogDensity(np.array([0]), np.array(0), np.array(0)).item() + Math.log(2)) <
      1e-7,
  );
  // ∫ p = 1 (midpoint rule on [-40, 40] around loc 1, scale 1.5).
  const n = 80000;
  const dx = 80 / n;
  const grid = Array.from({ length: n }, (_, i) => 1 - 40 + (i + 0.5) * dx);
  const density = laplace({ loc: np.array(1), logscale: np.array(Math.log(1.5)) });
  const mass = np.sum(np.exp(density.logProb(np.array(grid)))).item() * dx;
  assert.ok(Math.abs(mass - 1) < 1e-4, `mass ${mass}`);
});

test("Laplace samples have mean loc and mean absolute deviation b (within 4 standard errors)", () => {
  const loc = [0.5, -2];
  const scale = [1, 0.25];
  const n = 20000;
  const dist = laplace({ loc: np.array(loc), logscale: np.log(np.array(scale)) });
  const draws = dist.sample(keyFromSeed(3), [n, 2]).dataSync();
  for (let j = 0; j < 2; j++) {
    const column = Array.from({ length: n }, (_, i) => draws[i * 2 + j]);
    const mean = meanAndStandardError(column);
    assert.ok(Math.abs(mean.mean - loc[j]) < 4 * mean.se, `dim ${j} mean ${mean.mean}`);
    const deviation = meanAndStandardError(column.map((x) => Math.abs(x - loc[j])));
    assert.ok(
      Math.abs(deviation.mean - scale[j]) < 4 * deviation.se,
      `dim ${j} E|x - loc| ${deviation.mean}`,
    );
  }
});

test("a Laplace distribution's mean is its loc, and map/ref keep the family", () => {
  const dist = laplace({ loc: np.array([1, 2]), logscale: np.array([0, 0]) });
  const reshaped = dist.ref().map((p) => p.reshape([1, 2]));
  assert.equal(reshaped.family, "laplace");
  assert.deepEqual(reshaped.params.loc.shape, [1, 2]);
  reshaped.dispose();
  assert.deepEqual(Array.from(dist.mean().dataSync()), [1, 2]);
});
