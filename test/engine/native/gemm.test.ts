/**
 * Recognition of plain strided matrix products (src/engine/native/gemm.ts): `affine` on
 * hand-built index expressions (checked against jax-js's own evaluation of them),
 * `blasLayout` on operand strides, and `matchGemm` on the kernels jax-js builds for
 * np.matmul (captured as the native backend dispatches them) and on hand-built ones.
 */
// jax.ts installs the Node worker shim, which must run before @jax-js/jax creates its Wasm
// backend (when the package is first evaluated): keep this import first.
import "../../../src/engine/jax.ts";
import assert from "node:assert/strict";
import { test } from "node:test";
import { AluExp, Kernel, Reduction } from "@jax-js/jax/backend";
import fc from "fast-check";
import { initEngine } from "../../../src/engine/device.ts";
import { jit, numpy as np, type Array as Tensor } from "../../../src/engine/jax.ts";
import { kernelToC, outputLoops } from "../../../src/engine/native/codegen.ts";
import {
  affine,
  blasLayout,
  type GemmPlan,
  matchGemm,
  type Operand,
} from "../../../src/engine/native/gemm.ts";
import { nativeBackend } from "../../../src/engine/native/register.ts";

await initEngine("native");
const registered = nativeBackend();
if (!registered) throw new Error("the native backend did not register");
const native = registered;

// ---------------------------------------------------------------------------------------------
// affine

const COUNTERS = ["v0", "v1", "r"];

/** Index expressions built from loop counters (Special), a Variable, integer constants, +, - and ·constant. */
const affineExp: fc.Arbitrary<AluExp> = fc.letrec<{ exp: AluExp }>((tie) => ({
  exp: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.integer({ min: -50, max: 50 }).map((c) => AluExp.i32(c)),
    fc.constantFrom(...COUNTERS).map((name) => AluExp.special("int32", name, 100)),
    fc.constant(AluExp.variable("int32", "x")),
    fc.tuple(tie("exp"), tie("exp")).map(([a, b]) => AluExp.add(a, b)),
    fc.tuple(tie("exp"), tie("exp")).map(([a, b]) => AluExp.sub(a, b)),
    fc
      .tuple(fc.integer({ min: -9, max: 9 }), tie("exp"))
      .map(([c, e]) => AluExp.mul(AluExp.i32(c), e)),
    fc
      .tuple(tie("exp"), fc.integer({ min: -9, max: 9 }))
      .map(([e, c]) => AluExp.mul(e, AluExp.i32(c))),
  ),
})).exp;

const assignment = fc.record({
  v0: fc.integer({ min: -1000, max: 1000 }),
  v1: fc.integer({ min: -1000, max: 1000 }),
  r: fc.integer({ min: -1000, max: 1000 }),
  x: fc.integer({ min: -1000, max: 1000 }),
});

test("affine gives coefficients and a constant that evaluate like the expression", () => {
  fc.assert(
    fc.property(affineExp, assignment, (e, values) => {
      const a = affine(e);
      assert.ok(a, `affine(${e})`);
      let value = a.constant;
      for (const [name, coef] of a.coef) {
        assert.ok(name in values, `unknown counter ${name}`);
        value += coef * values[name as keyof typeof values];
      }
      // | 0: int32 values (r·0 at r = -1 is -0 in JS arithmetic)
      const expected = e.evaluate(values) | 0;
      assert.equal(value | 0, expected, `${e} at ${JSON.stringify(values)}`);
    }),
    { numRuns: 300, seed: 5, includeErrorInReport: true },
  );
});

test("affine of simple expressions", () => {
  const i = AluExp.special("int32", "i", 8);
  const j = AluExp.special("int32", "j", 8);
  const plain = (e: AluExp) => {
    const a = affine(e);
    return (
      a && {
        coef: Object.fromEntries([...a.coef].filter(([, c]) => c !== 0)),
        constant: a.constant,
      }
    );
  };
  assert.deepEqual(plain(AluExp.i32(7)), { coef: {}, constant: 7 });
  assert.deepEqual(plain(i), { coef: { i: 1 }, constant: 0 });
  // 3 + 33·i + j - (2·j - 5)
  const e = AluExp.sub(
    AluExp.add(AluExp.add(AluExp.i32(3), AluExp.mul(i, AluExp.i32(33))), j),
    AluExp.sub(AluExp.mul(AluExp.i32(2), j), AluExp.i32(5)),
  );
  assert.deepEqual(plain(e), { coef: { i: 33, j: -1 }, constant: 8 });
});

test("affine rejects products of counters, division, modulo and non-integer constants", () => {
  const i = AluExp.special("int32", "i", 8);
  const j = AluExp.special("int32", "j", 8);
  const rejected: [string, AluExp][] = [
    ["i·j", AluExp.mul(i, j)],
    ["i + i·j", AluExp.add(i, AluExp.mul(i, j))],
    ["i / 2", AluExp.idiv(i, AluExp.i32(2))],
    ["i % 3", AluExp.mod(i, AluExp.i32(3))],
    ["max(i, j)", AluExp.max(i, j)],
    ["0.5 (float)", AluExp.const("float32", 0.5)],
    ["i + 0.5", AluExp.add(AluExp.cast("float32", i), AluExp.const("float32", 0.5))],
    ["where(i < j, i, j)", AluExp.where(AluExp.cmplt(i, j), i, j)],
    ["a load", AluExp.globalIndex("int32", 0, 8, i)],
  ];
  for (const [name, e] of rejected) assert.equal(affine(e), undefined, name);
});

// ---------------------------------------------------------------------------------------------
// blasLayout

const operand = (rowStride: number, colStride: number): Operand => ({
  gid: 0,
  offset: 0,
  rowStride,
  colStride,
  batchStride: 0,
});

test("blasLayout reads row-major operands as they are and column-major ones transposed", () => {
  // [rows, cols] with strides (rowStride, colStride)
  const cases: [string, Operand, number, number, ReturnType<typeof blasLayout>][] = [
    ["row-major", operand(17, 1), 7, 17, { transposed: false, ld: 17 }],
    ["row-major rows of a wider array", operand(40, 1), 7, 33, { transposed: false, ld: 40 }],
    ["column-major", operand(1, 7), 7, 17, { transposed: true, ld: 7 }],
    ["column-major columns of a taller array", operand(1, 9), 7, 17, { transposed: true, ld: 9 }],
    // A single row or column: its other stride is never used, BLAS only needs ld >= extent.
    ["one row, unit stride", operand(0, 1), 1, 33, { transposed: false, ld: 33 }],
    ["one row, stride 2", operand(0, 2), 1, 33, { transposed: true, ld: 2 }],
    ["one column, unit stride", operand(1, 0), 33, 1, { transposed: false, ld: 1 }],
    ["one column, stride 5", operand(5, 0), 33, 1, { transposed: false, ld: 5 }],
    ["1x1", operand(0, 0), 1, 1, { transposed: false, ld: 1 }],
    // Not expressible: no unit stride, overlapping rows, broadcast (stride 0), reversed.
    ["no unit stride", operand(34, 2), 7, 17, undefined],
    ["rows overlap", operand(8, 1), 7, 17, undefined],
    ["columns overlap", operand(1, 5), 7, 17, undefined],
    ["rows broadcast", operand(0, 1), 7, 17, undefined],
    ["columns broadcast", operand(1, 0), 7, 17, undefined],
    ["a broadcast row", operand(0, 0), 1, 17, undefined],
    ["reversed rows", operand(-17, 1), 7, 17, undefined],
    ["reversed columns", operand(17, -1), 7, 17, undefined],
  ];
  for (const [name, op, rows, cols, expected] of cases) {
    assert.deepEqual(blasLayout(op, rows, cols), expected, name);
  }
});

test("blasLayout's leading dimension addresses every element where the strides do", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 9 }),
      fc.integer({ min: 1, max: 9 }),
      fc.integer({ min: -3, max: 30 }),
      fc.integer({ min: -3, max: 30 }),
      (rows, cols, rowStride, colStride) => {
        const layout = blasLayout(operand(rowStride, colStride), rows, cols);
        if (!layout) return;
        // BLAS reads (i, j) at i·ld + j (row-major) or j·ld + i (transposed).
        const at = (i: number, j: number) =>
          layout.transposed ? j * layout.ld + i : i * layout.ld + j;
        for (let i = 0; i < rows; i++)
          for (let j = 0; j < cols; j++) {
            const strided = (rows === 1 ? 0 : i * rowStride) + (cols === 1 ? 0 : j * colStride);
            assert.equal(
              at(i, j),
              strided,
              `(${i}, ${j}) of ${rows}x${cols} (${rowStride}, ${colStride})`,
            );
          }
        assert.ok(
          layout.ld >= Math.max(1, layout.transposed ? rows : cols),
          "ld covers the extent",
        );
      },
    ),
    { numRuns: 500, seed: 6, includeErrorInReport: true },
  );
});

// ---------------------------------------------------------------------------------------------
// matchGemm

/** The kernels the native backend is given for one call of `fn` jitted. */
async function kernelsOf(fn: (...xs: Tensor[]) => Tensor, shapes: number[][]): Promise<Kernel[]> {
  const seen: Kernel[] = [];
  const dispatch = native.dispatch;
  native.dispatch = (exe, inputs, outputs) => {
    if (exe.source instanceof Kernel) seen.push(exe.source);
    dispatch.call(native, exe, inputs, outputs);
  };
  const f = jit(fn);
  try {
    // Distinct values: an array of equal values may stay a constant expression, not an input.
    const args = shapes.map((shape) => {
      const size = shape.reduce((a, b) => a * b, 1);
      return np.array(
        Float32Array.from({ length: size }, (_, i) => i / size),
        { shape },
      );
    });
    await f(...args).data();
  } finally {
    native.dispatch = dispatch;
    f.dispose();
  }
  return seen;
}

/** The one reduction kernel of `fn`. */
async function productKernel(fn: (...xs: Tensor[]) => Tensor, shapes: number[][]): Promise<Kernel> {
  const reductions = (await kernelsOf(fn, shapes)).filter((k) => k.reduction);
  assert.equal(reductions.length, 1, "one reduction kernel");
  return reductions[0];
}

/** matchGemm's arguments as kernelToC prepares them: the output loop nest and the bound body. */
function gemmPlan(kernel: Kernel): GemmPlan | undefined {
  const loops = outputLoops(kernel);
  const flat = loops
    .map((l) => AluExp.mul(AluExp.special("int32", l.name, l.extent), AluExp.i32(l.stride)))
    .reduce((a, b) => AluExp.add(a, b));
  const ridx = AluExp.special("int32", "r", kernel.reduction?.size ?? 1);
  const exp = kernel.exp.substitute({ gidx: flat, ridx }).rewriteGlobalViews().simplify();
  return matchGemm(kernel, loops, exp);
}

const usesBlas = (kernel: Kernel) => kernelToC(kernel, "k", { blas: true }).includes("cblas_sgemm");

const rowMajor = { batchStride: 0 };

test("matchGemm plans np.matmul in NN, NT, TN and batched layouts", async () => {
  const cases: [
    string,
    (...xs: Tensor[]) => Tensor,
    number[][],
    Omit<GemmPlan, "a" | "b"> & {
      a: Omit<Operand, "gid">;
      b: Omit<Operand, "gid">;
    },
  ][] = [
    [
      "NN [7,33]·[33,17]",
      np.matmul,
      [
        [7, 33],
        [33, 17],
      ],
      {
        batch: 1,
        m: 7,
        n: 17,
        k: 33,
        a: { offset: 0, rowStride: 33, colStride: 1, ...rowMajor },
        b: { offset: 0, rowStride: 17, colStride: 1, ...rowMajor },
        out: { rowStride: 17, colStride: 1, batchStride: 0 },
      },
    ],
    [
      "NT [7,33]·[17,33]ᵀ",
      (a, b) => np.matmul(a, b.transpose()),
      [
        [7, 33],
        [17, 33],
      ],
      {
        batch: 1,
        m: 7,
        n: 17,
        k: 33,
        a: { offset: 0, rowStride: 33, colStride: 1, ...rowMajor },
        b: { offset: 0, rowStride: 1, colStride: 33, ...rowMajor },
        out: { rowStride: 17, colStride: 1, batchStride: 0 },
      },
    ],
    [
      "TN [33,7]ᵀ·[33,17]",
      (a, b) => np.matmul(a.transpose(), b),
      [
        [33, 7],
        [33, 17],
      ],
      {
        batch: 1,
        m: 7,
        n: 17,
        k: 33,
        a: { offset: 0, rowStride: 1, colStride: 7, ...rowMajor },
        b: { offset: 0, rowStride: 17, colStride: 1, ...rowMajor },
        out: { rowStride: 17, colStride: 1, batchStride: 0 },
      },
    ],
    [
      "batched [3,7,33]·[3,33,17]",
      np.matmul,
      [
        [3, 7, 33],
        [3, 33, 17],
      ],
      {
        batch: 3,
        m: 7,
        n: 17,
        k: 33,
        a: { offset: 0, rowStride: 33, colStride: 1, batchStride: 231 },
        b: { offset: 0, rowStride: 17, colStride: 1, batchStride: 561 },
        out: { rowStride: 17, colStride: 1, batchStride: 119 },
      },
    ],
    [
      "offset slice [9,40][1:8, 2:35]·[33,17]",
      (a, b) => np.matmul(a.slice([1, 8], [2, 35]), b),
      [
        [9, 40],
        [33, 17],
      ],
      {
        batch: 1,
        m: 7,
        n: 17,
        k: 33,
        a: { offset: 42, rowStride: 40, colStride: 1, ...rowMajor },
        b: { offset: 0, rowStride: 17, colStride: 1, ...rowMajor },
        out: { rowStride: 17, colStride: 1, batchStride: 0 },
      },
    ],
  ];
  for (const [name, fn, shapes, expected] of cases) {
    const kernel = await productKernel(fn, shapes);
    const plan = gemmPlan(kernel);
    assert.ok(plan, `${name}: matched`);
    const { a, b, ...rest } = plan;
    assert.deepEqual(
      { ...rest, a: { ...a, gid: undefined }, b: { ...b, gid: undefined } },
      { ...expected, a: { ...expected.a, gid: undefined }, b: { ...expected.b, gid: undefined } },
      name,
    );
    assert.notEqual(a.gid, b.gid, `${name}: two operands`);
    assert.ok(usesBlas(kernel), `${name}: kernelToC calls cblas_sgemm`);
  }
});

test("matchGemm rejects broadcast, masked, reversed and non-float32 operands and other reductions", async () => {
  const cases: [string, (...xs: Tensor[]) => Tensor, number[][]][] = [
    [
      "batch-broadcast operand [3,7,33]·[33,17]",
      np.matmul,
      [
        [3, 7, 33],
        [33, 17],
      ],
    ],
    [
      "broadcast column [7,33]·broadcast([33,1] → [33,17])",
      (a, v) => np.matmul(a, np.broadcastTo(v, [33, 17])),
      [
        [7, 33],
        [33, 1],
      ],
    ],
    [
      "padded (masked) operand",
      (a, b) =>
        np.matmul(
          np.pad(a, [
            [0, 0],
            [1, 1],
          ]),
          b,
        ),
      [
        [7, 31],
        [33, 17],
      ],
    ],
    [
      "reversed operand",
      (a, b) => np.matmul(np.flip(a, 1), b),
      [
        [7, 33],
        [33, 17],
      ],
    ],
    [
      "int32 operands",
      (a, b) => np.matmul(a.astype(np.int32), b.astype(np.int32)),
      [
        [7, 33],
        [33, 17],
      ],
    ],
    ["a sum without a product", (a) => np.sum(a, 1), [[7, 33]]],
    [
      "a max of products",
      (a, b) => np.max(a.reshape([7, 33, 1]).mul(b.reshape([1, 33, 17])), 1),
      [
        [7, 33],
        [33, 17],
      ],
    ],
    [
      "a product of three factors",
      (a, b, c) => np.sum(a.mul(b).mul(c), 1),
      [
        [7, 33],
        [7, 33],
        [7, 33],
      ],
    ],
  ];
  for (const [name, fn, shapes] of cases) {
    const kernel = await productKernel(fn, shapes);
    assert.equal(gemmPlan(kernel), undefined, name);
    assert.ok(!usesBlas(kernel), `${name}: kernelToC emits the generic loop`);
  }
});

test("matchGemm plans hand-built products whose output is column-major for BLAS", () => {
  const [m, k, n] = [5, 7, 9];
  const gidx = AluExp.variable("int32", "gidx");
  const ridx = AluExp.variable("int32", "ridx");
  const a = (i: AluExp) =>
    AluExp.globalIndex("float32", 0, m * k, AluExp.add(AluExp.mul(i, AluExp.i32(k)), ridx));
  const b = (j: AluExp) =>
    AluExp.globalIndex("float32", 1, k * n, AluExp.add(AluExp.mul(ridx, AluExp.i32(n)), j));
  const sum = () => new Reduction("float32", "Add", k);
  // out[j·m + i] = Σ_r a[i, r]·b[r, j]: rows (i) run along the output's unit stride.
  const transposed = new Kernel(
    2,
    m * n,
    AluExp.mul(a(AluExp.mod(gidx, AluExp.i32(m))), b(AluExp.idiv(gidx, AluExp.i32(m)))),
    sum(),
  );
  assert.deepEqual(gemmPlan(transposed), {
    batch: 1,
    m,
    n,
    k,
    a: { gid: 0, offset: 0, rowStride: k, colStride: 1, batchStride: 0 },
    b: { gid: 1, offset: 0, rowStride: n, colStride: 1, batchStride: 0 },
    out: { rowStride: 1, colStride: m, batchStride: 0 },
  });
  // out[i·n + j] = Σ_r b[r, j]·a[i, r]: the first factor is B, so the plan's "A" is B read
  // column by column and its rows are the output's columns.
  const swapped = new Kernel(
    2,
    m * n,
    AluExp.mul(b(AluExp.mod(gidx, AluExp.i32(n))), a(AluExp.idiv(gidx, AluExp.i32(n)))),
    sum(),
  );
  assert.deepEqual(gemmPlan(swapped), {
    batch: 1,
    m: n,
    n: m,
    k,
    a: { gid: 1, offset: 0, rowStride: 1, colStride: n, batchStride: 0 },
    b: { gid: 0, offset: 0, rowStride: 1, colStride: k, batchStride: 0 },
    out: { rowStride: 1, colStride: n, batchStride: 0 },
  });
  // Each product stored twice (an output loop neither operand reads) is no GEMM.
  const strided = new Kernel(
    2,
    2 * m * n,
    AluExp.mul(
      a(AluExp.idiv(gidx, AluExp.i32(2 * n))),
      b(AluExp.idiv(AluExp.mod(gidx, AluExp.i32(2 * n)), AluExp.i32(2))),
    ),
    sum(),
  );
  assert.equal(gemmPlan(strided), undefined, "each product stored twice");
});
