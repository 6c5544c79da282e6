import assert from "node:assert/strict";
import { test } from "node:test";
import { createDivergence } from "../../../src/distributions/divergences/divergence.ts";
import { initEngine } from "../../../src/engine/device.ts";
import { numpy as np } from "../../../src/engine/jax.ts";
import { klReference } from "./reference.ts";

await initEngine();

const f32 = (v: number[]) => np.array(Float32Array.from(v));

test("symmetric KL equals hand-computed values", async () => {
  // p = N(1, 1), q = N(0, 4): KL(p||q) = ln 2 + (1 + 1)/8 - 1/2, KL(q||p) = -ln 2 + (4 + 1)/2 - 1/2,
  // sum = 2/8 - 1/2 + 5/2 - 1/2 = 1.75 (the logs cancel).
  // p = N(0, 1), q = N(3, 1): each KL = 9/2, sum 9.
  // p = q = N(-2, e^-1): 0.
  const kl = createDivergence({ name: "symmetric-kl" });
  const got = await kl
    .evaluate(
      { mu: f32([1, 0, -2]), logvar: f32([0, 0, -1]) },
      { mu: f32([0, 3, -2]), logvar: f32([Math.log(4), 0, -1]) },
    )
    .data();
  const expected = [1.75, 9, 0];
  for (let i = 0; i < 3; i++)
    assert.ok(Math.abs(got[i] - expected[i]) < 1e-5, `case ${i}: ${got[i]} vs ${expected[i]}`);
});

test("symmetric KL equals Simpson integration of KL(p||q) + KL(q||p), and is symmetric", async () => {
  const kl = createDivergence({ name: "symmetric-kl" });
  const cases = [
    [0.3, -0.5, -0.4, 0.7],
    [2, 1, 0, -1],
    [0, -2, 0, 0],
  ].map((c) => c.map(Math.fround));
  const col = (k: number) => f32(cases.map((c) => c[k]));
  const forward = await kl
    .evaluate({ mu: col(0), logvar: col(1) }, { mu: col(2), logvar: col(3) })
    .data();
  const backward = await kl
    .evaluate({ mu: col(2), logvar: col(3) }, { mu: col(0), logvar: col(1) })
    .data();
  cases.forEach(([m1, l1, m2, l2], i) => {
    const p = { mu: m1, sigma: Math.exp(l1 / 2) };
    const q = { mu: m2, sigma: Math.exp(l2 / 2) };
    const ref = klReference(p, q) + klReference(q, p);
    assert.ok(
      Math.abs(forward[i] - ref) < 1e-5 * Math.max(1, ref),
      `case ${i}: ${forward[i]} vs ${ref}`,
    );
    assert.ok(Math.abs(forward[i] - backward[i]) < 1e-6 * Math.max(1, ref));
  });
});

test("mean-squared divergence is (mu_p - mu_q)² and ignores the variances", async () => {
  const d = createDivergence({ name: "mean-squared" });
  const got = await d
    .evaluate(
      { mu: f32([1, -2, 0.5]), logvar: f32([3, -4, 0]) },
      { mu: f32([4, 2, 0.5]), logvar: f32([0, 1, 9]) },
    )
    .data();
  assert.deepEqual(Array.from(got), [9, 16, 0]);
  assert.equal(d.noiseShape([3]), null);
  assert.throws(
    () =>
      d.evaluate(
        { mu: f32([0]), logvar: f32([0]) },
        { mu: f32([0]), logvar: f32([0]) },
        np.zeros([1]),
      ),
    /mean-squared: is deterministic and takes no noise/,
  );
});
