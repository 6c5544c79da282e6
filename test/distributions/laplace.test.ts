import assert from "node:assert/strict";
import { test } from "node:test";
import { laplaceLogDensity } from "../../src/distributions/laplace.ts";
import { numpy as np } from "../../src/engine/jax.ts";
import { assertClose } from "./reference.ts";

test("Laplace log density: hand values and normalisation", () => {
  const z = [-3, -0.5, 0, 0.25, 2];
  assertClose(
    laplaceLogDensity(np.array(z), 0.5, 2).dataSync(),
    z.map((v) => -Math.log(4) - Math.abs(v - 0.5) / 2),
    1e-6,
    1e-6,
    "log density",
  );
  assert.ok(Math.abs(laplaceLogDensity(np.array([0])).item() + Math.log(2)) < 1e-7);
  // ∫ p = 1 (midpoint rule on [-40, 40] around loc 1, scale 1.5).
  const n = 80000;
  const dx = 80 / n;
  const grid = Array.from({ length: n }, (_, i) => 1 - 40 + (i + 0.5) * dx);
  const mass = np.sum(np.exp(laplaceLogDensity(np.array(grid), 1, 1.5))).item() * dx;
  assert.ok(Math.abs(mass - 1) < 1e-4, `mass ${mass}`);
});

test("Laplace rejects a scale that is not a positive finite number", () => {
  assert.throws(
    () => laplaceLogDensity(np.array([0]), 0, 0),
    /scale 0: expected a finite loc and a finite scale > 0/,
  );
  assert.throws(() => laplaceLogDensity(np.array([0]), 0, Number.NaN), /scale NaN/);
});
