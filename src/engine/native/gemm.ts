/**
 * Recognises a kernel that is a (batched) matrix product with plain strides, so the native
 * backend can run it as one BLAS `sgemm` per block instead of a generic reduction loop.
 *
 * After the output loops are bound (codegen.ts) a matmul kernel reads
 * `Add over r of A[offA + i·sAi + r·sAk] · B[offB + r·sBk + j·sBj]` (optionally with a batch
 * loop both read): every index affine in the loop counters, A not reading j, B not reading i.
 * BLAS needs one of each matrix's two strides to be 1; a broadcast (stride 0) or a masked,
 * padded load (a `Where`) does not match, and the kernel stays on the generic path.
 */
import type { AluExp, Kernel } from "@jax-js/jax/backend";

/** Coefficients of an affine integer expression in named counters, and its constant. */
export interface Affine {
  coef: Map<string, number>;
  constant: number;
}

/** `e` as an affine function of Special/Variable counters, or undefined if it is not one. */
export function affine(e: AluExp): Affine | undefined {
  switch (e.op) {
    case "Const":
      return Number.isInteger(e.arg) ? { coef: new Map(), constant: e.arg as number } : undefined;
    case "Special":
      return { coef: new Map([[(e.arg as [string, number])[0], 1]]), constant: 0 };
    case "Variable":
      return { coef: new Map([[e.arg as string, 1]]), constant: 0 };
    case "Add":
    case "Sub": {
      const a = affine(e.src[0]);
      const b = affine(e.src[1]);
      if (!a || !b) return undefined;
      const sign = e.op === "Add" ? 1 : -1;
      const coef = new Map(a.coef);
      for (const [k, v] of b.coef) coef.set(k, (coef.get(k) ?? 0) + sign * v);
      return { coef, constant: a.constant + sign * b.constant };
    }
    case "Mul": {
      const a = affine(e.src[0]);
      const b = affine(e.src[1]);
      if (!a || !b) return undefined;
      const [c, x] = a.coef.size === 0 ? [a.constant, b] : b.coef.size === 0 ? [b.constant, a] : [];
      if (c === undefined || !x) return undefined;
      return { coef: new Map([...x.coef].map(([k, v]) => [k, v * c])), constant: x.constant * c };
    }
    default:
      return undefined;
  }
}

/** One strided matrix operand: element (row, col) at `offset + row·rowStride + col·colStride`. */
export interface Operand {
  gid: number;
  offset: number;
  rowStride: number;
  colStride: number;
  batchStride: number;
}

export interface GemmPlan {
  /** Output [batch, m, n] with strides; A is [m, k], B is [k, n]. */
  batch: number;
  m: number;
  n: number;
  k: number;
  a: Operand;
  b: Operand;
  out: { rowStride: number; colStride: number; batchStride: number };
}

interface LoopInfo {
  name: string;
  extent: number;
  stride: number;
}

/** The GEMM plan of a float32 `Add` reduction of a product of two loads, if it is one. */
export function matchGemm(kernel: Kernel, loops: LoopInfo[], exp: AluExp): GemmPlan | undefined {
  const reduction = kernel.reduction;
  if (reduction?.op !== "Add" || reduction.dtype !== "float32") return undefined;
  if (exp.op !== "Mul" || exp.dtype !== "float32") return undefined;
  const [x, y] = exp.src;
  if (x.op !== "GlobalIndex" || y.op !== "GlobalIndex") return undefined;
  if (x.dtype !== "float32" || y.dtype !== "float32") return undefined;
  const ix = affine(x.src[0]);
  const iy = affine(y.src[0]);
  if (!ix || !iy) return undefined;
  const kx = ix.coef.get("r") ?? 0;
  const ky = iy.coef.get("r") ?? 0;
  const used = loops.filter((l) => l.extent > 1);
  // Classify each output loop: read by x only (rows), y only (cols), or both (batch).
  const rows: LoopInfo[] = [];
  const cols: LoopInfo[] = [];
  const batch: LoopInfo[] = [];
  for (const loop of used) {
    const inX = (ix.coef.get(loop.name) ?? 0) !== 0;
    const inY = (iy.coef.get(loop.name) ?? 0) !== 0;
    if (inX && inY) batch.push(loop);
    else if (inX) rows.push(loop);
    else if (inY) cols.push(loop);
    else return undefined; // an output loop neither operand reads: a broadcast, not a GEMM
  }
  if (rows.length > 1 || cols.length > 1 || batch.length > 1) return undefined;
  const counters = new Set(used.map((l) => l.name).concat("r"));
  for (const a of [ix, iy])
    for (const name of a.coef.keys()) if (!counters.has(name)) return undefined;
  const row = rows[0];
  const col = cols[0];
  const bat = batch[0];
  const coefOf = (a: Affine, loop: LoopInfo | undefined) =>
    loop ? (a.coef.get(loop.name) ?? 0) : 0;
  const plan: GemmPlan = {
    batch: bat?.extent ?? 1,
    m: row?.extent ?? 1,
    n: col?.extent ?? 1,
    k: reduction.size,
    a: {
      gid: (x.arg as [number, number])[0],
      offset: ix.constant,
      rowStride: coefOf(ix, row),
      colStride: kx,
      batchStride: coefOf(ix, bat),
    },
    b: {
      gid: (y.arg as [number, number])[0],
      offset: iy.constant,
      rowStride: ky,
      colStride: coefOf(iy, col),
      batchStride: coefOf(iy, bat),
    },
    out: {
      rowStride: row?.stride ?? 0,
      colStride: col?.stride ?? 0,
      batchStride: bat?.stride ?? 0,
    },
  };
  if (!blasLayout(plan.a, plan.m, plan.k) || !blasLayout(plan.b, plan.k, plan.n)) return undefined;
  if (!blasLayout({ ...plan.out, gid: -1, offset: 0 }, plan.m, plan.n)) return undefined;
  return plan;
}

/**
 * How BLAS reads a [rows, cols] operand: not transposed with leading dimension `ld` when the
 * column stride is 1, transposed when the row stride is 1; undefined if neither.
 */
export function blasLayout(
  op: Operand,
  rows: number,
  cols: number,
): { transposed: boolean; ld: number } | undefined {
  const rowStride = rows === 1 ? Math.max(cols, 1) : op.rowStride;
  const colStride = cols === 1 ? 1 : op.colStride;
  if (colStride === 1 && rowStride >= cols) return { transposed: false, ld: rowStride };
  const rs = rows === 1 ? 1 : op.rowStride;
  const cs = cols === 1 ? Math.max(rows, 1) : op.colStride;
  if (rs === 1 && cs >= rows) return { transposed: true, ld: cs };
  return undefined;
}
