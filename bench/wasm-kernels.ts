/**
 * Kernel timings for the Wasm code-generation changes of docs/upstream/wasm-simd.md: division,
 * exp/log, padded reads, shared index arithmetic. Prints one JSON line {kernel: best ms of REPS
 * calls (default 15)}, 1 thread. For a before/after, run it alternately on the installed jax-js
 * and on a copy of an earlier build:
 *
 *   node --import tsx bench/wasm-kernels.ts
 *   BENCH_JAX_BASELINE=DIR node --import tsx --import ./bench/jax-baseline.mjs bench/wasm-kernels.ts
 */
process.env.DISENTANGLE_THREADS = "1";
const { initEngine } = await import("../src/engine/device.ts");
const { numpy: np, jit } = await import("../src/engine/jax.ts");
await initEngine("wasm");
type Tensor = import("../src/engine/jax.ts").Array;
const R = Number(process.env.REPS ?? 15);
type Fn = (...xs: Tensor[]) => Tensor;
async function best(f: Fn, args: () => Tensor[]): Promise<number> {
  let b = Infinity;
  const first = f(...args());
  await first.blockUntilReady();
  first.dispose();
  for (let i = 0; i < R; i++) {
    const a = args();
    const t0 = performance.now();
    const out = f(...a);
    await out.blockUntilReady();
    b = Math.min(b, performance.now() - t0);
    out.dispose();
  }
  return b;
}
const u = (shape: number[], seed: number) => {
  const n = shape.reduce((a, b) => a * b, 1);
  let s = seed * 7919 + 1;
  const data = Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  });
  return np.array(data).reshape(shape);
};
const N = [2048, 2048];
const A = u(N, 1),
  B = u(N, 2);
const res: Record<string, number> = {};
// 1. division
res["x / y, 2048x2048"] = await best(
  jit((a: Tensor, b: Tensor) => a.div(b)),
  () => [A.ref, B.ref],
);
res["m / (sqrt(v) + eps), 2048x2048"] = await best(
  jit((a: Tensor, b: Tensor) => a.div(np.sqrt(b).add(1e-8))),
  () => [A.ref, B.ref],
);
// 2. exp / log
res["exp(x), 2048x2048"] = await best(
  jit((a: Tensor) => np.exp(a)),
  () => [A.ref],
);
res["log(x), 2048x2048"] = await best(
  jit((a: Tensor) => np.log(a)),
  () => [B.ref],
);
res["softplus(x) = log(1 + exp(-|x|)) + max(x, 0), 2048x2048"] = await best(
  jit((a: Tensor) => np.log(np.exp(np.abs(a.ref).mul(-1)).add(1)).add(np.maximum(a, 0))),
  () => [A.ref],
);
const Z = u([64, 64, 10], 3);
res["logsumexp over axis 1 of [64, 64, 10]"] = await best(
  jit((z: Tensor) => {
    const m = np.max(z.ref, 1, { keepdims: true });
    return np.log(np.sum(np.exp(z.sub(m.ref)), 1)).add(np.squeeze(m, 1));
  }),
  () => [Z.ref],
);
// 3/4. padded reads
res["x + y, 2048x2048 (no padding)"] = await best(
  jit((a: Tensor, b: Tensor) => a.add(b)),
  () => [A.ref, B.ref],
);
const P = u([2046, 2046], 4);
res["pad(x, 1) + y, 2048x2048"] = await best(
  jit((a: Tensor, b: Tensor) => np.pad(a, 1).add(b)),
  () => [P.ref, B.ref],
);
const X4 = u([64, 32, 32, 32], 5);
res["pad NHWC [64,32,32,32] by 1 spatially"] = await best(
  jit((a: Tensor) =>
    np.pad(a, [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ]),
  ),
  () => [X4.ref],
);
const X1 = u([64, 64, 64, 1], 6);
res["pad NHWC [64,64,64,1] by 1 spatially (mask varies within 4 lanes)"] = await best(
  jit((a: Tensor) =>
    np.pad(a, [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ]),
  ),
  () => [X1.ref],
);
res["sum of 4 shifted windows of pad(x) [64,32,32,32] (conv backward)"] = await best(
  jit((a: Tensor) => {
    const p = np.pad(a, [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ]);
    let s: Tensor | undefined;
    for (const [i, j] of [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ]) {
      const w = p.ref.slice([], [i, i + 33], [j, j + 33], []);
      s = s ? s.add(w) : w;
    }
    p.dispose();
    return s as Tensor;
  }),
  () => [X4.ref],
);
const D = u([64, 16, 16, 128], 7);
res["depth-to-space sum of 4 reshaped views [64,16,16,128] (no padding)"] = await best(
  jit((a: Tensor) => {
    let s: Tensor | undefined;
    for (let k = 0; k < 4; k++) {
      const v = a.ref
        .mul(k + 1)
        .reshape([64, 16, 16, 2, 2, 32])
        .transpose([0, 1, 3, 2, 4, 5])
        .reshape([64, 32, 32, 32]);
      s = s ? s.add(v) : v;
    }
    a.dispose();
    return s as Tensor;
  }),
  () => [D.ref],
);
console.log(JSON.stringify(res));
process.exit(0);
