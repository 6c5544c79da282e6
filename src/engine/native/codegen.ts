/**
 * Translates a jax-js `Kernel` (one `AluExp` per output element, an optional reduction over
 * `ridx` with an epilogue) into a C function for the native backend.
 *
 * The flat output index `gidx` is split into the mixed-radix loop nest its own index
 * expressions use (`(gidx / 1088) % 34` gives a loop of 34 with stride 1088), so that after
 * jax-js's own simplifier every load index is affine in the loop counters and the C compiler
 * can vectorise the innermost loop. Reductions run as tiles: 16 lanes along the innermost
 * output dimension (an OpenMP `simd` loop) times up to 4 rows of the next one, each lane
 * accumulating its own output element over `ridx` in sequential order. An `Add` reduction of a
 * product accumulates with `fmaf`/`fma`.
 *
 * Threads split only whole tiles of the outer loops (OpenMP, static schedule), and every
 * output element is computed by the same instructions whichever thread runs it, so results
 * are bit-identical for any thread count.
 */
import type { AluExp, DType, Kernel } from "@jax-js/jax/backend";
import { AluExp as Alu } from "@jax-js/jax/backend";
import { blasLayout, type GemmPlan, matchGemm } from "./gemm.ts";

/** Lanes of a reduction tile along the innermost output dimension (one 512-bit vector of f32). */
const TILE_LANES = 16;
/** Rows of a reduction tile along the next-outer output dimension. */
const TILE_ROWS = 4;
/** Work (output elements x reduction length) below which a kernel runs on one thread. */
const PARALLEL_MIN_WORK = 1 << 15;

const C_TYPE: Record<DType, string> = {
  float32: "float",
  float64: "double",
  float16: "_Float16",
  int32: "int32_t",
  uint32: "uint32_t",
  bool: "int32_t",
};

const isFloat = (dtype: DType): boolean =>
  dtype === "float32" || dtype === "float64" || dtype === "float16";

/** A C literal of `value` in `dtype`. */
function literal(dtype: DType, value: number): string {
  if (dtype === "bool") return value ? "1" : "0";
  if (dtype === "int32") return `((int32_t)${Math.trunc(value) | 0})`;
  if (dtype === "uint32") return `((uint32_t)${Math.trunc(value) >>> 0}u)`;
  if (Number.isNaN(value)) return `((${C_TYPE[dtype]})NAN)`;
  if (value === Number.POSITIVE_INFINITY) return `((${C_TYPE[dtype]})INFINITY)`;
  if (value === Number.NEGATIVE_INFINITY) return `((${C_TYPE[dtype]})-INFINITY)`;
  if (Object.is(value, -0)) return `((${C_TYPE[dtype]})-0.0)`;
  return `((${C_TYPE[dtype]})${value.toPrecision(17)})`;
}

/** One loop of the output nest: `extent` iterations, `stride` in the flat output index. */
interface Loop {
  name: string;
  extent: number;
  stride: number;
}

/**
 * The loop nest of the flat output index: the boundaries are the divisors and moduli that the
 * kernel applies to `gidx`; they must form a divisibility chain, else the nest is one loop.
 */
export function outputLoops(kernel: Kernel): Loop[] {
  const size = kernel.size;
  const bounds = new Set<number>([1, size]);
  const isGidx = (e: AluExp) => e.op === "Variable" && e.arg === "gidx";
  const constOf = (e: AluExp): number | undefined =>
    e.op === "Const" && Number.isInteger(e.arg) && e.arg > 0 ? (e.arg as number) : undefined;
  const visit = (e: AluExp) => {
    if (e.op === "Idiv" && isGidx(e.src[0])) {
      const c = constOf(e.src[1]);
      if (c !== undefined) bounds.add(Math.min(c, size));
    }
    if (e.op === "Mod") {
      const m = constOf(e.src[1]);
      if (m !== undefined && isGidx(e.src[0])) bounds.add(Math.min(m, size));
      if (m !== undefined && e.src[0].op === "Idiv" && isGidx(e.src[0].src[0])) {
        const c = constOf(e.src[0].src[1]);
        if (c !== undefined) bounds.add(Math.min(c * m, size));
      }
    }
    return true;
  };
  kernel.exp.collect(visit);
  kernel.reduction?.epilogue.collect(visit);
  const sorted = [...bounds].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] % sorted[i - 1] !== 0) return [{ name: "v0", extent: size, stride: 1 }];
  }
  const loops: Loop[] = [];
  for (let i = sorted.length - 1; i > 0; i--) {
    loops.push({ name: "", extent: sorted[i] / sorted[i - 1], stride: sorted[i - 1] });
  }
  if (loops.length === 0) loops.push({ name: "", extent: size, stride: 1 });
  return loops.map((loop, i) => ({ ...loop, name: `v${i}` }));
}

/** Emits SSA statements for expressions, sharing structurally equal subexpressions. */
class Emitter {
  readonly lines: string[] = [];
  readonly #names = new Map<bigint, string>();
  #next = 0;
  constructor(
    readonly prefix: string,
    readonly inputTypes: Map<number, DType>,
  ) {}

  emit(e: AluExp): string {
    const key = e.getHash();
    const known = this.#names.get(key);
    if (known) return known;
    const code = this.#expression(e);
    if (e.op === "Const" || e.op === "Special" || e.op === "Variable") {
      this.#names.set(key, code);
      return code;
    }
    const name = `${this.prefix}${this.#next++}`;
    this.lines.push(`const ${C_TYPE[e.dtype]} ${name} = ${code};`);
    this.#names.set(key, name);
    return name;
  }

  #expression(e: AluExp): string {
    const t = C_TYPE[e.dtype];
    const s = (i: number) => this.emit(e.src[i]);
    const suffix = e.dtype === "float32" ? "f" : "";
    const math = (fn: string) =>
      e.dtype === "float16" ? `((_Float16)${fn}f((float)${s(0)}))` : `${fn}${suffix}(${s(0)})`;
    switch (e.op) {
      case "Const":
        return literal(e.dtype, e.arg as number);
      case "Special":
        return (e.arg as [string, number])[0];
      case "Variable":
        return e.arg as string;
      case "Add":
        return e.dtype === "bool" ? `(${s(0)} | ${s(1)})` : `(${t})(${s(0)} + ${s(1)})`;
      case "Sub":
        return `(${t})(${s(0)} - ${s(1)})`;
      case "Mul":
        return e.dtype === "bool" ? `(${s(0)} & ${s(1)})` : `(${t})(${s(0)} * ${s(1)})`;
      case "Idiv":
      case "Mod":
        return this.#divide(e);
      case "Min":
      case "Max":
        return this.#minMax(e);
      case "BitCombine": {
        const op = { and: "&", or: "|", xor: "^" }[e.arg as string] ?? "^";
        return `(${t})(${s(0)} ${op} ${s(1)})`;
      }
      case "BitShift":
        return e.arg === "shl"
          ? `(${t})((uint32_t)${s(0)} << (${s(1)} & 31))`
          : `(${t})((uint32_t)${s(0)} >> (${s(1)} & 31))`;
      case "BitInvert":
        return `(${t})(~${s(0)})`;
      case "Cmplt":
        return `(int32_t)(${s(0)} < ${s(1)})`;
      case "Cmpne":
        return `(int32_t)(${s(0)} != ${s(1)})`;
      case "BitCount":
        return `(int32_t)__builtin_popcount((uint32_t)${s(0)})`;
      case "Sin":
        return math("sin");
      case "Cos":
        return math("cos");
      case "Asin":
        return math("asin");
      case "Atan":
        return math("atan");
      case "Exp":
        return e.dtype === "float32" ? `dj_expf(${s(0)})` : math("exp");
      case "Log":
        return e.dtype === "float32" ? `dj_logf(${s(0)})` : math("log");
      case "Erf":
        return math("erf");
      case "Erfc":
        return math("erfc");
      case "Sqrt":
        return math("sqrt");
      case "Floor":
        return math("floor");
      case "Ceil":
        return math("ceil");
      case "Reciprocal":
        return `(${t})(${literal(e.dtype, 1)} / ${s(0)})`;
      case "Cast":
        return this.#cast(e.dtype, e.src[0].dtype, s(0));
      case "Bitcast":
        return `dj_bitcast_${e.src[0].dtype}_${e.dtype}(${s(0)})`;
      case "Where":
        return `(${s(0)} ? ${s(1)} : ${s(2)})`;
      case "Threefry2x32": {
        const mode = e.arg === "xor" ? 2 : (e.arg as number);
        return `dj_threefry(${s(0)}, ${s(1)}, ${s(2)}, ${s(3)}, ${mode})`;
      }
      case "GlobalIndex": {
        const [gid, len] = e.arg as [number, number];
        this.inputTypes.set(gid, e.dtype);
        const index = e.src[0];
        const idx = this.emit(index);
        const safe = index.min >= 0 && index.max < len;
        const at = safe ? idx : `(${idx} < 0 ? 0 : ${idx} >= ${len} ? ${len - 1} : ${idx})`;
        return `in${gid}[${at}]`;
      }
      default:
        throw new Error(`native backend: no C translation for ALU op ${e.op} (${e.dtype})`);
    }
  }

  /** Min/Max, with the cheaper form against a float32 constant where it is exact. */
  #minMax(e: AluExp): string {
    const max = e.op === "Max";
    if (e.dtype === "float32") {
      const constant = e.src.findIndex((x) => x.op === "Const");
      const c = constant >= 0 ? (e.src[constant].arg as number) : Number.NaN;
      // Not NaN, and not the zero whose sign the other operand would decide.
      if (!Number.isNaN(c) && !Object.is(c, max ? -0 : 0)) {
        return `dj_${max ? "max" : "min"}cf(${this.emit(e.src[1 - constant])}, ${literal("float32", c)})`;
      }
    }
    return minMaxC(max, e.dtype, this.emit(e.src[0]), this.emit(e.src[1]));
  }

  /**
   * Idiv/Mod. A divisor that is a positive constant (every index computation) is a plain C
   * `/` or `%`, which the compiler strength-reduces; otherwise integer division goes through
   * the prelude's checked helpers (no SIGFPE on a zero divisor).
   */
  #divide(e: AluExp): string {
    const [a, b] = [this.emit(e.src[0]), this.emit(e.src[1])];
    const t = C_TYPE[e.dtype];
    if (isFloat(e.dtype)) {
      const suffix = e.dtype === "float32" ? "f" : "";
      return e.op === "Idiv" ? `trunc${suffix}(${a} / ${b})` : `fmod${suffix}(${a}, ${b})`;
    }
    const divisor = e.src[1];
    if (divisor.op === "Const" && (divisor.arg as number) > 0) {
      return `(${t})(${a} ${e.op === "Idiv" ? "/" : "%"} ${b})`;
    }
    const kind = e.dtype === "uint32" ? "u32" : "i32";
    return `dj_${e.op === "Idiv" ? "idiv" : "mod"}_${kind}(${a}, ${b})`;
  }

  #cast(to: DType, from: DType, x: string): string {
    if (to === from) return x;
    if (to === "bool")
      return isFloat(from) ? `(int32_t)(${x} == ${x} && ${x} != 0)` : `(int32_t)(${x} != 0)`;
    if (to === "int32" && isFloat(from)) return `dj_f2i((double)${x})`;
    if (to === "uint32" && isFloat(from)) return `dj_f2u((double)${x})`;
    return `(${C_TYPE[to]})${x}`;
  }
}

/** min/max of two C values: the prelude's NaN- and signed-zero-aware helpers for floats. */
function minMaxC(max: boolean, dtype: DType, a: string, b: string): string {
  if (isFloat(dtype))
    return `dj_${max ? "max" : "min"}${dtype === "float32" ? "f" : ""}(${a}, ${b})`;
  return `(${a} ${max ? ">" : "<"} ${b} ? ${a} : ${b})`;
}

/** The combining step of a reduction in C, `fma` for an `Add` of a product. */
function combine(op: string, dtype: DType, acc: string, e: AluExp, emitter: Emitter): string {
  if (op === "Add" && e.op === "Mul" && (dtype === "float32" || dtype === "float64")) {
    const fma = dtype === "float32" ? "fmaf" : "fma";
    return `${fma}(${emitter.emit(e.src[0])}, ${emitter.emit(e.src[1])}, ${acc})`;
  }
  const x = emitter.emit(e);
  const t = C_TYPE[dtype];
  switch (op) {
    case "Add":
      return dtype === "bool" ? `(${acc} | ${x})` : `(${t})(${acc} + ${x})`;
    case "Mul":
      return dtype === "bool" ? `(${acc} & ${x})` : `(${t})(${acc} * ${x})`;
    case "Min":
    case "Max":
      return minMaxC(op === "Max", dtype, acc, x);
    default:
      throw new Error(`native backend: unsupported reduction ${op}`);
  }
}

function indent(lines: string[], depth: number): string[] {
  const pad = "  ".repeat(depth);
  return lines.map((line) => pad + line);
}

/** Fewest rows (or columns) of the output one `sgemm` call computes. */
const GEMM_BLOCK = 64;
/** Most blocks (or reduction parts) one GEMM is split into, for threads. */
const GEMM_SPLITS = 8;
/** Shortest reduction part when a long reduction is split. */
const GEMM_K_CHUNK = 2048;

/** The C source of one kernel as `void NAME(const double* args)`; args[0] is the output. */
export function kernelToC(kernel: Kernel, name: string, options: { blas: boolean }): string {
  const loops = outputLoops(kernel);
  const flatIndex = loops
    .map((loop) => Alu.mul(Alu.special("int32", loop.name, loop.extent), Alu.i32(loop.stride)))
    .reduce((a, b) => Alu.add(a, b));
  const reduction = kernel.reduction;
  const vars: Record<string, AluExp> = { gidx: flatIndex };
  if (reduction) vars.ridx = Alu.special("int32", "r", reduction.size);
  let exp = kernel.exp.substitute(vars).rewriteGlobalViews().simplify();
  if (reduction && exp.dtype !== reduction.dtype) exp = Alu.cast(reduction.dtype, exp).simplify();
  const epilogue = reduction?.epilogue
    .substitute({ gidx: flatIndex })
    .rewriteGlobalViews()
    .simplify();
  const outType = C_TYPE[kernel.dtype];
  const inputTypes = new Map<number, DType>();
  const outIndex = loops
    .map((l) => (l.stride === 1 ? l.name : `${l.name} * ${l.stride}`))
    .join(" + ");
  const work = kernel.size * (reduction?.size ?? 1);
  const parallel = work >= PARALLEL_MIN_WORK;

  const body: string[] = [];
  // sgemm writes float32: the output (after the epilogue) must be float32 too.
  const gemm =
    options.blas && kernel.dtype === "float32" ? matchGemm(kernel, loops, exp) : undefined;
  if (gemm && epilogue) {
    body.push(...gemmCall(gemm, parallel));
    if (!(epilogue.op === "Variable" && epilogue.arg === "acc")) {
      // The epilogue in place over the product: acc is the element sgemm wrote.
      const parallelEpilogue = kernel.size >= PARALLEL_MIN_WORK;
      body.push(
        ...pointwise(
          loops,
          outIndex,
          epilogue,
          inputTypes,
          parallelEpilogue,
          `const float acc = out[${outIndex}];`,
        ),
      );
    }
    inputTypes.set(gemm.a.gid, "float32");
    inputTypes.set(gemm.b.gid, "float32");
  } else {
    const inner = loops[loops.length - 1];
    const outer = loops.slice(0, -1);
    if (!reduction) {
      body.push(...pointwise(loops, outIndex, exp, inputTypes, parallel));
    } else {
      const accType = C_TYPE[reduction.dtype];
      const identity = literal(reduction.dtype, reduction.identity);
      const rows =
        outer.length > 0 && outer[outer.length - 1].extent % TILE_ROWS === 0 ? TILE_ROWS : 1;
      const rowLoop = rows > 1 ? outer[outer.length - 1] : undefined;
      const tileLines: string[] = [];
      const accs = Array.from({ length: rows }, (_, u) => `s${u}`);
      const rowBind = (u: number) =>
        rowLoop ? [`const int32_t ${rowLoop.name} = ${rowLoop.name}_0 + ${u};`] : [];
      const step: string[] = [];
      for (let u = 0; u < rows; u++) {
        const em = new Emitter(`a${u}_`, inputTypes);
        const next = combine(reduction.op, reduction.dtype, accs[u], exp, em);
        step.push("{", ...indent([...rowBind(u), ...em.lines, `${accs[u]} = ${next};`], 1), "}");
      }
      const finish: string[] = [];
      for (let u = 0; u < rows; u++) {
        const em = new Emitter(`e${u}_`, inputTypes);
        const value = em.emit(
          (epilogue as AluExp).substitute({ acc: Alu.variable(reduction.dtype, accs[u]) }),
        );
        finish.push(
          "{",
          ...indent([...rowBind(u), ...em.lines, `out[${outIndex}] = (${outType})${value};`], 1),
          "}",
        );
      }
      tileLines.push(
        `for (int32_t ${inner.name}_0 = 0; ${inner.name}_0 < ${inner.extent}; ${inner.name}_0 += ${TILE_LANES}) {`,
        `  const int32_t lanes = ${inner.extent} - ${inner.name}_0 < ${TILE_LANES} ? ${inner.extent} - ${inner.name}_0 : ${TILE_LANES};`,
        "  #pragma omp simd",
        "  for (int32_t l = 0; l < lanes; l++) {",
        `    const int32_t ${inner.name} = ${inner.name}_0 + l;`,
        `    ${accType} ${accs.map((a) => `${a} = ${identity}`).join(", ")};`,
        `    for (int32_t r = 0; r < ${reduction.size}; r++) {`,
        ...indent(step, 3),
        "    }",
        ...indent(finish, 2),
        "  }",
        "}",
      );
      const outerLoops = rowLoop
        ? [
            ...outer.slice(0, -1),
            { name: `${rowLoop.name}_0`, extent: rowLoop.extent, stride: 0, step: rows },
          ]
        : outer;
      body.push(...nest(outerLoops, tileLines, parallel, ""));
    }
  }

  const params = [`  ${outType}* restrict out = (${outType}*)(uintptr_t)args[0];`];
  for (const [gid, dtype] of [...inputTypes.entries()].sort((a, b) => a[0] - b[0])) {
    params.push(
      `  const ${C_TYPE[dtype]}* restrict in${gid} = (const ${C_TYPE[dtype]}*)(uintptr_t)args[${gid + 1}];`,
    );
  }
  return [`void ${name}(const double* args) {`, ...params, ...indent(body, 1), "}"].join("\n");
}

/**
 * The blocked `cblas_sgemm` calls of a GEMM plan. An output stored column-major is computed
 * as its transpose (Cᵀ = Bᵀ·Aᵀ). Blocks have a fixed size, so the split (and every result)
 * is the same for any thread count; BLAS itself runs on one thread inside each block.
 */
function gemmCall(plan: GemmPlan, parallel: boolean): string[] {
  let { m, n, a, b } = plan;
  let out = plan.out;
  if (!(n === 1 || out.colStride === 1)) {
    // Column-major output: swap the operands and compute the transpose.
    [m, n] = [n, m];
    [a, b] = [
      { ...b, rowStride: b.colStride, colStride: b.rowStride },
      { ...a, rowStride: a.colStride, colStride: a.rowStride },
    ];
    out = { rowStride: out.colStride, colStride: out.rowStride, batchStride: out.batchStride };
  }
  const la = blasLayout(a, m, plan.k);
  const lb = blasLayout(b, plan.k, n);
  const ldc = m === 1 ? Math.max(n, 1) : out.rowStride;
  if (!la || !lb)
    throw new Error("native backend: internal error, GEMM operand has no BLAS layout");
  const ta = la.transposed ? 112 : 111;
  const tb = lb.transposed ? 112 : 111;
  const aAt = (bt: string) => `in${a.gid} + ${a.offset} + (int64_t)${bt} * ${a.batchStride}`;
  const bAt = (bt: string) => `in${b.gid} + ${b.offset} + (int64_t)${bt} * ${b.batchStride}`;
  const cAt = (bt: string) => `out + (int64_t)${bt} * ${out.batchStride}`;
  // Split the output into at most GEMM_SPLITS blocks along its longer side, sized by the
  // shape alone (so the same for any thread count).
  const byRows = m >= n;
  const long = byRows ? m : n;
  const span = Math.max(GEMM_BLOCK, Math.ceil(long / GEMM_SPLITS / 16) * 16);
  const blocks = Math.ceil(long / span);
  if (plan.batch === 1 && blocks === 1 && plan.k >= 2 * GEMM_K_CHUNK) {
    // A small output over a long reduction (a weight gradient): split the reduction into a
    // fixed number of parts, each a GEMM into its own buffer, then add them in order.
    const parts = Math.min(GEMM_SPLITS, Math.floor(plan.k / GEMM_K_CHUNK));
    const kSpan = Math.ceil(plan.k / parts);
    const aStep = la.transposed ? `(int64_t)k0 * ${la.ld}` : "(int64_t)k0";
    const bStep = lb.transposed ? "(int64_t)k0" : `(int64_t)k0 * ${lb.ld}`;
    return [
      `float* part = (float*)malloc(sizeof(float) * ${parts} * ${m} * ${n});`,
      `${parallel ? "#pragma omp parallel for schedule(static)" : ""}`,
      `for (int32_t p = 0; p < ${parts}; p++) {`,
      `  const int32_t k0 = p * ${kSpan};`,
      `  const int32_t kc = ${plan.k} - k0 < ${kSpan} ? ${plan.k} - k0 : ${kSpan};`,
      `  cblas_sgemm(101, ${ta}, ${tb}, ${m}, ${n}, kc, 1.0f, ${aAt("0")} + ${aStep}, ${la.ld},`,
      `    ${bAt("0")} + ${bStep}, ${lb.ld}, 0.0f, part + (int64_t)p * ${m * n}, ${n});`,
      "}",
      `for (int32_t i = 0; i < ${m}; i++) {`,
      "  #pragma omp simd",
      `  for (int32_t j = 0; j < ${n}; j++) {`,
      `    float sum = part[i * ${n} + j];`,
      `    for (int32_t p = 1; p < ${parts}; p++) sum += part[(int64_t)p * ${m * n} + i * ${n} + j];`,
      `    out[(int64_t)i * ${ldc} + j] = sum;`,
      "  }",
      "}",
      "free(part);",
    ].filter((line) => line !== "");
  }
  const lines = [
    `${parallel && plan.batch * blocks > 1 ? "#pragma omp parallel for collapse(2) schedule(static)" : ""}`,
    `for (int32_t bt = 0; bt < ${plan.batch}; bt++) {`,
    `  for (int32_t blk = 0; blk < ${blocks}; blk++) {`,
    `    const int32_t start = blk * ${span};`,
    `    const int32_t count = ${long} - start < ${span} ? ${long} - start : ${span};`,
  ];
  const aRow = byRows ? `(int64_t)start * ${a.rowStride}` : "0";
  const bCol = byRows ? "0" : `(int64_t)start * ${b.colStride}`;
  const cOffset = byRows ? `(int64_t)start * ${ldc}` : "(int64_t)start";
  lines.push(
    `    cblas_sgemm(101, ${ta}, ${tb}, ${byRows ? "count" : m}, ${byRows ? n : "count"}, ${plan.k}, 1.0f,`,
    `      ${aAt("bt")} + ${aRow}, ${la.ld},`,
    `      ${bAt("bt")} + ${bCol}, ${lb.ld},`,
    `      0.0f, ${cAt("bt")} + ${cOffset}, ${ldc});`,
    "  }",
    "}",
  );
  return lines.filter((line) => line !== "");
}

/**
 * `out[outIndex] = value` over the loop nest, the innermost loop an OpenMP `simd` loop;
 * `preamble` (a C statement) starts each iteration.
 */
function pointwise(
  loops: Loop[],
  outIndex: string,
  value: AluExp,
  inputTypes: Map<number, DType>,
  parallel: boolean,
  preamble?: string,
): string[] {
  const inner = loops[loops.length - 1];
  const em = new Emitter("t", inputTypes);
  const result = em.emit(value);
  const loopLines = [
    `for (int32_t ${inner.name} = 0; ${inner.name} < ${inner.extent}; ${inner.name}++) {`,
    ...(preamble ? [`  ${preamble}`] : []),
    ...indent(em.lines, 1),
    `  out[${outIndex}] = ${result};`,
    "}",
  ];
  return nest(loops.slice(0, -1), loopLines, parallel, "#pragma omp simd");
}

/** Wraps `inner` in the outer loops, collapsed into one OpenMP parallel loop. */
function nest(
  loops: (Loop & { step?: number })[],
  inner: string[],
  parallel: boolean,
  innerPragma: string,
): string[] {
  if (loops.length === 0) {
    // A single loop: split it across threads directly (for a reduction, whole tiles).
    if (!parallel) return innerPragma ? [innerPragma, ...inner] : inner;
    const pragma = innerPragma
      ? "#pragma omp parallel for simd schedule(static)"
      : "#pragma omp parallel for schedule(static)";
    return [pragma, ...inner];
  }
  const lines: string[] = [];
  if (parallel) lines.push(`#pragma omp parallel for collapse(${loops.length}) schedule(static)`);
  loops.forEach((loop, depth) => {
    const step = loop.step ?? 1;
    lines.push(
      `${"  ".repeat(depth)}for (int32_t ${loop.name} = 0; ${loop.name} < ${loop.extent}; ${loop.name} += ${step}) {`,
    );
  });
  const pad = loops.length;
  if (innerPragma) lines.push(`${"  ".repeat(pad)}${innerPragma}`);
  lines.push(...indent(inner, pad));
  for (let depth = loops.length - 1; depth >= 0; depth--) lines.push(`${"  ".repeat(depth)}}`);
  return lines;
}
