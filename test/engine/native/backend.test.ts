/**
 * The native backend with its default placement (src/engine/native/backend.ts): kernels with
 * little work run on jax-js's Wasm backend, the rest as compiled C. Whichever runs a kernel,
 * the "native" device must give that kernel's dtype its precision.
 */
// jax.ts installs the Node worker shim, which must run before @jax-js/jax creates its Wasm
// backend (when the package is first evaluated): keep this import first.
import "../../../src/engine/jax.ts";
import assert from "node:assert/strict";
import { test } from "node:test";
import { initEngine } from "../../../src/engine/device.ts";
import { numpy as np } from "../../../src/engine/jax.ts";

await initEngine("native");

test("a small float64 kernel on the native device computes exp, log and sin in double precision", {}, async () => {
  // 7 elements: far below the work at which the backend compiles a kernel.
  const values = [0.5, 1, 2, 3, -1.5, 10, 0.1];
  const x = np.array(Float32Array.from(values)).astype(np.float64);
  const xs = values.map(Math.fround);
  const ops: [string, (a: typeof x) => typeof x, (v: number) => number][] = [
    ["exp", np.exp, Math.exp],
    ["log|x|", (a) => np.log(np.abs(a)), (v) => Math.log(Math.abs(v))],
    ["sin", np.sin, Math.sin],
  ];
  for (const [name, op, reference] of ops) {
    const out = await op(x.ref).data();
    assert.ok(out instanceof Float64Array, `${name}: float64 out`);
    xs.forEach((v, i) => {
      const expected = reference(v);
      // a few ulp of double; float32 accuracy is 1e-8 relative, ten million times more
      assert.ok(
        Math.abs(out[i] - expected) <= 4 * 2 ** -52 * Math.abs(expected),
        `${name}(${v}): ${out[i]}, expected ${expected}`,
      );
    });
  }
  x.dispose();
});
