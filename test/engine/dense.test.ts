import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { dense } from "../../src/engine/dense.ts";
import { initEngine } from "../../src/engine/device.ts";
import { grad, jit, numpy as np, type Array as Tensor } from "../../src/engine/jax.ts";

await initEngine();

const tensor = (values: ArrayLike<number>, shape: number[]): Tensor =>
  np.array(Float32Array.from(values)).reshape(shape);

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const tol = 1e-5 * (1 + Math.abs(expected[i]));
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= tol,
      `${what}[${i}]: ${actual[i]} vs ${expected[i]}`,
    );
  }
}

const dims = fc.record({
  lead: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
  nIn: fc.integer({ min: 1, max: 7 }),
  nOut: fc.integer({ min: 1, max: 7 }),
  values: fc.array(fc.float({ min: -2, max: 2, noNaN: true, noDefaultInfinity: true }), {
    minLength: 200,
    maxLength: 200,
  }),
});

test("dense computes x Wᵀ + b (W stored [out, in]) over leading axes, as a direct loop does", async () => {
  await fc.assert(
    fc.asyncProperty(dims, async ({ lead, nIn, nOut, values }) => {
      const rows = lead.reduce((a, b) => a * b, 1);
      const pick = (n: number, offset: number) =>
        Array.from({ length: n }, (_, i) => values[(i + offset) % values.length]);
      const x = pick(rows * nIn, 0);
      const w = pick(nIn * nOut, 7);
      const b = pick(nOut, 13);
      const expected: number[] = [];
      for (let r = 0; r < rows; r++) {
        for (let o = 0; o < nOut; o++) {
          let acc = b[o];
          for (let i = 0; i < nIn; i++) acc += x[r * nIn + i] * w[o * nIn + i];
          expected.push(acc);
        }
      }
      const y = dense(
        { w: tensor(w, [nOut, nIn]), b: tensor(b, [nOut]) },
        tensor(x, [...lead, nIn]),
      );
      assert.deepEqual(y.shape, [...lead, nOut]);
      close(await y.data(), expected, "y");
    }),
    { numRuns: 30, seed: 3 },
  );
});

test("dense gradients equal the closed forms rᵀ x, Σ r and r W (eager and jit)", async () => {
  const [n, nIn, nOut] = [3, 4, 2];
  const x = Array.from({ length: n * nIn }, (_, i) => Math.sin(i + 1));
  const w = Array.from({ length: nIn * nOut }, (_, i) => Math.cos(2 * i + 1));
  const b = [0.5, -0.25];
  const r = Array.from({ length: n * nOut }, (_, i) => (i % 3) - 1.2);
  const loss = (p: { w: Tensor; b: Tensor }, xs: Tensor, rs: Tensor) =>
    np.sum(dense(p, xs).mul(rs));
  const gw = new Float64Array(nIn * nOut);
  const gb = new Float64Array(nOut);
  const gx = new Float64Array(n * nIn);
  for (let k = 0; k < n; k++) {
    for (let o = 0; o < nOut; o++) {
      gb[o] += r[k * nOut + o];
      for (let i = 0; i < nIn; i++) {
        gw[o * nIn + i] += x[k * nIn + i] * r[k * nOut + o];
        gx[k * nIn + i] += r[k * nOut + o] * w[o * nIn + i];
      }
    }
  }
  const g = grad(loss, { argnums: [0, 1] });
  const jitted = jit(g);
  for (const run of [g, jitted]) {
    const [gp, gxs] = run(
      { w: tensor(w, [nOut, nIn]), b: tensor(b, [nOut]) },
      tensor(x, [n, nIn]),
      tensor(r, [n, nOut]),
    );
    close(await gp.w.data(), gw, "dL/dW");
    close(await gp.b.data(), gb, "dL/db");
    close(await gxs.data(), gx, "dL/dx");
  }
  jitted.dispose();
});

test("dense rejects an input whose last axis does not match the weight", () => {
  assert.throws(
    () => dense({ w: np.zeros([2, 4]), b: np.zeros([2]) }, np.zeros([3, 5])),
    /dense: input shape \[3,5\] has last axis 5, weight \[2,4\] expects 4/,
  );
});
