import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { softplus } from "../../src/distributions/softplus.ts";
import { grad, numpy as np } from "../../src/engine/jax.ts";
import { assertClose, softplusRef } from "./reference.ts";

test("softplus stays finite and exact where nn.softplus overflows", () => {
  const x = [-1e30, -1e4, -90, -20, -1, 0, 1, 20, 90, 1e4, 1e30];
  assertClose(softplus(np.array(x)).dataSync(), x.map(softplusRef), 1e-6, 1e-12, "softplus");
  const g = grad((a: ReturnType<typeof np.array>) => np.sum(softplus(a)))(np.array(x)).dataSync();
  // sigmoid(x); float32 exp underflows below ~1e-38, so compare with an absolute floor.
  assertClose(
    g,
    x.map((v) => 1 / (1 + Math.exp(-v))),
    1e-6,
    1e-8,
    "gradient",
  );
  assert.equal(g[5], 0.5);
});

test("softplus(x) - softplus(-x) = x and softplus(x) >= max(x, 0) (property)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.float({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }), {
        minLength: 1,
        maxLength: 16,
      }),
      (values) => {
        const x = np.array(values);
        const pos = softplus(x.ref).dataSync();
        const neg = softplus(x.neg()).dataSync();
        for (let i = 0; i < values.length; i++) {
          const v = Math.fround(values[i]);
          assert.ok(pos[i] >= Math.max(v, 0), `softplus(${v}) = ${pos[i]}`);
          assert.ok(Math.abs(pos[i] - neg[i] - v) <= 1e-6 * Math.abs(v) + 1e-6, `at ${v}`);
        }
      },
    ),
    { numRuns: 60 },
  );
});
