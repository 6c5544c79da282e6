/**
 * jax-js's Wasm code generation as this project patches it (patches/@jax-js+jax+0.1.25.patch,
 * docs/upstream/wasm-simd.md): division (x · Reciprocal(y)), Exp, Log and masked loads of padded
 * views compile to SIMD code, Exp and Log use new, accurate forms on both the scalar and the
 * SIMD path, register-tiled matmuls use 2-row micro-tiles (a speed change: its test checks
 * values only, over shapes with tails), and under `jit` a matmul operand that is a transposed or
 * sliced view of a stored array is read through the view instead of copied (the dispatched
 * kernels are checked, from jax-js's profiler). Each test checks two things:
 * - structure: the module jax-js compiled for the kernel holds the SIMD instructions of the
 *   patched path (decoded from the module's bytes, test/engine/helpers/wasm-ops.ts). Without
 *   the patch these kernels compile to scalar code and these assertions fail;
 * - values: against float64 references and exact expectations at the edge values (±0,
 *   subnormals, ±Infinity, NaN), and bit for bit against jax-js's scalar path, which runs a
 *   kernel whose length is not a multiple of 4 (the SIMD body needs whole groups of 4).
 * Always on the Wasm backend with 1 thread (with more, a kernel's last chunk may run scalar
 * while the others run SIMD: that is why the two paths must agree bit for bit).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { convFixtureCases } from "./helpers/conv-fixture.ts";
import { moduleOps, modulesCompiledBy } from "./helpers/wasm-ops.ts";

process.env.DISENTANGLE_THREADS = "1";
const { initEngine } = await import("../../src/engine/device.ts");
const { grad, jit, numpy: np, profiler } = await import("../../src/engine/jax.ts");
const { conv2d, convTranspose2d } = await import("../../src/engine/conv.ts");
type Tensor = import("../../src/engine/jax.ts").Array;

const engine = await initEngine("wasm");

const f32 = (values: ArrayLike<number>, shape?: number[]): Tensor => {
  const a = np.array(Float32Array.from(values));
  return shape ? a.reshape(shape) : a;
};
const bits = (v: number): number => new Uint32Array(Float32Array.of(v).buffer)[0];
const MIN_NORMAL = 2 ** -126;
const MAX_FLOAT = 3.4028234663852886e38;

/** Edge values: signed zeros, subnormals, the normal limits, infinities, NaN, ordinary values. */
const EDGES = [
  0,
  -0,
  2 ** -149,
  -(2 ** -149),
  1e-40,
  -1e-40,
  MIN_NORMAL,
  -MIN_NORMAL,
  MAX_FLOAT,
  -MAX_FLOAT,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  Number.NaN,
  1,
  -1,
  0.5,
  2,
  Math.fround(1 - 2 ** -24),
  Math.fround(1 + 2 ** -23),
  3,
  -7.25,
  1e-20,
  1e20,
  -1e30,
].map(Math.fround);

/** The output at the position of edge value `x` (found with Object.is: -0 and NaN too). */
const atEdge = (out: Float32Array, x: number): number =>
  out[EDGES.findIndex((e) => Object.is(e, Math.fround(x)))];

/** `n` float32 values spread over [lo, hi] (deterministic), rounded to float32. */
function spread(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.fround(lo + ((hi - lo) * i) / (n - 1)));
}

/** Positive float32 values log-spread over [lo, hi]. */
function logSpread(lo: number, hi: number, n: number): number[] {
  const a = Math.log(lo);
  const b = Math.log(hi);
  return Array.from({ length: n }, (_, i) => Math.fround(Math.exp(a + ((b - a) * i) / (n - 1))));
}

/**
 * Runs the jitted `f` on `inputs` twice: padded to a multiple of 4 elements (SIMD body), and
 * with one more element (the scalar loop runs the whole kernel). Returns the first run's
 * outputs (inputs' length), the instruction names of the modules compiled for it, and the
 * number of outputs whose float32 bits differ between the two runs (NaNs all count as equal).
 */
async function simdAndScalar(
  f: (...xs: Tensor[]) => Tensor,
  inputs: number[][],
): Promise<{ out: Float32Array; ops: Set<string>; bitDiffs: number }> {
  const n = inputs[0].length;
  const padded = Math.ceil(n / 4) * 4;
  const pad = (xs: number[], to: number) => [...xs, ...Array(to - xs.length).fill(1)];
  let simd: Float32Array = new Float32Array(0);
  const modules = await modulesCompiledBy(async () => {
    simd = (await jit(f)(...inputs.map((xs) => f32(pad(xs, padded)))).data()) as Float32Array;
  });
  const scalar = (await jit(f)(
    ...inputs.map((xs) => f32(pad(xs, padded + 1))),
  ).data()) as Float32Array;
  let bitDiffs = 0;
  for (let i = 0; i < padded; i++) {
    // NaN sign and payload are left unspecified by Wasm: any NaN matches any NaN.
    const bothNaN = Number.isNaN(simd[i]) && Number.isNaN(scalar[i]);
    if (!bothNaN && bits(simd[i]) !== bits(scalar[i])) bitDiffs++;
  }
  const ops = new Set(modules.flatMap((m) => [...moduleOps(m)]));
  return { out: simd.subarray(0, n), ops, bitDiffs };
}

test("the engine runs on wasm", () => {
  assert.equal(engine.device, "wasm");
  assert.equal(engine.threads, 1);
});

test("division compiles to f32x4.div and gives x·(1/y) rounded as float32, at every edge pair", async () => {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const x of EDGES) {
    for (const y of EDGES) {
      xs.push(x);
      ys.push(y);
    }
  }
  const { out, ops, bitDiffs } = await simdAndScalar((x, y) => x.div(y), [xs, ys]);
  assert.ok(ops.has("f32x4.div"), `division kernel is SIMD (f32x4.div); ops: ${[...ops]}`);
  assert.equal(bitDiffs, 0, "SIMD and scalar paths agree bit for bit");
  for (let i = 0; i < xs.length; i++) {
    // jax-js lowers x / y to x * Reciprocal(y): two float32 roundings.
    const want = Math.fround(xs[i] * Math.fround(1 / ys[i]));
    assert.ok(Object.is(out[i], want), `${xs[i]} / ${ys[i]}: got ${out[i]}, want ${want}`);
  }
});

test("division is within 2 float32 roundings of float64 over 12 decades", async () => {
  const xs = logSpread(1e-6, 1e6, 4000).map((v, i) => (i % 3 === 0 ? -v : v));
  const ys = logSpread(1e6, 1e-6, 4000);
  const { out, ops } = await simdAndScalar((x, y) => x.div(y), [xs, ys]);
  assert.ok(ops.has("f32x4.div"));
  let worst = 0;
  for (let i = 0; i < xs.length; i++) {
    const exact = xs[i] / ys[i];
    worst = Math.max(worst, Math.abs(out[i] - exact) / Math.abs(exact));
  }
  assert.ok(worst <= 2 ** -23, `max relative error ${worst}`);
});

test("Adam's m / (sqrt(v) + eps) is one SIMD kernel", async () => {
  const m = spread(-1, 1, 1000);
  const v = logSpread(1e-12, 1e2, 1000);
  const { out, ops, bitDiffs } = await simdAndScalar((a, b) => a.div(np.sqrt(b).add(1e-8)), [m, v]);
  assert.ok(ops.has("f32x4.div"));
  assert.equal(bitDiffs, 0);
  for (let i = 0; i < m.length; i++) {
    const exact = m[i] / (Math.sqrt(v[i]) + 1e-8);
    assert.ok(
      Math.abs(out[i] - exact) <= 4e-7 * Math.abs(exact) + 1e-30,
      `${m[i]} / (sqrt(${v[i]}) + 1e-8): got ${out[i]}, float64 ${exact}`,
    );
  }
});

/** Error of `got` against float64 `exact`, in units in the last place of float32 at `exact`. */
function ulps(got: number, exact: number): number {
  const a = Math.abs(exact);
  const ulp = a < MIN_NORMAL ? 2 ** -149 : 2 ** (Math.floor(Math.log2(a)) - 23);
  return Math.abs(got - exact) / ulp;
}

/**
 * Exp: one branch-free form for the scalar and the SIMD path (the patch replaces jax-js's
 * scalar one too). Measured over every 61st float32 in [-103.97, 88.72]: 1.2 ulp at most,
 * subnormal results included (docs/upstream/wasm-simd.md).
 */
test("exp compiles to SIMD code, matches the scalar path bit for bit and float64 to 1.5 ulp", async () => {
  const grid = spread(-103.9, 88.72, 20000);
  const { out, ops, bitDiffs } = await simdAndScalar((x) => np.exp(x), [[...EDGES, ...grid]]);
  assert.ok(ops.has("f32x4.pmax"), `exp kernel is SIMD; ops: ${[...ops]}`);
  assert.equal(bitDiffs, 0, "SIMD and scalar paths agree bit for bit");
  const edge = (x: number) => atEdge(out, x);
  assert.equal(edge(0), 1);
  assert.equal(edge(-0), 1);
  assert.equal(edge(2 ** -149), 1);
  assert.equal(edge(-1e-40), 1);
  assert.equal(edge(Number.POSITIVE_INFINITY), Number.POSITIVE_INFINITY);
  assert.ok(Object.is(edge(Number.NEGATIVE_INFINITY), 0));
  assert.ok(Number.isNaN(edge(Number.NaN)));
  assert.equal(edge(MAX_FLOAT), Number.POSITIVE_INFINITY);
  assert.ok(Object.is(edge(-MAX_FLOAT), 0));
  let worst = 0;
  for (let i = 0; i < grid.length; i++) {
    worst = Math.max(worst, ulps(out[EDGES.length + i], Math.exp(grid[i])));
  }
  assert.ok(worst <= 1.5, `max error ${worst} ulp`);
});

test("exp is finite up to x = 88.72, +Infinity above, and underflows gradually to 0 below -103.97", async () => {
  const xs = [88.3, 88.5, 88.72, 88.73, 89, -87.7, -100, -103.2, -103.9, -104, -110];
  const { out } = await simdAndScalar((x) => np.exp(x), [xs]);
  for (const i of [0, 1, 2]) {
    assert.ok(ulps(out[i], Math.exp(Math.fround(xs[i]))) <= 1.5, `exp(${xs[i]}) = ${out[i]}`);
  }
  for (const i of [3, 4]) assert.equal(out[i], Number.POSITIVE_INFINITY, `exp(${xs[i]})`);
  for (const i of [5, 6, 7, 8]) {
    assert.ok(out[i] > 0 && out[i] < MIN_NORMAL, `exp(${xs[i]}) = ${out[i]} is subnormal`);
    assert.ok(ulps(out[i], Math.exp(Math.fround(xs[i]))) <= 1, `exp(${xs[i]}) = ${out[i]}`);
  }
  for (const i of [9, 10]) assert.ok(Object.is(out[i], 0), `exp(${xs[i]})`);
});

/**
 * Log: one branch-free form for both paths, like exp. Measured over every 61st positive
 * float32 (subnormals included): 2.7 ulp at most, also next to x = 1, where jax-js's previous
 * form lost all relative accuracy.
 */
test("log compiles to SIMD code, matches the scalar path bit for bit and float64 to 3 ulp", async () => {
  const grid = [
    ...logSpread(2 ** -149, MAX_FLOAT, 20000),
    ...spread(0.999, 1.001, 4000),
    ...spread(0.5, 2, 4000),
  ];
  const { out, ops, bitDiffs } = await simdAndScalar((x) => np.log(x), [[...EDGES, ...grid]]);
  assert.ok(ops.has("i32x4.shr_u"), `log kernel is SIMD; ops: ${[...ops]}`);
  assert.equal(bitDiffs, 0, "SIMD and scalar paths agree bit for bit");
  const edge = (x: number) => atEdge(out, x);
  assert.equal(edge(0), Number.NEGATIVE_INFINITY);
  assert.equal(edge(-0), Number.NEGATIVE_INFINITY);
  assert.ok(ulps(edge(2 ** -149), Math.log(2 ** -149)) <= 1);
  assert.ok(ulps(edge(1e-40), Math.log(Math.fround(1e-40))) <= 1);
  assert.ok(Number.isNaN(edge(-(2 ** -149))));
  assert.ok(Number.isNaN(edge(-1)));
  assert.ok(Number.isNaN(edge(Number.NEGATIVE_INFINITY)));
  assert.ok(Number.isNaN(edge(Number.NaN)));
  assert.equal(edge(Number.POSITIVE_INFINITY), Number.POSITIVE_INFINITY);
  assert.ok(Object.is(edge(1), 0));
  assert.ok(ulps(edge(1 - 2 ** -24), Math.log(1 - 2 ** -24)) <= 1);
  assert.ok(ulps(edge(MAX_FLOAT), Math.log(MAX_FLOAT)) <= 1);
  let worst = 0;
  for (let i = 0; i < grid.length; i++) {
    if (grid[i] === 1) continue;
    worst = Math.max(worst, ulps(out[EDGES.length + i], Math.log(grid[i])));
  }
  assert.ok(worst <= 3, `max error ${worst} ulp`);
});

test("softplus (the Bernoulli likelihood's form) runs SIMD and is accurate", async () => {
  const xs = spread(-30, 30, 4096);
  const { out, ops, bitDiffs } = await simdAndScalar(
    (x) => np.log(np.exp(np.abs(x.ref).mul(-1)).add(1)).add(np.maximum(x, 0)),
    [xs],
  );
  assert.ok(ops.has("f32x4.pmax") && ops.has("i32x4.shr_u"));
  assert.equal(bitDiffs, 0);
  for (let i = 0; i < xs.length; i++) {
    const exact = Math.log1p(Math.exp(-Math.abs(xs[i]))) + Math.max(xs[i], 0);
    assert.ok(
      Math.abs(out[i] - exact) <= 4e-7 * Math.max(1, Math.abs(exact)),
      `softplus(${xs[i]})`,
    );
  }
});

test("logsumexp over a batch axis (beta-TCVAE's density matrix) runs its exp in SIMD code", async () => {
  const [b, z] = [64, 10];
  const values = Array.from({ length: b * b * z }, (_, i) => Math.fround(Math.sin(i * 0.37) * 20));
  let out: Float32Array = new Float32Array(0);
  const modules = await modulesCompiledBy(async () => {
    out = (await jit((t: Tensor) => {
      const m = np.max(t.ref, 1, { keepdims: true });
      return np.log(np.sum(np.exp(t.sub(m.ref)), 1)).add(np.squeeze(m, 1));
    })(f32(values, [b, b, z])).data()) as Float32Array;
  });
  assert.ok(
    modules.some((m) => moduleOps(m).has("f32x4.pmax")),
    "a kernel has SIMD exp",
  );
  for (let i = 0; i < b; i++) {
    for (let k = 0; k < z; k++) {
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < b; j++) max = Math.max(max, values[(i * b + j) * z + k]);
      let sum = 0;
      for (let j = 0; j < b; j++) sum += Math.exp(values[(i * b + j) * z + k] - max);
      const exact = Math.log(sum) + max;
      const got = out[i * z + k];
      assert.ok(Math.abs(got - exact) <= 2e-6 * Math.abs(exact), `[${i},${k}]: ${got} vs ${exact}`);
    }
  }
});

/** np.pad of a float32 reference, element by element (no arithmetic: exact). */
function padReference(x: Float32Array, shape: number[], pads: [number, number][]): Float32Array {
  const outShape = shape.map((s, d) => s + pads[d][0] + pads[d][1]);
  const out = new Float32Array(outShape.reduce((a, b) => a * b, 1));
  for (let o = 0; o < out.length; o++) {
    let rest = o;
    let src = 0;
    let inside = true;
    const idx: number[] = [];
    for (let d = outShape.length - 1; d >= 0; d--) {
      idx[d] = rest % outShape[d];
      rest = Math.floor(rest / outShape[d]);
    }
    for (let d = 0; d < shape.length; d++) {
      const i = idx[d] - pads[d][0];
      if (i < 0 || i >= shape[d]) inside = false;
      src = src * shape[d] + i;
    }
    out[o] = inside ? x[src] : 0;
  }
  return out;
}

/**
 * Padded views as the convolutions make them (src/engine/conv.ts pads NHWC activations
 * spatially and by channels, and the gradients of its shifted windows are pads too), at ranks
 * 1 to 4, with the mask uniform over each group of 4 lanes (channels a multiple of 4),
 * varying within it (1 or 3 channels, odd widths), and a total a multiple of 4 so that the
 * SIMD body runs.
 */
const PAD_CASES: { shape: number[]; pads: [number, number][] }[] = [
  { shape: [38], pads: [[3, 3]] },
  {
    shape: [6, 6],
    pads: [
      [1, 1],
      [2, 0],
    ],
  },
  {
    shape: [3, 5, 8],
    pads: [
      [0, 0],
      [1, 2],
      [0, 4],
    ],
  },
  {
    shape: [2, 16, 16, 32],
    pads: [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ],
  },
  {
    shape: [2, 8, 8, 128],
    pads: [
      [0, 0],
      [1, 0],
      [1, 0],
      [0, 0],
    ],
  },
  {
    shape: [2, 4, 4, 8],
    pads: [
      [0, 0],
      [1, 1],
      [1, 0],
      [0, 4],
    ],
  },
  {
    shape: [2, 8, 8, 1],
    pads: [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ],
  },
  {
    shape: [2, 8, 8, 6],
    pads: [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 2],
    ],
  },
  {
    shape: [4, 7, 7, 3],
    pads: [
      [0, 0],
      [1, 0],
      [0, 1],
      [0, 1],
    ],
  },
  {
    shape: [2, 5, 6, 4],
    pads: [
      [0, 0],
      [2, 1],
      [1, 2],
      [0, 0],
    ],
  },
];

test("reads of padded views (ranks 1-4) compile to SIMD code and are exact", async () => {
  for (const { shape, pads } of PAD_CASES) {
    const size = shape.reduce((a, b) => a * b, 1);
    const x = Float32Array.from({ length: size }, (_, i) => Math.fround(Math.sin(i) * 100));
    const ref = padReference(x, shape, pads);
    assert.equal(ref.length % 4, 0, "test case runs the SIMD body");
    let out: Float32Array | undefined;
    const modules = await modulesCompiledBy(async () => {
      out = (await jit((a: Tensor) => np.pad(a, pads).mul(3))(
        f32(x, shape),
      ).data()) as Float32Array;
    });
    const what = `pad ${JSON.stringify(shape)} by ${JSON.stringify(pads)}`;
    assert.equal(modules.length, 1, `${what}: one kernel`);
    const ops = moduleOps(modules[0]);
    assert.ok(ops.has("v128.store"), `${what}: the kernel has a SIMD body; ops: ${[...ops]}`);
    for (let i = 0; i < ref.length; i++) {
      const want = Math.fround(ref[i] * 3);
      assert.ok(Object.is(out?.[i], want), `${what}[${i}]: got ${out?.[i]}, want ${want}`);
    }
  }
});

test("the sum of shifted windows of one padded input (a conv's backward pass) is SIMD and exact", async () => {
  // Σ_{a,b} pad(x)[a:a+H, b:b+W]: every term a masked read of x.
  const [n, h, w, c] = [2, 9, 9, 16];
  const x = Float32Array.from({ length: n * h * w * c }, (_, i) => Math.fround(Math.cos(i) * 10));
  let out: Float32Array | undefined;
  const modules = await modulesCompiledBy(async () => {
    out = (await jit((a: Tensor) => {
      const p = np.pad(a, [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ]);
      let s: Tensor | undefined;
      for (const [da, db] of [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ]) {
        const win = p.ref.slice([], [da, da + h + 1], [db, db + w + 1], []);
        s = s ? s.add(win) : win;
      }
      p.dispose();
      return s as Tensor;
    })(f32(x, [n, h, w, c])).data()) as Float32Array;
  });
  assert.ok(modules.some((m) => moduleOps(m).has("v128.store")));
  const at = (b: number, i: number, j: number, k: number) =>
    i < 0 || i >= h || j < 0 || j >= w ? 0 : x[((b * h + i) * w + j) * c + k];
  for (let b = 0; b < n; b++)
    for (let i = 0; i < h + 1; i++)
      for (let j = 0; j < w + 1; j++)
        for (let k = 0; k < c; k++) {
          const terms = [
            at(b, i - 1, j - 1, k),
            at(b, i - 1, j, k),
            at(b, i, j - 1, k),
            at(b, i, j, k),
          ];
          const want = terms.reduce((s, t) => Math.fround(s + t));
          const got = out?.[((b * (h + 1) + i) * (w + 1) + j) * c + k];
          assert.ok(Object.is(got, want), `[${b},${i},${j},${k}]: got ${got}, want ${want}`);
        }
});

test("conv2d / convTranspose2d on wasm match the PyTorch fixtures (outputs and both gradients)", async () => {
  const fixture = { cases: convFixtureCases() };
  const relErr = (a: ArrayLike<number>, b: number[]) => {
    let err = 0;
    let scale = 0;
    for (let i = 0; i < b.length; i++) {
      err = Math.max(err, Math.abs(a[i] - b[i]));
      scale = Math.max(scale, Math.abs(b[i]));
    }
    return err / scale;
  };
  let simdModules = 0;
  for (const c of fixture.cases) {
    const loss = (x: Tensor, w: Tensor, r: Tensor): [Tensor, Tensor] => {
      const y =
        c.kind === "conv"
          ? conv2d(x, w, { stride: c.stride, padding: c.padding })
          : convTranspose2d(x, w, {
              stride: c.stride,
              padding: c.padding,
              outputPadding: c.outputPadding,
            });
      return [np.sum(y.ref.mul(r)), y];
    };
    const f = jit(grad(loss, { argnums: [0, 1], hasAux: true }));
    let results: Float32Array[] = [];
    const modules = await modulesCompiledBy(async () => {
      const [[gx, gw], y] = f(f32(c.x, c.xShape), f32(c.w, c.wShape), f32(c.r, c.yShape));
      results = [
        (await y.data()) as Float32Array,
        (await gx.data()) as Float32Array,
        (await gw.data()) as Float32Array,
      ];
    });
    simdModules += modules.filter((m) => moduleOps(m).has("v128.store")).length;
    const [y, gx, gw] = results;
    for (const [k, got, want] of [
      ["y", y, c.y],
      ["gx", gx, c.gx],
      ["gw", gw, c.gw],
    ] as const) {
      const e = relErr(got, want);
      assert.ok(e < 1e-4, `${c.name}: ${k} relative error ${e}`);
    }
    f.dispose();
  }
  assert.ok(simdModules > 0, "some of the convolutions' kernels are SIMD");
});

test("matmuls on the register-tiled SIMD path (2 rows x 4 vectors) equal float64 products to float32 rounding, tails included", async () => {
  // The micro-tile is 2 output rows by 16 columns, over K in tiles of 64 with stored partials:
  // these shapes leave row, column and K remainders (and the TN case reads A transposed).
  const cases: [m: number, k: number, n: number, layout: "NN" | "TN"][] = [
    [6, 5, 12, "NN"],
    [34, 70, 20, "NN"],
    [130, 64, 36, "NN"],
    [40, 133, 24, "TN"],
  ];
  for (const [m, k, n, layout] of cases) {
    const a = Array.from({ length: m * k }, (_, i) => Math.fround(Math.sin(i * 0.37) * 2));
    const b = Array.from({ length: k * n }, (_, i) => Math.fround(Math.cos(i * 0.11) - 0.2));
    // a holds A ([m, k]) for NN and Aᵀ ([k, m]) for TN.
    const at = (i: number, p: number) => (layout === "NN" ? a[i * k + p] : a[p * m + i]);
    let out: Float32Array = new Float32Array(0);
    const modules = await modulesCompiledBy(async () => {
      out = (await jit((x: Tensor, y: Tensor) => np.matmul(layout === "NN" ? x : x.transpose(), y))(
        f32(a, layout === "NN" ? [m, k] : [k, m]),
        f32(b, [k, n]),
      ).data()) as Float32Array;
    });
    // f32x4.mul (0xfd 230) in a body that loads and stores whole vectors.
    const ops = new Set(modules.flatMap((mod) => [...moduleOps(mod)]));
    for (const op of ["v128.load", "simd:230", "v128.store"]) {
      assert.ok(ops.has(op), `${m}x${k}x${n} ${layout}: no ${op} in the compiled matmul`);
    }
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let exact = 0;
        let magnitude = 0;
        for (let p = 0; p < k; p++) {
          exact += at(i, p) * b[p * n + j];
          magnitude += Math.abs(at(i, p) * b[p * n + j]);
        }
        // Each of the k float32 additions and products rounds once: |error| ≤ k·2⁻²³·Σ|a·b|.
        const bound = k * 2 ** -23 * magnitude + 1e-30;
        const got = out[i * n + j];
        assert.ok(
          Math.abs(got - exact) <= bound,
          `${m}x${k}x${n} ${layout} [${i},${j}]: ${got} vs ${exact} (bound ${bound})`,
        );
      }
    }
  }
});

/** Per-kernel {size, exp} of every kernel dispatched while `run` ran (jax-js's profiler). */
async function kernelsDispatchedBy(
  run: () => Promise<void>,
): Promise<{ size: number; exp: string }[]> {
  performance.clearMeasures();
  profiler.startTrace();
  try {
    await run();
  } finally {
    profiler.stopTrace();
  }
  const kernels = (performance.getEntriesByType("measure") as PerformanceMeasure[]).map((entry) => {
    const props = new Map<string, string>(
      (entry.detail as { devtools?: { properties?: [string, string][] } })?.devtools?.properties ??
        [],
    );
    return { size: Number(props.get("size") ?? 0), exp: props.get("exp") ?? "" };
  });
  performance.clearMeasures();
  return kernels;
}

test("under grad, a matmul operand sliced from a stored weight is read through the view, not copied, when a matrix axis stays unit-strided", async () => {
  // loss = Σ (x · W)², W = slice 1 of a stored weight. Its gradients by hand in float64:
  // dL/dx = 2 (x W) Wᵀ, dL/dW = 2 xᵀ (x W). The forward product and the input gradient's
  // product both read W; unpatched jax-js copies it into a [N, K] buffer for them.
  const [m, k, n] = [16, 32, 128];
  const xs = Array.from({ length: m * k }, (_, i) => Math.fround(Math.sin(i * 0.31)));
  const ws = Array.from({ length: 2 * k * n }, (_, i) => Math.fround(Math.cos(i * 0.07) * 0.5));
  const isCopy = (exp: string) => /^GV_\d+<[^>]+>\{[^}]*\}\[[^\]]*\]$/.test(exp);
  for (const stored of ["[2, K, N]", "[N, K, 2]"] as const) {
    // Both hold W[p, j] = ws[k·n + p·n + j]; "[N, K, 2]" puts N and K at strides 2K and 2.
    const wk = (p: number, j: number) => ws[k * n + p * n + j];
    const param =
      stored === "[2, K, N]"
        ? f32(ws, [2, k, n])
        : f32(
            Array.from({ length: 2 * k * n }, (_, i) => {
              const [j, p, s] = [Math.floor(i / (2 * k)), Math.floor(i / 2) % k, i % 2];
              return ws[s * k * n + p * n + j];
            }),
            [n, k, 2],
          );
    const block = (w: Tensor) =>
      stored === "[2, K, N]" ? w.slice(1) : w.slice([], [], 1).transpose();
    const gradient = jit(
      grad(
        (x: Tensor, w: Tensor) => {
          const y = np.matmul(x, block(w));
          return y.ref.mul(y).sum();
        },
        { argnums: [0, 1] } as never,
      ) as never,
    ) as unknown as (x: Tensor, w: Tensor) => Tensor[];
    const x = f32(xs, [m, k]);
    await Promise.all(gradient(x.ref, param.ref).map((g) => g.data())); // compile
    let dx: Float32Array = new Float32Array(0);
    let dw: Float32Array = new Float32Array(0);
    const kernels = await kernelsDispatchedBy(async () => {
      const [gx, gw] = gradient(x.ref, param.ref);
      dx = (await gx.data()) as Float32Array;
      dw = (await gw.data()) as Float32Array;
    });
    const weightCopies = kernels.filter((kernel) => kernel.size === k * n && isCopy(kernel.exp));
    if (stored === "[2, K, N]") {
      assert.deepEqual(weightCopies, [], `${stored}: W is read through its view, not copied`);
    } else {
      // No matrix axis of the view is unit-strided (2 and 2K): the copy stays.
      assert.equal(weightCopies.length, 1, `${stored}: W is copied once`);
    }
    const y = Array.from({ length: m * n }, (_, e) => {
      const [i, j] = [Math.floor(e / n), e % n];
      let sum = 0;
      for (let p = 0; p < k; p++) sum += xs[i * k + p] * wk(p, j);
      return sum;
    });
    for (let i = 0; i < m; i++) {
      for (let p = 0; p < k; p++) {
        let exact = 0;
        let magnitude = 0;
        for (let j = 0; j < n; j++) {
          exact += 2 * y[i * n + j] * wk(p, j);
          magnitude += Math.abs(2 * y[i * n + j] * wk(p, j));
        }
        assert.ok(Math.abs(dx[i * k + p] - exact) <= 1e-5 * magnitude + 1e-6, `${stored} dx`);
      }
    }
    for (let p = 0; p < k; p++) {
      for (let j = 0; j < n; j++) {
        let exact = 0;
        let magnitude = 0;
        for (let i = 0; i < m; i++) {
          exact += 2 * xs[i * k + p] * y[i * n + j];
          magnitude += Math.abs(2 * xs[i * k + p] * y[i * n + j]);
        }
        const got = stored === "[2, K, N]" ? dw[k * n + p * n + j] : dw[j * (2 * k) + p * 2 + 1];
        assert.ok(Math.abs(got - exact) <= 1e-5 * magnitude + 1e-6, `${stored} dW[${p},${j}]`);
      }
    }
    x.dispose();
    param.dispose();
  }
});
