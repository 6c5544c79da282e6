/**
 * The native backend's C translation of jax-js kernels (src/engine/native/codegen.ts): jitted
 * functions run on the "native" device, checked against closed forms computed here in double
 * precision, or against jax-js's reference interpreter (the "cpu" device) where the result is
 * exact data movement or integer math. Shapes are odd (7, 17, 33, 130, 257 per dimension) so
 * that vector loops and reduction tiles have tails.
 *
 * The backend can run a kernel on jax-js's Wasm backend instead (small kernels by default,
 * which helpers/every-kernel-native.ts turns off; kernels not compiled yet, in earlier
 * versions), so every function is warmed up first, and each checked run asserts that no
 * kernel went to Wasm and that compiled kernels ran (the backend's per-kernel profile).
 */
// Both must come first: the first sets what backend.ts reads when it is first evaluated; the
// second installs the Node worker shim, which must run before @jax-js/jax creates its Wasm
// backend (when the package is first evaluated).
import "./helpers/every-kernel-native.ts";
import "../../../src/engine/jax.ts";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { AluExp, getBackend, Kernel, Reduction } from "@jax-js/jax/backend";
import fc from "fast-check";
import { initEngine } from "../../../src/engine/device.ts";
import {
  type Device,
  defaultDevice,
  jit,
  numpy as np,
  random,
  scipySpecial,
  type Array as Tensor,
} from "../../../src/engine/jax.ts";
import { findOpenBlas } from "../../../src/engine/native/backend.ts";
import { nativeBackend } from "../../../src/engine/native/register.ts";

await initEngine("cpu");
await initEngine("native");
const registered = nativeBackend();
if (!registered) throw new Error("the native backend did not register");
const native = registered;
native.profiling = true;

/** jax-js's Device type lists the built-in devices only. */
const NATIVE = "native" as Device;

/** Kernels the native backend sent to its Wasm fallback (it calls the Wasm backend's dispatch). */
let wasmRuns = 0;
const wasm = getBackend("wasm");
const wasmDispatch = wasm.dispatch.bind(wasm);
wasm.dispatch = (exe, inputs, outputs) => {
  wasmRuns++;
  wasmDispatch(exe, inputs, outputs);
};

/** Compiled kernels that ran since profiling was turned on, by name. */
function nativeCalls(): Map<string, { calls: number; source: string }> {
  return new Map(native.profile().map((k) => [k.name, { calls: k.calls, source: k.source }]));
}

/** C sources of the compiled kernels that ran between two {@link nativeCalls} snapshots. */
function ranBetween(
  before: Map<string, { calls: number }>,
  after: Map<string, { calls: number; source: string }>,
): string[] {
  return [...after]
    .filter(([name, k]) => k.calls > (before.get(name)?.calls ?? 0))
    .map(([, k]) => k.source);
}

type Data = Float32Array | Float64Array | Int32Array | Uint32Array;

type Kind = "float32" | "int32" | "uint32";
const DTYPES = { float32: np.float32, int32: np.int32, uint32: np.uint32 };

interface Input {
  values: ArrayLike<number>;
  shape: number[];
  dtype?: Kind;
}

type Program = (...args: Tensor[]) => Tensor[];

const ARRAYS = { float32: Float32Array, int32: Int32Array, uint32: Uint32Array };
const typed = ({ values, dtype = "float32" }: Input): Data => ARRAYS[dtype].from(values);

/** Calls the jitted `f` on `device` and reads every output. */
async function execute(
  f: (...args: Tensor[]) => Tensor[],
  device: Device,
  inputs: Input[],
): Promise<Data[]> {
  defaultDevice(device);
  try {
    const args = inputs.map((x) =>
      np.array(typed(x), { shape: x.shape, dtype: DTYPES[x.dtype ?? "float32"], device }),
    );
    const out: Data[] = [];
    for (const y of f(...args)) out.push((await y.data()) as Data);
    return out;
  } finally {
    defaultDevice(NATIVE);
  }
}

/** Runs of a new function before the checked one (where its kernels might start on Wasm). */
const WARM_UP_RUNS = 4;

/** The shape and dtype of an input, without its values. */
type Signature = Omit<Input, "values">;

/** Every program of this file, for the shared warm-up. */
const programs: NativeProgram[] = [];

/**
 * A function jitted for the native device, for inputs of the given signatures. The first
 * {@link run} warms it up (after the shared warm-up of every program, {@link warmUpAll});
 * every run is then checked to have run its kernels as compiled native code only. `sources`
 * holds the C of the kernels the last run called.
 */
class NativeProgram {
  readonly #f: ReturnType<typeof jit<Program>>;
  #warm = false;
  sources: string[] = [];

  constructor(
    readonly fn: Program,
    readonly signatures: Signature[],
  ) {
    this.#f = jit(fn);
    programs.push(this);
  }

  async run(inputs: Input[]): Promise<Data[]> {
    void divisionResults();
    await warmUpAll();
    if (!this.#warm) {
      for (let i = 0; i < WARM_UP_RUNS; i++) await execute(this.#f, NATIVE, inputs);
      this.#warm = true;
    }
    const wasmBefore = wasmRuns;
    const before = nativeCalls();
    const out = await execute(this.#f, NATIVE, inputs);
    this.sources = ranBetween(before, nativeCalls());
    assert.equal(wasmRuns - wasmBefore, 0, "no kernel ran on the Wasm fallback");
    assert.ok(this.sources.length > 0, "compiled native kernels ran");
    return out;
  }

  dispose(): void {
    this.#f.dispose();
  }
}

/** Stand-in inputs: distinct, nonzero values (some programs divide by them). */
const standIn = ({ shape, dtype }: Signature): Input => ({
  values: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => (i % 7) + 1),
  shape,
  dtype,
});

/**
 * At the first run of any program, all programs run once as one jitted function on stand-in
 * inputs: the backend builds the kernels of a flush in one compiler run, so the file pays the
 * compiler's start-up and the prelude (~0.3 s) once instead of once per program. The programs'
 * own kernels are the same (jax-js keys kernels by structure), so they find them built.
 * (Not a `before` hook: registered at the top level of a module that awaited, node:test runs
 * it at once, before the programs below are defined.)
 */
let warmUp: Promise<void> | undefined;
function warmUpAll(): Promise<void> {
  warmUp ??= (async () => {
    const starts = programs.map((_, k) =>
      programs.slice(0, k).reduce((n, p) => n + p.signatures.length, 0),
    );
    const all = jit((...xs: Tensor[]) =>
      programs.flatMap((p, k) => p.fn(...xs.slice(starts[k], starts[k] + p.signatures.length))),
    );
    const loaded = native.stats.programsLoaded;
    try {
      await execute(
        all,
        NATIVE,
        programs.flatMap((p) => p.signatures.map(standIn)),
      );
    } finally {
      all.dispose();
    }
    assert.ok(native.stats.programsLoaded > loaded, "the shared warm-up compiled a program");
  })();
  return warmUp;
}

/** `fn` jitted on jax-js's reference interpreter. */
async function onCpu(fn: Program, inputs: Input[]): Promise<Data[]> {
  const f = jit(fn);
  try {
    return await execute(f, "cpu", inputs);
  } finally {
    f.dispose();
  }
}

/** Applies each op to fresh references of the arguments, then releases the arguments. */
const program =
  (ops: ((...xs: Tensor[]) => Tensor)[]): Program =>
  (...xs) => {
    const out = ops.map((op) => op(...xs.map((x) => x.ref)));
    for (const x of xs) x.dispose();
    return out;
  };

interface Tolerance {
  rtol: number;
  atol: number;
}

/** Bit-for-bit, including the sign of zero. */
const EXACT = "exact" as const;
/** Equal as numbers (0 and -0 equal). */
const EQUAL: Tolerance = { rtol: 0, atol: 0 };
/**
 * A float32 math function against the double result rounded to float32: glibc's float
 * functions (and the prelude's own exp and log) are within 1-2 ulp, rtol 1e-6 is about 8 ulp;
 * results below the smallest normal float32 (1.2e-38) carry only absolute precision.
 */
const LIBM: Tolerance = { rtol: 1e-6, atol: 1.2e-38 };

type Check = typeof EXACT | Tolerance;

/** A number as text, -0 included. */
const show = (v: number) => (Object.is(v, -0) ? "-0" : String(v));

function describe(inputs: ArrayLike<number>[], i: number): string {
  return inputs.map((x) => show(x[i])).join(", ");
}

/** Compares `actual` with `expected` elementwise; `args` are the inputs, for messages. */
function check(
  what: string,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  how: Check,
  args: ArrayLike<number>[] = [],
): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const [a, e] = [actual[i], expected[i]];
    const at = () =>
      `${what}[${i}] of (${describe(args, i)}): native ${show(a)}, expected ${show(e)}`;
    if (how === EXACT) {
      assert.ok(Object.is(a, e), at());
    } else if (Number.isNaN(e) || !Number.isFinite(e)) {
      assert.ok(Object.is(a, e), at());
    } else {
      assert.ok(Math.abs(a - e) <= how.atol + how.rtol * Math.abs(e), at());
    }
  }
}

/** float32 rounding of a closed form, where the result is a float32 array. */
const rounded = (values: number[]) => Float32Array.from(values);

// ---------------------------------------------------------------------------------------------
// Reference functions in double precision

/** erf by its Maclaurin series (|x| <= 3) or as 1 - erfc. */
function erf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (Math.abs(x) > 3) return Math.sign(x) * (1 - erfc(Math.abs(x)));
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    const t = term / (2 * n + 1);
    sum += t;
    if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/** erfc by Laplace's continued fraction (x >= 3) or as 1 - erf. */
function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 3) return 1 - erf(x);
  // erfc x = exp(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated bottom-up.
  let fraction = x;
  for (let n = 80; n >= 1; n--) fraction = x + n / 2 / fraction;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / fraction;
}

test("the erf/erfc references match tabulated values", () => {
  // Abramowitz & Stegun table 7.1 and mpmath, to 13 significant digits.
  const table: [number, number, number][] = [
    [0.5, 0.5204998778130465, 0.4795001221869535],
    [1, 0.8427007929497149, 0.1572992070502851],
    [2, 0.9953222650189527, 0.004677734981047266],
    [3, 0.9999779095030014, 2.209049699858544e-5],
    [5, 0.9999999999984626, 1.537459794428035e-12],
    [10, 1, 2.088487583762545e-45],
  ];
  for (const [x, e, c] of table) {
    assert.ok(Math.abs(erf(x) - e) <= 1e-13, `erf(${x}) = ${erf(x)}`);
    assert.ok(Math.abs(erfc(x) - c) <= 1e-12 * c, `erfc(${x}) = ${erfc(x)}`);
    assert.ok(Math.abs(erf(-x) + e) <= 1e-13, `erf(-${x})`);
  }
});

// ---------------------------------------------------------------------------------------------
// Elementwise float ops

/** 119 elements: vector loops of 17 with a tail, 7 rows. */
const FLOAT_SHAPE = [7, 17];
const FLOAT_SIZE = 119;
const FLOAT_SPECIALS = [
  0,
  -0,
  1,
  -1,
  0.5,
  -0.5,
  2.5,
  -2.5,
  1e-8,
  -1e-8,
  1e-40,
  -1e-40,
  88,
  -88,
  89,
  1e30,
  -1e30,
  3e38,
  -3e38,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  0.1,
  7,
  Math.PI,
  100,
  -100,
].map(Math.fround);

/** The specials followed by float32 values in [-100, 100]. */
const floatValues = fc
  .array(fc.float({ min: -100, max: 100, noNaN: true }), {
    minLength: FLOAT_SIZE - FLOAT_SPECIALS.length,
    maxLength: FLOAT_SIZE - FLOAT_SPECIALS.length,
  })
  .map((rest) => Float32Array.from([...FLOAT_SPECIALS, ...rest]));

interface UnaryCase {
  name: string;
  op: (x: Tensor) => Tensor;
  expected: (x: number) => number;
  how: Check;
}

const UNARY: UnaryCase[] = [
  { name: "exp", op: np.exp, expected: Math.exp, how: LIBM },
  { name: "log", op: np.log, expected: Math.log, how: LIBM },
  { name: "sin", op: np.sin, expected: Math.sin, how: LIBM },
  { name: "cos", op: np.cos, expected: Math.cos, how: LIBM },
  { name: "arcsin", op: np.arcsin, expected: Math.asin, how: LIBM },
  { name: "arctan", op: np.arctan, expected: Math.atan, how: LIBM },
  // Native erff/erfcf against the series above. (jax-js's reference interpreter uses
  // Abramowitz & Stegun 7.1.26, absolute error 1.5e-7, so it is no reference here.)
  { name: "erf", op: scipySpecial.erf, expected: erf, how: LIBM },
  { name: "erfc", op: scipySpecial.erfc, expected: erfc, how: LIBM },
  // jax-js composes these from exp/log in float32: tanh = (e - 1)/(e + 1) with e = exp(-2|x|)
  // cancels for small |x| (absolute error ~1e-7 where tanh x ~ x); log1p and expm1 switch
  // between a polynomial and log(1 + x) / exp(x) - 1, both a few float32 roundings (2e-6).
  { name: "tanh", op: np.tanh, expected: Math.tanh, how: { rtol: 1e-6, atol: 5e-7 } },
  { name: "log1p", op: np.log1p, expected: Math.log1p, how: { rtol: 2e-6, atol: 1.2e-38 } },
  { name: "expm1", op: np.expm1, expected: Math.expm1, how: { rtol: 2e-6, atol: 1.2e-38 } },
  // Correctly rounded in both float32 and double-rounded-to-float32: bit-exact.
  { name: "sqrt", op: np.sqrt, expected: Math.sqrt, how: EXACT },
  { name: "reciprocal", op: np.reciprocal, expected: (x) => 1 / x, how: EXACT },
  { name: "square", op: np.square, expected: (x) => x * x, how: EXACT },
  // jax-js: negative x = 0 - x (so negative(0) is 0, not -0)
  { name: "negative", op: np.negative, expected: (x) => 0 - x, how: EXACT },
  { name: "floor", op: np.floor, expected: Math.floor, how: EXACT },
  { name: "ceil", op: np.ceil, expected: Math.ceil, how: EXACT },
  { name: "trunc", op: np.trunc, expected: Math.trunc, how: EXACT },
  // jax-js: abs = where(x < 0, -x, x) (so abs(-0) is -0); sign(NaN) is NaN, sign(±0) is 0.
  { name: "abs", op: np.abs, expected: (x) => (x < 0 ? -x : x), how: EXACT },
  {
    name: "sign",
    op: np.sign,
    expected: (x) => (Number.isNaN(x) ? Number.NaN : x > 0 ? 1 : x < 0 ? -1 : 0),
    how: EXACT,
  },
];

const unaryProgram = new NativeProgram(program(UNARY.map((u) => u.op)), [{ shape: FLOAT_SHAPE }]);

test("unary float ops match closed forms over specials and random values", async () => {
  const f = unaryProgram;
  try {
    await fc.assert(
      fc.asyncProperty(floatValues, async (x) => {
        const out = await f.run([{ values: x, shape: FLOAT_SHAPE }]);
        UNARY.forEach((u, k) => {
          check(u.name, out[k], rounded(Array.from(x, u.expected)), u.how, [x]);
        });
      }),
      { numRuns: 12, seed: 11, includeErrorInReport: true },
    );
  } finally {
    f.dispose();
  }
});

interface BinaryCase {
  name: string;
  op: (x: Tensor, y: Tensor) => Tensor;
  expected: (x: number, y: number) => number;
  how: Check;
}

/** jax-js's power: exp(y·log|x|), NaN for x < 0 and y not integral, negated for odd y. */
function jaxPower(x: number, y: number): number {
  const whole = Math.trunc(y);
  if (whole !== y && x < 0) return Number.NaN;
  const sign = whole % 2 !== 0 && x < 0 ? -1 : 1;
  return Math.exp(Math.log(Math.abs(x)) * y) * sign;
}

const F32_004 = Math.fround(0.04);
const bool = (b: boolean) => (b ? 1 : 0);

const BINARY: BinaryCase[] = [
  // One IEEE operation on float32 operands: double-rounded to float32 it is bit-exact.
  { name: "add", op: (x, y) => x.add(y), expected: (x, y) => x + y, how: EXACT },
  { name: "subtract", op: (x, y) => x.sub(y), expected: (x, y) => x - y, how: EXACT },
  { name: "multiply", op: (x, y) => x.mul(y), expected: (x, y) => x * y, how: EXACT },
  // jax-js divides as x · (1/y): two float32 roundings (so 7/3 is 1 ulp above the correctly
  // rounded quotient, and 3e38/3e38 is 1 - 2⁻²⁴ since 1/3e38 is subnormal). The reference
  // interpreter evaluates the same kernel in double, hence the closed form here.
  {
    name: "divide",
    op: (x, y) => x.div(y),
    expected: (x, y) => x * Math.fround(1 / y),
    how: EXACT,
  },
  // NaN in either operand gives NaN (the signed-zero cases are their own test below).
  { name: "minimum", op: np.minimum, expected: Math.min, how: EQUAL },
  { name: "maximum", op: np.maximum, expected: Math.max, how: EQUAL },
  { name: "less", op: np.less, expected: (x, y) => bool(x < y), how: EXACT },
  { name: "lessEqual", op: np.lessEqual, expected: (x, y) => bool(x <= y), how: EXACT },
  { name: "greater", op: np.greater, expected: (x, y) => bool(x > y), how: EXACT },
  { name: "greaterEqual", op: np.greaterEqual, expected: (x, y) => bool(x >= y), how: EXACT },
  { name: "equal", op: np.equal, expected: (x, y) => bool(x === y), how: EXACT },
  { name: "notEqual", op: np.notEqual, expected: (x, y) => bool(x !== y), how: EXACT },
  {
    name: "where",
    op: (x, y) => np.where(np.less(x.ref, y.ref), x, y),
    // biome-ignore lint/complexity/useMathMinMax: unlike Math.min, gives y for NaN and for ±0
    expected: (x, y) => (x < y ? x : y),
    how: EXACT,
  },
  // exp(y·log|x|) in float32: relative error about |y·log|x||·2⁻²⁴ plus expf/logf's ulp,
  // below 1e-5 for the exponents here (|y·log|x|| < 60 short of overflow).
  {
    name: "power(|x| + 0.5, 0.04 y)",
    op: (x, y) => np.power(np.abs(x).add(0.5), y.mul(0.04)),
    expected: (x, y) => jaxPower(Math.fround(Math.abs(x) + 0.5), Math.fround(y * F32_004)),
    how: { rtol: 1e-5, atol: 1.2e-38 },
  },
  {
    name: "power(x, 3)",
    op: (x) => np.power(x, 3),
    expected: (x) => jaxPower(x, 3),
    how: { rtol: 1e-5, atol: 1.2e-38 },
  },
  {
    name: "power(x, 0.5)",
    op: (x) => np.power(x, 0.5),
    expected: (x) => jaxPower(x, 0.5),
    how: { rtol: 1e-5, atol: 1.2e-38 },
  },
];

/** Operand pairs with NaN, infinities, zeros and subnormals, then random pairs. */
const BINARY_SPECIALS: [number, number][] = [
  [Number.NaN, 1],
  [1, Number.NaN],
  [Number.NaN, Number.NaN],
  [Number.NaN, Number.POSITIVE_INFINITY],
  [Number.NEGATIVE_INFINITY, Number.NaN],
  [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY],
  [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY],
  [Number.NEGATIVE_INFINITY, 2],
  [0, 0],
  [-0, -0],
  [0, -0],
  [-0, 5],
  [5, 0],
  [5, -0],
  [1e-20, 1e-20],
  [1e-40, 2],
  [3e38, 3e38],
  [-3e38, 3e38],
  [7, -2],
  [-7.5, 2],
  [-2, 3],
  [2, 0.5],
];

const binaryValues = fc
  .array(fc.tuple(fc.float({ min: -100, max: 100 }), fc.float({ min: -100, max: 100 })), {
    minLength: FLOAT_SIZE - BINARY_SPECIALS.length,
    maxLength: FLOAT_SIZE - BINARY_SPECIALS.length,
  })
  .map((rest) => {
    const pairs = [...BINARY_SPECIALS, ...rest];
    return [Float32Array.from(pairs, ([x]) => x), Float32Array.from(pairs, ([, y]) => y)] as const;
  });

const binaryProgram = new NativeProgram(
  program(BINARY.map((b) => b.op as (...xs: Tensor[]) => Tensor)),
  [{ shape: FLOAT_SHAPE }, { shape: FLOAT_SHAPE }],
);

test("binary float ops match closed forms, NaN propagating through minimum and maximum", async () => {
  const f = binaryProgram;
  try {
    await fc.assert(
      fc.asyncProperty(binaryValues, async ([x, y]) => {
        const out = await f.run([
          { values: x, shape: FLOAT_SHAPE },
          { values: y, shape: FLOAT_SHAPE },
        ]);
        BINARY.forEach((b, k) => {
          const expected = Array.from(x, (xi, i) => b.expected(xi, y[i]));
          const isBool = out[k] instanceof Int32Array;
          check(b.name, out[k], isBool ? expected : rounded(expected), b.how, [x, y]);
        });
      }),
      { numRuns: 12, seed: 12, includeErrorInReport: true },
    );
  } finally {
    f.dispose();
  }
});

// Multiples of 1/4: every intermediate of jax-js's formulas is exact in float32.
const MOD_PAIRS: [number, number][] = [
  7.5, -7.5, 7, -7, 0.25, -0.25, 100.75, -100.75, 6, -6, 0,
].flatMap((x) => [2, -2, 0.5, -0.5, 3, -3].map((y): [number, number] => [x, y]));
const modProgram = new NativeProgram(program([np.remainder, np.fmod, np.floorDivide]), [
  { shape: [MOD_PAIRS.length] },
  { shape: [MOD_PAIRS.length] },
]);

test("float remainder, fmod and floor division with negative operands", async () => {
  const pairs = MOD_PAIRS;
  const x = pairs.map(([a]) => a);
  const y = pairs.map(([, b]) => b);
  const f = modProgram;
  try {
    const [remainder, fmod, floorDivide] = await f.run([
      { values: x, shape: [pairs.length] },
      { values: y, shape: [pairs.length] },
    ]);
    const expected = (g: (a: number, b: number) => number) => x.map((a, i) => g(a, y[i]));
    // remainder takes the divisor's sign, fmod the dividend's (zeros compared as numbers).
    check(
      "remainder",
      remainder,
      expected((a, b) => a - b * Math.floor(a / b)),
      EQUAL,
      [x, y],
    );
    check(
      "fmod",
      fmod,
      expected((a, b) => a % b),
      EQUAL,
      [x, y],
    );
    check(
      "floorDivide",
      floorDivide,
      expected((a, b) => Math.floor(a / b)),
      EQUAL,
      [x, y],
    );
  } finally {
    f.dispose();
  }
});

const signedZeroProgram = new NativeProgram(
  program([
    np.minimum,
    np.maximum,
    (x) => x.max(),
    (x) => x.min(),
    (_, y) => y.max(),
    (_, y) => y.min(),
  ]),
  [{ shape: [4] }, { shape: [4] }],
);

/** Constants of the one-compare form (dj_maxcf/dj_mincf) and of the general case. */
const constantMinMaxProgram = new NativeProgram(
  program([
    (x) => np.maximum(x, 0), // ReLU: +0 is the constant max may take the short form with
    (x) => np.maximum(x, -40),
    (x) => np.minimum(x, 3.5),
    (x) => np.minimum(x, 0), // +0: min must decide between -0 and +0, the general case
  ]),
  [{ shape: [37] }],
);

test("maximum and minimum against a constant: NaN kept, signed zeros as Math.max/Math.min", async () => {
  const f = constantMinMaxProgram;
  const specials = [Number.NaN, -0, 0, -1e-30, 1e-30, -40, -41, 3.5, 4, -Infinity, Infinity];
  // 37 elements: SIMD lanes and a scalar tail.
  const x = Array.from({ length: 37 }, (_, i) => specials[i % specials.length]);
  try {
    const [relu, floor40, cap, nonPositive] = await f.run([{ values: x, shape: [37] }]);
    const f32 = (v: number) => Math.fround(v);
    check(
      "maximum(x, 0)",
      relu,
      x.map((v) => f32(Math.max(v, 0))),
      EXACT,
      [x],
    );
    check(
      "maximum(x, -40)",
      floor40,
      x.map((v) => f32(Math.max(v, -40))),
      EXACT,
      [x],
    );
    check(
      "minimum(x, 3.5)",
      cap,
      x.map((v) => f32(Math.min(v, 3.5))),
      EXACT,
      [x],
    );
    check(
      "minimum(x, 0)",
      nonPositive,
      x.map((v) => f32(Math.min(v, 0))),
      EXACT,
      [x],
    );
    assert.ok(
      f.sources.some((c) => c.includes("dj_maxcf")) &&
        f.sources.some((c) => c.includes("dj_mincf")),
      "the constant forms were compiled",
    );
  } finally {
    f.dispose();
  }
});

// Until 1eba716 the second operand won a tie: minimum(-0, 0) was 0.
test("minimum and maximum order signed zeros like Math.min/Math.max", async () => {
  const f = signedZeroProgram;
  try {
    const [minimum, maximum, maxX, minX, maxY, minY] = await f.run([
      { values: [-0, 0, 0, -0], shape: [4] },
      { values: [0, -0, 0, -0], shape: [4] },
    ]);
    check("minimum", minimum, [-0, -0, 0, -0], EXACT);
    check("maximum", maximum, [0, 0, 0, -0], EXACT);
    check("max of [-0, 0, 0, -0]", maxX, [0], EXACT);
    check("min of [-0, 0, 0, -0]", minX, [-0], EXACT);
    check("max of [0, -0, 0, -0]", maxY, [0], EXACT);
    check("min of [0, -0, 0, -0]", minY, [-0], EXACT);
  } finally {
    f.dispose();
  }
});

// ---------------------------------------------------------------------------------------------
// Integer ops

/** 33 elements in a [3, 11] array. */
const INT_SHAPE = [3, 11];
const INT_SIZE = 33;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function popcount(x: number): number {
  let v = x >>> 0;
  let n = 0;
  while (v !== 0) {
    v &= v - 1;
    n++;
  }
  return n;
}

interface IntCase {
  name: string;
  op: (a: Tensor, b: Tensor, c: Tensor, d: Tensor) => Tensor;
  expected: (a: number, b: number, c: number, d: number) => number;
}

/** Shift amounts b & 31 (jax-js, like JS and C after the translation's mask). */
const shift = (b: Tensor) => np.bitwiseAnd(b, 31);

/**
 * int32 ops with numpy's wrap-around semantics. Divisions take dividend c and divisor d in
 * [-2³⁰, 2³⁰], d ≠ 0: jax-js computes floorDivide as (c - remainder(c, d)) / d and remainder
 * as ((c mod d) + d) mod d, whose intermediates would wrap for larger magnitudes.
 */
const INT32: IntCase[] = [
  { name: "add", op: (a, b) => a.add(b), expected: (a, b) => (a + b) | 0 },
  { name: "subtract", op: (a, b) => a.sub(b), expected: (a, b) => (a - b) | 0 },
  { name: "multiply", op: (a, b) => a.mul(b), expected: (a, b) => Math.imul(a, b) },
  { name: "negative", op: (a) => np.negative(a), expected: (a) => -a | 0 },
  {
    name: "floorDivide",
    op: (_a, _b, c, d) => np.floorDivide(c, d),
    expected: (_a, _b, c, d) => Math.floor(c / d),
  },
  {
    name: "remainder",
    op: (_a, _b, c, d) => np.remainder(c, d),
    expected: (_a, _b, c, d) => c - d * Math.floor(c / d),
  },
  { name: "fmod", op: (_a, _b, c, d) => np.fmod(c, d), expected: (_a, _b, c, d) => (c % d) | 0 },
  { name: "bitwiseAnd", op: np.bitwiseAnd, expected: (a, b) => a & b },
  { name: "bitwiseOr", op: np.bitwiseOr, expected: (a, b) => a | b },
  { name: "bitwiseXor", op: np.bitwiseXor, expected: (a, b) => a ^ b },
  { name: "invert", op: np.invert, expected: (a) => ~a },
  { name: "leftShift", op: (a, b) => np.leftShift(a, shift(b)), expected: (a, b) => a << (b & 31) },
  // jax-js shifts int32 right logically, as its reference interpreter does (numpy: arithmetic)
  {
    name: "rightShift",
    op: (a, b) => np.rightShift(a, shift(b)),
    expected: (a, b) => (a >>> (b & 31)) | 0,
  },
  // jax-js counts the bits of |a| (|INT32_MIN| wraps to itself)
  { name: "bitwiseCount", op: np.bitwiseCount, expected: (a) => popcount(Math.abs(a) | 0) },
  { name: "minimum", op: np.minimum, expected: (a, b) => Math.min(a, b) },
  { name: "maximum", op: np.maximum, expected: (a, b) => Math.max(a, b) },
  { name: "less", op: np.less, expected: (a, b) => bool(a < b) },
  { name: "equal", op: np.equal, expected: (a, b) => bool(a === b) },
];

const INT32_SPECIALS: [number, number, number, number][] = [
  [INT32_MAX, 1, 7, 2],
  [INT32_MIN, -1, -7, 2],
  [INT32_MIN, INT32_MIN, 7, -2],
  [65537, 65537, -7, -2],
  [-1, 31, 0, -3],
  [INT32_MIN, 31, -1, 3],
  [-5, 33, 1, -3],
  [0, 0, 6, -3],
  [-1, -1, -6, -3],
  [INT32_MAX, INT32_MAX, 2 ** 30, -1],
  [123456789, -987654321, -(2 ** 30), 3],
  [-123, 0, 2 ** 30, 2 ** 30 - 1],
];

const int32Values = fc
  .array(
    fc.tuple(
      fc.integer({ min: INT32_MIN, max: INT32_MAX }),
      fc.integer({ min: INT32_MIN, max: INT32_MAX }),
      fc.integer({ min: -(2 ** 30), max: 2 ** 30 }),
      fc.integer({ min: -(2 ** 30), max: 2 ** 30 }).filter((d) => d !== 0),
    ),
    { minLength: INT_SIZE - INT32_SPECIALS.length, maxLength: INT_SIZE - INT32_SPECIALS.length },
  )
  .map((rest) => [...INT32_SPECIALS, ...rest]);

/** The ops of `cases` on four [3, 11] operands of `dtype`. */
const integerProgram = (cases: IntCase[], dtype: Kind) =>
  new NativeProgram(
    program(cases.map((c) => c.op as (...xs: Tensor[]) => Tensor)),
    [0, 1, 2, 3].map(() => ({ shape: INT_SHAPE, dtype })),
  );

async function checkIntegerOps(
  f: NativeProgram,
  cases: IntCase[],
  dtype: Kind,
  values: fc.Arbitrary<[number, number, number, number][]>,
  seed: number,
): Promise<void> {
  try {
    await fc.assert(
      fc.asyncProperty(values, async (rows) => {
        const columns = [0, 1, 2, 3].map((k) => rows.map((row) => row[k]));
        const out = await f.run(columns.map((v) => ({ values: v, shape: INT_SHAPE, dtype })));
        const wrap = (v: number) => (dtype === "uint32" ? v >>> 0 : v | 0);
        cases.forEach((c, k) => {
          const isBool = c.name === "less" || c.name === "equal";
          const expected = rows.map(([a, b, cc, d]) => c.expected(a, b, cc, d));
          check(c.name, out[k], isBool ? expected : expected.map(wrap), EXACT, columns);
        });
      }),
      { numRuns: 10, seed, includeErrorInReport: true },
    );
  } finally {
    f.dispose();
  }
}

const int32Program = integerProgram(INT32, "int32");

test("int32 arithmetic wraps, divides toward -inf, and bit ops match closed forms", async () => {
  await checkIntegerOps(int32Program, INT32, "int32", int32Values, 21);
});

const UINT32_MAX = 2 ** 32 - 1;

/**
 * uint32 ops. Divisors d are in [1, 2³¹): jax-js's remainder adds d to (c mod d), which
 * wraps for d >= 2³¹.
 */
const UINT32: IntCase[] = [
  { name: "add", op: (a, b) => a.add(b), expected: (a, b) => a + b },
  { name: "subtract", op: (a, b) => a.sub(b), expected: (a, b) => a - b },
  { name: "multiply", op: (a, b) => a.mul(b), expected: (a, b) => Math.imul(a, b) },
  {
    name: "floorDivide",
    op: (_a, _b, c, d) => np.floorDivide(c, d),
    expected: (_a, _b, c, d) => Math.floor(c / d),
  },
  {
    name: "remainder",
    op: (_a, _b, c, d) => np.remainder(c, d),
    expected: (_a, _b, c, d) => c % d,
  },
  { name: "fmod", op: (_a, _b, c, d) => np.fmod(c, d), expected: (_a, _b, c, d) => c % d },
  { name: "bitwiseAnd", op: np.bitwiseAnd, expected: (a, b) => a & b },
  { name: "bitwiseOr", op: np.bitwiseOr, expected: (a, b) => a | b },
  { name: "bitwiseXor", op: np.bitwiseXor, expected: (a, b) => a ^ b },
  { name: "invert", op: np.invert, expected: (a) => ~a },
  { name: "leftShift", op: (a, b) => np.leftShift(a, shift(b)), expected: (a, b) => a << (b & 31) },
  {
    name: "rightShift",
    op: (a, b) => np.rightShift(a, shift(b)),
    expected: (a, b) => a >>> (b & 31),
  },
  { name: "bitwiseCount", op: np.bitwiseCount, expected: (a) => popcount(a) },
  { name: "minimum", op: np.minimum, expected: (a, b) => Math.min(a, b) },
  { name: "maximum", op: np.maximum, expected: (a, b) => Math.max(a, b) },
  { name: "less", op: np.less, expected: (a, b) => bool(a < b) },
  { name: "equal", op: np.equal, expected: (a, b) => bool(a === b) },
];

const UINT32_SPECIALS: [number, number, number, number][] = [
  [UINT32_MAX, 1, 7, 2],
  [0, 1, 0, 3],
  [UINT32_MAX, UINT32_MAX, UINT32_MAX, 2 ** 31 - 1],
  [65537, 65537, 2 ** 31, 2 ** 31 - 1],
  [3_000_000_000, 2_000_000_000, 3_000_000_000, 7],
  [1, 31, 1, 1],
  [2 ** 31, 33, 2 ** 31, 2],
];

const uint32Values = fc
  .array(
    fc.tuple(
      fc.integer({ min: 0, max: UINT32_MAX }),
      fc.integer({ min: 0, max: UINT32_MAX }),
      fc.integer({ min: 0, max: UINT32_MAX }),
      fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    ),
    { minLength: INT_SIZE - UINT32_SPECIALS.length, maxLength: INT_SIZE - UINT32_SPECIALS.length },
  )
  .map((rest) => [...UINT32_SPECIALS, ...rest]);

const uint32Program = integerProgram(UINT32, "uint32");

test("uint32 arithmetic wraps modulo 2³² and bit ops match closed forms", async () => {
  await checkIntegerOps(uint32Program, UINT32, "uint32", uint32Values, 22);
});

const divisionHelper = fileURLToPath(new URL("./helpers/int-division.ts", import.meta.url));

interface Divisions {
  /** 0, or the signal or exit code the child process died of. */
  code: number | string;
  /** The results of each case that ran, with the kernels compiled before it. */
  cases: Map<string, { values: number[][]; kernels: number }>;
}

/**
 * The cases of helpers/int-division.ts, run natively in one child process, in order; started
 * with the first program run, so that the child works while this process does. A case that
 * kills the process ends the list.
 */
let divisions: Promise<Divisions> | undefined;
function divisionResults(): Promise<Divisions> {
  divisions ??= new Promise((resolve) => {
    const names = ["guarded-by-where", "by-zero", "int-min-by-minus-one"];
    execFile(
      process.execPath,
      ["--import", "tsx", divisionHelper, ...names],
      { env: { ...process.env, DISENTANGLE_DEVICE: "native" }, timeout: 60_000 },
      (error, stdout) => {
        const lines = stdout.split("\n").filter((line) => line.startsWith("{"));
        const parsed = lines.map((line) => JSON.parse(line));
        const failed = error as { code?: number; signal?: string } | null;
        resolve({
          code: failed ? (failed.signal ?? failed.code ?? "unknown") : 0,
          cases: new Map(parsed.map((c) => [c.name, { values: c.values, kernels: c.kernels }])),
        });
      },
    );
  });
  return divisions;
}

test("an int32 division guarded by where does not trap where the divisor is 0", async () => {
  const result = (await divisionResults()).cases.get("guarded-by-where");
  assert.ok(result, "the case ran");
  assert.ok(result.kernels > 0, "the division was compiled");
  assert.deepEqual(result.values, [[3, -1, 3]]);
});

// Until 1eba716 Idiv/Mod were a bare C `/` and `%`: the CPU trapped (SIGFPE) and Node died.
test("int32 division by zero and INT32_MIN / -1 give the reference interpreter's results", async () => {
  const { code, cases } = await divisionResults();
  // numpy and jax-js's reference interpreter: 0 for a division by zero, INT32_MIN wraps.
  assert.deepEqual(
    {
      code,
      "by-zero": cases.get("by-zero")?.values,
      "int-min-by-minus-one": cases.get("int-min-by-minus-one")?.values,
    },
    {
      code: 0,
      "by-zero": [
        [0, 0, 0],
        [0, 0, 0],
      ],
      "int-min-by-minus-one": [[INT32_MIN, 5, 3]],
    },
  );
});

// ---------------------------------------------------------------------------------------------
// Casts

/** float32 -> int32 as jax-js defines it: NaN to 0, clamp to the range, truncate. */
const toInt32 = (x: number) =>
  Number.isNaN(x) ? 0 : x <= INT32_MIN ? INT32_MIN : x >= INT32_MAX ? INT32_MAX : Math.trunc(x) | 0;
const toUint32 = (x: number) =>
  Number.isNaN(x) || x <= 0 ? 0 : x >= UINT32_MAX ? UINT32_MAX : Math.trunc(x) >>> 0;

const CAST_SPECIALS = [
  0,
  -0,
  1.9,
  -1.9,
  2.5,
  -2.5,
  0.4,
  -0.4,
  3e9,
  -3e9,
  5e9,
  2147483520,
  -2147483648,
  2147483648,
  4294967040,
  4294967296,
  16777217,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  1e-40,
].map(Math.fround);

const castValues = fc.tuple(
  fc
    .array(fc.float(), {
      minLength: INT_SIZE - CAST_SPECIALS.length,
      maxLength: INT_SIZE - CAST_SPECIALS.length,
    })
    .map((rest) => Float32Array.from([...CAST_SPECIALS, ...rest])),
  fc
    .array(fc.integer({ min: INT32_MIN, max: INT32_MAX }), {
      minLength: INT_SIZE - 5,
      maxLength: INT_SIZE - 5,
    })
    .map((rest) => Int32Array.from([0, -1, INT32_MIN, INT32_MAX, 16777217, ...rest])),
  fc
    .array(fc.integer({ min: 0, max: UINT32_MAX }), {
      minLength: INT_SIZE - 4,
      maxLength: INT_SIZE - 4,
    })
    .map((rest) => Uint32Array.from([0, UINT32_MAX, 2 ** 31, 16777217, ...rest])),
);

interface CastCase {
  name: string;
  op: (x: Tensor, i: Tensor, u: Tensor) => Tensor;
  /** Expected values, or for bitcasts the expected bytes (compared as int32). */
  expected: (x: Float32Array, i: Int32Array, u: Uint32Array) => ArrayLike<number>;
  bits?: boolean;
  /** Bit-exact unless given. */
  how?: Check;
}

const CASTS: CastCase[] = [
  {
    name: "float32 -> int32",
    op: (x) => x.astype(np.int32),
    expected: (x) => Array.from(x, toInt32),
  },
  {
    name: "float32 -> uint32",
    op: (x) => x.astype(np.uint32),
    expected: (x) => Array.from(x, toUint32),
  },
  // jax-js: NaN is false (numpy: true)
  {
    name: "float32 -> bool",
    op: (x) => x.astype(np.bool),
    expected: (x) => Array.from(x, (v) => bool(v !== 0 && !Number.isNaN(v))),
  },
  {
    name: "float32 -> int32 -> float32",
    op: (x) => x.astype(np.int32).astype(np.float32),
    expected: (x) => Float32Array.from(x, toInt32),
    // the sign of a zero result is the next test's
    how: EQUAL,
  },
  {
    name: "float32 > 0 -> float32",
    op: (x) => np.greater(x, 0).astype(np.float32),
    expected: (x) => Array.from(x, (v) => bool(v > 0)),
  },
  {
    name: "float32 bits as int32",
    op: (x) => x.view(np.int32),
    expected: (x) => new Int32Array(x.buffer),
    bits: true,
  },
  {
    name: "int32 -> float32",
    op: (_, i) => i.astype(np.float32),
    expected: (_, i) => rounded([...i]),
  },
  {
    name: "int32 -> uint32",
    op: (_, i) => i.astype(np.uint32),
    expected: (_, i) => Array.from(i, (v) => v >>> 0),
  },
  {
    name: "int32 -> bool",
    op: (_, i) => i.astype(np.bool),
    expected: (_, i) => Array.from(i, (v) => bool(v !== 0)),
  },
  {
    name: "int32 bits as float32",
    op: (_, i) => i.view(np.float32),
    expected: (_, i) => i,
    bits: true,
  },
  {
    name: "uint32 -> int32",
    op: (_x, _i, u) => u.astype(np.int32),
    expected: (_x, _i, u) => Array.from(u, (v) => v | 0),
  },
  {
    name: "uint32 -> float32",
    op: (_x, _i, u) => u.astype(np.float32),
    expected: (_x, _i, u) => rounded([...u]),
  },
];

const castProgram = new NativeProgram(
  program(CASTS.map((c) => c.op as (...xs: Tensor[]) => Tensor)),
  [
    { shape: INT_SHAPE },
    { shape: INT_SHAPE, dtype: "int32" },
    { shape: INT_SHAPE, dtype: "uint32" },
  ],
);

test("casts clamp, send NaN to 0, round, and bitcasts keep the bits", async () => {
  const f = castProgram;
  try {
    await fc.assert(
      fc.asyncProperty(castValues, async ([x, i, u]) => {
        const out = await f.run([
          { values: x, shape: INT_SHAPE },
          { values: i, shape: INT_SHAPE, dtype: "int32" },
          { values: u, shape: INT_SHAPE, dtype: "uint32" },
        ]);
        CASTS.forEach((c, k) => {
          const actual = c.bits
            ? new Int32Array(out[k].buffer, out[k].byteOffset, INT_SIZE)
            : out[k];
          check(c.name, actual, c.expected(x, i, u), c.how ?? EXACT, [x, i, u]);
        });
      }),
      { numRuns: 10, seed: 31, includeErrorInReport: true },
    );
  } finally {
    f.dispose();
  }
});

const roundTripProgram = new NativeProgram(
  program([
    (x) => x.astype(np.int32).astype(np.float32),
    (x) => x.astype(np.uint32).astype(np.float32),
  ]),
  [{ shape: [37] }],
);

test("a float cast to an integer and back is +0 for -1 < x <= 0, as the integer 0 is", {}, async () => {
  // 37 elements: vector lanes and a scalar tail (they disagreed: only the tail gave -0).
  const x = Array.from({ length: 37 }, (_, i) => [-0, -0.4, -0.9999][i % 3]);
  const zeros = x.map(() => 0);
  const f = roundTripProgram;
  try {
    const [viaInt32, viaUint32] = await f.run([{ values: x, shape: [37] }]);
    check("float32 -> int32 -> float32", viaInt32, zeros, EXACT, [x]);
    check("float32 -> uint32 -> float32", viaUint32, zeros, EXACT, [x]);
  } finally {
    f.dispose();
  }
});

// ---------------------------------------------------------------------------------------------
// Reductions

/** The values reduced into each output element (row-major, reduced axes in order). */
function reduceAlong(values: ArrayLike<number>, shape: number[], axes: number[]): number[][] {
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const kept = shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const size = (dims: number[]) => dims.reduce((n, d) => n * shape[d], 1);
  const unravel = (index: number, dims: number[]) => {
    const at: number[] = [];
    for (let k = dims.length - 1; k >= 0; k--) {
      at[k] = index % shape[dims[k]];
      index = Math.floor(index / shape[dims[k]]);
    }
    return at;
  };
  const groups: number[][] = [];
  for (let o = 0; o < size(kept); o++) {
    const outer = unravel(o, kept);
    const group: number[] = [];
    for (let r = 0; r < size(axes); r++) {
      const inner = unravel(r, axes);
      let flat = 0;
      kept.forEach((d, k) => {
        flat += outer[k] * strides[d];
      });
      axes.forEach((d, k) => {
        flat += inner[k] * strides[d];
      });
      group.push(values[flat]);
    }
    groups.push(group);
  }
  return groups;
}

/**
 * A float32 sum against the exact sum: recursive summation of n terms is within
 * (n - 1)·2⁻²⁴·Σ|x| (Higham, Accuracy and Stability, 4.2); 2⁻²³ leaves room for the product
 * roundings of a mean.
 */
function checkSum(
  what: string,
  actual: ArrayLike<number>,
  groups: number[][],
  scale = 1,
  unit = 2 ** -23,
): void {
  groups.forEach((g, i) => {
    const exact = g.reduce((a, b) => a + b, 0) * scale;
    const bound = g.length * unit * g.reduce((a, b) => a + Math.abs(b), 0) * scale;
    if (Number.isNaN(exact)) assert.ok(Number.isNaN(actual[i]), `${what}[${i}]: NaN`);
    else
      assert.ok(
        Math.abs(actual[i] - exact) <= bound + 1e-30,
        `${what}[${i}]: native ${actual[i]}, exact ${exact}, bound ${bound}`,
      );
  });
}

const firstIndexOf = (g: number[], pick: (a: number, b: number) => boolean) =>
  g.reduce((best, v, i) => (pick(v, g[best]) ? i : best), 0);

/** Deterministic values in (-1, 1), distinct, from a linear congruential generator. */
function uniformValues(n: number, seed: number): number[] {
  let state = seed >>> 0;
  return Array.from({ length: n }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return Math.fround((state / 2 ** 32) * 2 - 1);
  });
}

const reductionProgram = new NativeProgram(
  (x, y, w, z) => {
    const out = [
      x.ref.sum(0),
      x.ref.sum(1),
      x.ref.sum(2),
      x.ref.sum(),
      x.ref.max(1),
      x.ref.min(0),
      x.ref.mean([0, 2]),
      y.ref.sum(1),
      y.ref.prod(2),
      y.ref.max(2),
      np.argmax(y.ref, 1),
      np.argmin(y.ref, 2),
      np.argmax(y.ref, 0),
      w.ref.sum(1),
      w.ref.sum(0),
      w.ref.max(1),
      z.ref.sum(1),
      z.ref.max(0),
      z.ref.min(2),
      z.ref.prod(2),
      np.any(np.greater(y.ref, 1.45), 1),
      np.all(np.greater(y.ref, 0.52), 2),
    ];
    for (const a of [x, y, w, z]) a.dispose();
    return out;
  },
  [
    { shape: [7, 17, 3] },
    { shape: [8, 33, 17] },
    { shape: [130, 257] },
    { shape: [7, 17, 3], dtype: "int32" },
  ],
);

test("sum, max, min, prod, mean, argmax and argmin over each axis match closed forms", async () => {
  // x [7, 17, 3] with one NaN; y [8, 33, 17] (tiles of 4 output rows, lane tails of 17 and
  // 33); w [130, 257] (large enough to split across threads); z int32.
  const xValues = uniformValues(7 * 17 * 3, 1).map((v) => Math.fround(v * 3));
  xValues[20] = Number.NaN;
  const yValues = uniformValues(8 * 33 * 17, 2).map((v) => Math.fround(v * 0.5 + 1));
  const wValues = uniformValues(130 * 257, 3);
  const zValues = uniformValues(7 * 17 * 3, 4).map((v) => Math.round(v * 3) | 0);
  const f = reductionProgram;
  try {
    const out = await f.run([
      { values: xValues, shape: [7, 17, 3] },
      { values: yValues, shape: [8, 33, 17] },
      { values: wValues, shape: [130, 257] },
      { values: zValues, shape: [7, 17, 3], dtype: "int32" },
    ]);
    const X = (axes: number[]) => reduceAlong(xValues, [7, 17, 3], axes);
    const Y = (axes: number[]) => reduceAlong(yValues, [8, 33, 17], axes);
    const W = (axes: number[]) => reduceAlong(wValues, [130, 257], axes);
    const Z = (axes: number[]) => reduceAlong(zValues, [7, 17, 3], axes);
    const max = (g: number[]) => Math.max(...g);
    const min = (g: number[]) => Math.min(...g);
    const prod = (g: number[]) => g.reduce((a, b) => a * b, 1);
    const sum = (g: number[]) => g.reduce((a, b) => a + b, 0);
    checkSum("x.sum(0)", out[0], X([0]));
    checkSum("x.sum(1)", out[1], X([1]));
    checkSum("x.sum(2)", out[2], X([2]));
    checkSum("x.sum()", out[3], X([0, 1, 2]));
    check("x.max(1)", out[4], X([1]).map(max), EXACT);
    check("x.min(0)", out[5], X([0]).map(min), EXACT);
    checkSum("x.mean([0, 2])", out[6], X([0, 2]), 1 / 21);
    checkSum("y.sum(1)", out[7], Y([1]));
    // 17 factors in [0.5, 1.5]: 17 roundings of 2⁻²⁴ each
    check("y.prod(2)", out[8], Y([2]).map(prod), { rtol: 17 * 2 ** -23, atol: 0 });
    check("y.max(2)", out[9], Y([2]).map(max), EXACT);
    check(
      "argmax(y, 1)",
      out[10],
      Y([1]).map((g) => firstIndexOf(g, (a, b) => a > b)),
      EXACT,
    );
    check(
      "argmin(y, 2)",
      out[11],
      Y([2]).map((g) => firstIndexOf(g, (a, b) => a < b)),
      EXACT,
    );
    check(
      "argmax(y, 0)",
      out[12],
      Y([0]).map((g) => firstIndexOf(g, (a, b) => a > b)),
      EXACT,
    );
    checkSum("w.sum(1)", out[13], W([1]));
    checkSum("w.sum(0)", out[14], W([0]));
    check("w.max(1)", out[15], W([1]).map(max), EXACT);
    check("z.sum(1)", out[16], Z([1]).map(sum), EXACT);
    check("z.max(0)", out[17], Z([0]).map(max), EXACT);
    check("z.min(2)", out[18], Z([2]).map(min), EXACT);
    check(
      "z.prod(2)",
      out[19],
      Z([2]).map((g) => prod(g) | 0),
      EXACT,
    );
    check(
      "any(y > 1.45, 1)",
      out[20],
      Y([1]).map((g) => bool(g.some((v) => v > 1.45))),
      EXACT,
    );
    check(
      "all(y > 0.52, 2)",
      out[21],
      Y([2]).map((g) => bool(g.every((v) => v > 0.52))),
      EXACT,
    );
  } finally {
    f.dispose();
  }
});

const float64Program = new NativeProgram(
  (a32, b32, c32) => {
    const a64 = a32.astype(np.float64).add(c32.astype(np.float64).mul(1e-9));
    const b64 = b32.astype(np.float64).div(3);
    return [
      np.exp(a64.ref),
      np.log(np.abs(a64.ref)),
      np.sqrt(np.abs(a64.ref)),
      a64.ref.sum(1),
      np.matmul(a64, b64),
    ];
  },
  [{ shape: [7, 17] }, { shape: [17, 5] }, { shape: [7, 17] }],
);

test("float64 kernels compute in double precision", async () => {
  // jax-js cannot take a Float64Array on Node 20 (it tests `instanceof Float16Array`), so the
  // float64 operands are made in the kernels: x = a + 1e-9·c, y = b / 3 (jax-js: b·(1/3)),
  // from float32 a, b, c; values no float32 can hold, so float32 anywhere on the way would show.
  // (jax-js rounds the scalar constant 1e-9 to float32 before casting it.)
  const a = uniformValues(7 * 17, 601);
  const c = uniformValues(7 * 17, 602);
  const b = uniformValues(17 * 5, 603);
  const x = a.map((v, i) => v + c[i] * Math.fround(1e-9));
  const y = b.map((v) => v * (1 / 3));
  const f = float64Program;
  try {
    const [exp, log, sqrt, sum, mm] = await f.run([
      { values: a, shape: [7, 17] },
      { values: b, shape: [17, 5] },
      { values: c, shape: [7, 17] },
    ]);
    for (const out of [exp, log, sqrt, sum, mm]) assert.ok(out instanceof Float64Array);
    // glibc's exp and log are within an ulp in double
    const DOUBLE_LIBM = { rtol: 4 * 2 ** -53, atol: 0 };
    check("exp", exp, x.map(Math.exp), DOUBLE_LIBM, [x]);
    check(
      "log|x|",
      log,
      x.map((v) => Math.log(Math.abs(v))),
      DOUBLE_LIBM,
      [x],
    );
    check(
      "sqrt|x|",
      sqrt,
      x.map((v) => Math.sqrt(Math.abs(v))),
      EXACT,
      [x],
    );
    // Sums and products in double: the float32 bounds of checkSum/product scaled by 2⁻²⁹.
    const rows = Array.from({ length: 7 }, (_, i) => x.slice(i * 17, (i + 1) * 17));
    checkSum("sum", sum, rows, 1, 2 ** -52);
    const p = product(
      1,
      7,
      17,
      5,
      (_, i, r) => x[i * 17 + r],
      (_, r, j) => y[r * 5 + j],
    );
    checkProduct("matmul", mm, { values: p.values, bounds: p.bounds.map((b) => b * 2 ** -29) });
  } finally {
    f.dispose();
  }
});

// ---------------------------------------------------------------------------------------------
// Random numbers

/** jax-js's uniform: the top 23 bits of a uint32 as the mantissa of a float in [1, 2), minus 1. */
function uniformFromBits(bits: Uint32Array): Float32Array {
  const words = Uint32Array.from(bits, (b) => ((b >>> 9) | 0x3f800000) >>> 0);
  return Float32Array.from(new Float32Array(words.buffer), (v) => v - 1);
}

const randomFn: Program = (key) => {
  const [k1, k2] = np.unstack(random.split(key.ref, 2), 0);
  return [
    random.bits(key.ref, [33, 7]),
    random.uniform(key.ref, [33, 7]),
    random.normal(key, [17, 7]),
    random.uniform(k1, [17, 7]),
    random.uniform(k2, [17, 7]),
  ];
};
const randomProgram = new NativeProgram(randomFn, [{ shape: [2], dtype: "uint32" }]);

test("random bits and uniform are bit-exact with the reference interpreter; normal is Box-Muller", async () => {
  const fn = randomFn;
  const f = randomProgram;
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(fc.integer({ min: 0, max: UINT32_MAX }), fc.integer({ min: 0, max: UINT32_MAX })),
        async (words) => {
          const key: Input = { values: words, shape: [2], dtype: "uint32" };
          const [bits, uniform, normal, u1, u2] = await f.run([key]);
          const [cpuBits, cpuUniform] = await onCpu(fn, [key]);
          // Threefry is integer math: the same bits as the reference interpreter.
          check("bits", bits, cpuBits, EXACT);
          check("uniform", uniform, cpuUniform, EXACT);
          check("uniform from its bits", uniform, uniformFromBits(bits as Uint32Array), EXACT);
          // normal = sqrt(-2 log1p(-u1)) cos(2π u2) in float32 (jax-js's Box-Muller; the
          // reference interpreter evaluates it in double, so it is not bit-exact there).
          // |radius| <= 5.7 and 2π·u2 is rounded to float32 (2.4e-7 absolute) before cos,
          // so the float32 result is within 5.7·(2.4e-7 + a few ulp) < 2e-5 of this.
          const expected = Array.from(
            u1,
            (a, i) => Math.sqrt(-2 * Math.log1p(-a)) * Math.cos(2 * Math.PI * u2[i]),
          );
          check("normal", normal, expected, { rtol: 0, atol: 2e-5 });
        },
      ),
      { numRuns: 5, seed: 41, includeErrorInReport: true },
    );
  } finally {
    f.dispose();
  }
});

// ---------------------------------------------------------------------------------------------
// Matrix products

/** Whether the backend found OpenBLAS (without it, matrix products take the generic path). */
const blas = findOpenBlas() !== undefined;

const isGemm = (source: string) => source.includes("cblas_sgemm");

/** A value of the product and the bound on its float32 error, per output element. */
interface Product {
  values: number[];
  bounds: number[];
}

/**
 * Σ_r a(b, i, r)·b(b, r, j) in double, with the float32 error bound K·2⁻²³·Σ|a||b| (a dot
 * product of K terms in float32, fused or not, is within γ_K·Σ|a||b|; Higham 3.1).
 */
function product(
  batch: number,
  m: number,
  k: number,
  n: number,
  a: (bt: number, i: number, r: number) => number,
  b: (bt: number, r: number, j: number) => number,
): Product {
  const values: number[] = [];
  const bounds: number[] = [];
  for (let bt = 0; bt < batch; bt++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let sum = 0;
        let abs = 0;
        for (let r = 0; r < k; r++) {
          sum += a(bt, i, r) * b(bt, r, j);
          abs += Math.abs(a(bt, i, r) * b(bt, r, j));
        }
        values.push(sum);
        bounds.push(k * 2 ** -23 * abs + 1e-30);
      }
  return { values, bounds };
}

function checkProduct(what: string, actual: ArrayLike<number>, expected: Product): void {
  assert.equal(actual.length, expected.values.length, `${what}: length`);
  expected.values.forEach((e, i) => {
    assert.ok(
      Math.abs(actual[i] - e) <= expected.bounds[i],
      `${what}[${i}]: native ${actual[i]}, exact ${e}, bound ${expected.bounds[i]}`,
    );
  });
}

interface MatmulCase {
  name: string;
  shapes: number[][];
  op: (...xs: Tensor[]) => Tensor;
  expected: (...xs: number[][]) => Product;
}

/** Row-major accessor of a [batch, rows, cols] stack. */
const at3 = (x: number[], rows: number, cols: number) => (bt: number, i: number, j: number) =>
  x[(bt * rows + i) * cols + j];

/** Products of plain strided operands: each must run as one BLAS GEMM kernel. */
const GEMM_CASES: MatmulCase[] = [
  {
    name: "NN [7,33]·[33,17]",
    shapes: [
      [7, 33],
      [33, 17],
    ],
    op: np.matmul,
    expected: (a, b) =>
      product(
        1,
        7,
        33,
        17,
        (_, i, r) => a[i * 33 + r],
        (_, r, j) => b[r * 17 + j],
      ),
  },
  {
    name: "NT [5,33]·[19,33]ᵀ",
    shapes: [
      [5, 33],
      [19, 33],
    ],
    op: (a, b) => np.matmul(a, b.transpose()),
    expected: (a, b) =>
      product(
        1,
        5,
        33,
        19,
        (_, i, r) => a[i * 33 + r],
        (_, r, j) => b[j * 33 + r],
      ),
  },
  {
    name: "TN [33,6]ᵀ·[33,18]",
    shapes: [
      [33, 6],
      [33, 18],
    ],
    op: (a, b) => np.matmul(a.transpose(), b),
    expected: (a, b) =>
      product(
        1,
        6,
        33,
        18,
        (_, i, r) => a[r * 6 + i],
        (_, r, j) => b[r * 18 + j],
      ),
  },
  {
    name: "TT [31,9]ᵀ·[13,31]ᵀ",
    shapes: [
      [31, 9],
      [13, 31],
    ],
    op: (a, b) => np.matmul(a.transpose(), b.transpose()),
    expected: (a, b) =>
      product(
        1,
        9,
        31,
        13,
        (_, i, r) => a[r * 9 + i],
        (_, r, j) => b[j * 31 + r],
      ),
  },
  {
    name: "batched [3,7,33]·[3,33,16]",
    shapes: [
      [3, 7, 33],
      [3, 33, 16],
    ],
    op: np.matmul,
    expected: (a, b) => product(3, 7, 33, 16, at3(a, 7, 33), at3(b, 33, 16)),
  },
  {
    name: "tall [130,33]·[33,11] (threads, row blocks of 64)",
    shapes: [
      [130, 33],
      [33, 11],
    ],
    op: np.matmul,
    expected: (a, b) =>
      product(
        1,
        130,
        33,
        11,
        (_, i, r) => a[i * 33 + r],
        (_, r, j) => b[r * 11 + j],
      ),
  },
  {
    name: "wide [7,20]·[20,300] (column blocks of 256)",
    shapes: [
      [7, 20],
      [20, 300],
    ],
    op: np.matmul,
    expected: (a, b) =>
      product(
        1,
        7,
        20,
        300,
        (_, i, r) => a[i * 20 + r],
        (_, r, j) => b[r * 300 + j],
      ),
  },
  {
    name: "row vector [1,33]·[33,15]",
    shapes: [
      [1, 33],
      [33, 15],
    ],
    op: np.matmul,
    expected: (a, b) =>
      product(
        1,
        1,
        33,
        15,
        (_, _i, r) => a[r],
        (_, r, j) => b[r * 15 + j],
      ),
  },
  {
    name: "column vector [17,32]·[32,1]",
    shapes: [
      [17, 32],
      [32, 1],
    ],
    op: np.matmul,
    expected: (a, b) =>
      product(
        1,
        17,
        32,
        1,
        (_, i, r) => a[i * 32 + r],
        (_, r) => b[r],
      ),
  },
  {
    name: "row-wise dot products sum(x·y, -1) [130,7]",
    shapes: [
      [130, 7],
      [130, 7],
    ],
    op: (x, y) => np.sum(x.mul(y), 1),
    expected: (x, y) =>
      product(
        130,
        1,
        7,
        1,
        (bt, _, r) => x[bt * 7 + r],
        (bt, r) => y[bt * 7 + r],
      ),
  },
  {
    name: "offset slice [9,40][1:8, 2:35]·[33,14]",
    shapes: [
      [9, 40],
      [33, 14],
    ],
    op: (a, b) => np.matmul(a.slice([1, 8], [2, 35]), b),
    expected: (a, b) =>
      product(
        1,
        7,
        33,
        14,
        (_, i, r) => a[(i + 1) * 40 + r + 2],
        (_, r, j) => b[r * 14 + j],
      ),
  },
  {
    name: "Gram matrix [6,33]·[6,33]ᵀ (one buffer for both operands)",
    shapes: [[6, 33]],
    op: (g) => np.matmul(g.ref, g.transpose()),
    expected: (g) =>
      product(
        1,
        6,
        33,
        6,
        (_, i, r) => g[i * 33 + r],
        (_, r, j) => g[j * 33 + r],
      ),
  },
  {
    name: "weight gradient [4100,7]ᵀ·[4100,9] (a long reduction, summed in parts)",
    shapes: [
      [4100, 7],
      [4100, 9],
    ],
    op: (a, b) => np.matmul(a.transpose(), b),
    expected: (a, b) =>
      product(
        1,
        7,
        4100,
        9,
        (_, i, r) => a[r * 7 + i],
        (_, r, j) => b[r * 9 + j],
      ),
  },
  {
    name: "long reduction NT [6,4099]·[8,4099]ᵀ (summed in parts)",
    shapes: [
      [6, 4099],
      [8, 4099],
    ],
    op: (a, b) => np.matmul(a, b.transpose()),
    expected: (a, b) =>
      product(
        1,
        6,
        4099,
        8,
        (_, i, r) => a[i * 4099 + r],
        (_, r, j) => b[j * 4099 + r],
      ),
  },
  {
    name: "(a·b + bias)·2 [8,33]·[33,12] (epilogue after the GEMM)",
    shapes: [[8, 33], [33, 12], [12]],
    op: (a, b, bias) => np.matmul(a, b).add(bias).mul(2),
    expected: (a, b, bias) => {
      const p = product(
        1,
        8,
        33,
        12,
        (_, i, r) => a[i * 33 + r],
        (_, r, j) => b[r * 12 + j],
      );
      return {
        values: p.values.map((v, i) => (v + bias[i % 12]) * 2),
        bounds: p.bounds.map((e, i) => 2 * e + 4 * 2 ** -24 * Math.abs(p.values[i] + bias[i % 12])),
      };
    },
  },
];

/** Products BLAS cannot take as they are: the generic reduction loop computes them. */
const GENERIC_CASES: MatmulCase[] = [
  {
    name: "batch-broadcast [3,7,33]·[33,17]",
    shapes: [
      [3, 7, 33],
      [33, 17],
    ],
    op: np.matmul,
    expected: (a, b) => product(3, 7, 33, 17, at3(a, 7, 33), (_, r, j) => b[r * 17 + j]),
  },
  {
    name: "broadcast column [7,33]·broadcast([33,1] → [33,17])",
    shapes: [
      [7, 33],
      [33, 1],
    ],
    op: (a, v) => np.matmul(a, np.broadcastTo(v, [33, 17])),
    expected: (a, v) =>
      product(
        1,
        7,
        33,
        17,
        (_, i, r) => a[i * 33 + r],
        (_, r) => v[r],
      ),
  },
  {
    name: "padded (masked) operand pad([7,31], 1 column each side)·[33,17]",
    shapes: [
      [7, 31],
      [33, 17],
    ],
    op: (a, b) =>
      np.matmul(
        np.pad(a, [
          [0, 0],
          [1, 1],
        ]),
        b,
      ),
    expected: (a, b) =>
      product(
        1,
        7,
        33,
        17,
        (_, i, r) => (r === 0 || r === 32 ? 0 : a[i * 31 + r - 1]),
        (_, r, j) => b[r * 17 + j],
      ),
  },
  {
    name: "reversed operand flip([7,33], 1)·[33,17]",
    shapes: [
      [7, 33],
      [33, 17],
    ],
    op: (a, b) => np.matmul(np.flip(a, 1), b),
    expected: (a, b) =>
      product(
        1,
        7,
        33,
        17,
        (_, i, r) => a[i * 33 + 32 - r],
        (_, r, j) => b[r * 17 + j],
      ),
  },
];

/** The arguments of case k among the arguments of all `cases`. */
function argsOf<T>(cases: MatmulCase[], all: T[], k: number): T[] {
  const start = cases.slice(0, k).reduce((n, c) => n + c.shapes.length, 0);
  return all.slice(start, start + cases[k].shapes.length);
}

/** The cases as one jitted program. */
const productsProgram = (cases: MatmulCase[]) =>
  new NativeProgram(
    (...xs) => cases.map((c, k) => c.op(...argsOf(cases, xs, k))),
    cases.flatMap((c) => c.shapes.map((shape) => ({ shape }))),
  );

/** Runs the cases' program; returns the C sources of the kernels that ran. */
async function runProducts(f: NativeProgram, cases: MatmulCase[], seed: number): Promise<string[]> {
  const inputs = cases.flatMap((c, k) =>
    c.shapes.map((shape, s) => ({
      values: uniformValues(
        shape.reduce((a, b) => a * b, 1),
        seed + 10 * k + s,
      ),
      shape,
    })),
  );
  try {
    const out = await f.run(inputs);
    cases.forEach((c, k) => {
      checkProduct(
        c.name,
        out[k],
        c.expected(...argsOf(cases, inputs, k).map((x) => Array.from(x.values))),
      );
    });
    return f.sources;
  } finally {
    f.dispose();
  }
}

const gemmProgram = productsProgram(GEMM_CASES);

test("matmul in NN, NT, TN, TT, batched, vector, sliced and long-reduction layouts runs as BLAS GEMMs", async (t) => {
  const sources = await runProducts(gemmProgram, GEMM_CASES, 100);
  if (!blas) {
    t.diagnostic("OpenBLAS not found: products ran as generic kernels, GEMM path not exercised");
    return;
  }
  assert.equal(
    sources.filter(isGemm).length,
    GEMM_CASES.length,
    "one GEMM kernel per product, and no other kernel",
  );
  assert.equal(sources.length, GEMM_CASES.length);
});

const genericProgram = productsProgram(GENERIC_CASES);

test("matmul with a broadcast, padded or reversed operand runs as a generic reduction", async () => {
  const sources = await runProducts(genericProgram, GENERIC_CASES, 200);
  assert.deepEqual(sources.filter(isGemm), [], "no product here has the plain strides BLAS needs");
});

const intEpilogueProgram = new NativeProgram(
  program([(x, y) => np.matmul(x, y).astype(np.int32)]),
  [{ shape: [2, 3] }, { shape: [3, 2] }],
);

// Until 1eba716 such a kernel was a GEMM: sgemm wrote float32 into the int32 output and the
// epilogue read the bits back as int32 (1082130432 for 4).
test("a matmul whose epilogue casts to int32 gives the integer values", async () => {
  // Small integers as float32: the product is exact, so is its cast.
  const a = [1, 2, 3, 4, 5, 6];
  const b = [1, 0, 0, 1, 1, 1];
  const f = intEpilogueProgram;
  try {
    const [out] = await f.run([
      { values: a, shape: [2, 3] },
      { values: b, shape: [3, 2] },
    ]);
    check("int32(a·b)", out, [4, 5, 10, 11], EXACT);
  } finally {
    f.dispose();
  }
});

/** Runs a hand-built kernel on the native backend directly, until it is compiled. */
function runKernel(kernel: Kernel, inputs: Float32Array[]): { out: Float32Array; source: string } {
  const slots = inputs.map((x) => native.malloc(x.byteLength, new Uint8Array(x.buffer)));
  const out = native.malloc(kernel.size * 4);
  try {
    let bytes = new Uint8Array();
    let wasmBefore = 0;
    let before = nativeCalls();
    for (let run = 0; run <= WARM_UP_RUNS; run++) {
      wasmBefore = wasmRuns;
      before = nativeCalls();
      native.dispatch(native.prepareKernelSync(kernel), slots, [out]);
      bytes = native.readSync(out);
    }
    assert.equal(wasmRuns - wasmBefore, 0, "the last run was native");
    const [source] = ranBetween(before, nativeCalls());
    assert.ok(source, "a compiled kernel ran");
    return { out: new Float32Array(bytes.buffer), source };
  } finally {
    for (const slot of [...slots, out]) native.decRef(slot);
  }
}

test("a GEMM whose output is column-major in BLAS's view is computed as its transpose", async (t) => {
  const [m, k, n] = [5, 7, 9];
  const a = Float32Array.from(uniformValues(m * k, 301));
  const b = Float32Array.from(uniformValues(k * n, 302));
  const gidx = AluExp.variable("int32", "gidx");
  const ridx = AluExp.variable("int32", "ridx");
  const load = (gid: number, len: number, index: AluExp) =>
    AluExp.globalIndex("float32", gid, len, index);
  const expected = product(
    1,
    m,
    k,
    n,
    (_, i, r) => a[i * k + r],
    (_, r, j) => b[r * n + j],
  );
  const transposed = (values: number[]) =>
    Array.from({ length: m * n }, (_, q) => values[(q % m) * n + Math.floor(q / m)]);

  // out[j·m + i] = Σ_r a[i, r]·b[r, j]: the output stored transposed.
  const i1 = AluExp.mod(gidx, AluExp.i32(m));
  const j1 = AluExp.idiv(gidx, AluExp.i32(m));
  const storedTransposed = new Kernel(
    2,
    m * n,
    AluExp.mul(
      load(0, m * k, AluExp.add(AluExp.mul(i1, AluExp.i32(k)), ridx)),
      load(1, k * n, AluExp.add(AluExp.mul(ridx, AluExp.i32(n)), j1)),
    ),
    new Reduction("float32", "Add", k),
  );
  // out[i·n + j] = Σ_r b[r, j]·a[i, r]: the operands in the other order.
  const i2 = AluExp.idiv(gidx, AluExp.i32(n));
  const j2 = AluExp.mod(gidx, AluExp.i32(n));
  const swapped = new Kernel(
    2,
    m * n,
    AluExp.mul(
      load(1, k * n, AluExp.add(AluExp.mul(ridx, AluExp.i32(n)), j2)),
      load(0, m * k, AluExp.add(AluExp.mul(i2, AluExp.i32(k)), ridx)),
    ),
    new Reduction("float32", "Add", k),
  );

  const first = runKernel(storedTransposed, [a, b]);
  checkProduct("transposed output", first.out, {
    values: transposed(expected.values),
    bounds: transposed(expected.bounds),
  });
  const second = runKernel(swapped, [a, b]);
  checkProduct("swapped operands", second.out, expected);
  if (!blas) t.diagnostic("OpenBLAS not found: GEMM path not exercised");
  else {
    assert.ok(isGemm(first.source), "the transposed output runs as a GEMM");
    assert.ok(isGemm(second.source), "the swapped operands run as a GEMM");
  }
});

// ---------------------------------------------------------------------------------------------
// Data movement and routines

const movementFn: Program = (x, y, z) => {
  const out = [
    x.ref.slice([1, 6], [3, 120]),
    np.flip(x.ref, 1),
    np.flip(x.ref, 0),
    np.pad(x.ref.slice([], [5, 40]), [
      [2, 3],
      [1, 4],
    ]),
    np
      .pad(x.ref, [
        [1, 1],
        [0, 0],
      ])
      .mul(2),
    x.ref.reshape([7, 65, 2]).slice([], [], 1),
    x.ref.transpose(),
    y.ref.transpose([2, 0, 1]),
    y.ref.transpose([1, 2, 0]),
    np.concatenate([x.ref, z.ref], 1),
    np.repeat(z.ref, 3, 0),
    x
      .slice([0, 3], [0, 4])
      .transpose()
      .reshape([12])
      .add(z.slice([0, 2], [0, 6]).transpose().reshape([12])),
  ];
  y.dispose();
  return out;
};
const movementProgram = new NativeProgram(movementFn, [
  { shape: [7, 130] },
  { shape: [7, 17, 3] },
  { shape: [7, 9] },
]);

test("slices, pads, flips, strides, transposes and concatenation move the same bits as the reference", async () => {
  const fn = movementFn;
  const inputs: Input[] = [
    { values: uniformValues(7 * 130, 401), shape: [7, 130] },
    { values: uniformValues(7 * 17 * 3, 402), shape: [7, 17, 3] },
    { values: uniformValues(7 * 9, 403), shape: [7, 9] },
  ];
  const f = movementProgram;
  try {
    const out = await f.run(inputs);
    const reference = await onCpu(fn, inputs);
    out.forEach((data, k) => {
      check(`output ${k}`, data, reference[k], EXACT);
    });
  } finally {
    f.dispose();
  }
});

const sortProgram = new NativeProgram(
  (x) => [np.sort(x.ref, 1).mul(2), np.argsort(x, 1)],
  [{ shape: [7, 33] }],
);

test("sort and argsort (routines) feed compiled kernels", async () => {
  // Rows of 33 with ties, so argsort's stability shows.
  const values = uniformValues(7 * 33, 501).map((v) => Math.round(v * 8) / 4 + 0);
  const f = sortProgram;
  try {
    const [sorted, order] = await f.run([{ values, shape: [7, 33] }]);
    const rows = Array.from({ length: 7 }, (_, i) => values.slice(i * 33, (i + 1) * 33));
    const expectedOrder = rows.flatMap((row) =>
      row
        .map((v, j) => [v, j])
        .sort((p, q) => p[0] - q[0] || p[1] - q[1])
        .map(([, j]) => j),
    );
    check(
      "sort·2",
      sorted,
      rows.flatMap((row) => [...row].sort((p, q) => p - q).map((v) => v * 2)),
      EXACT,
    );
    check("argsort", order, expectedOrder, EXACT);
  } finally {
    f.dispose();
  }
});
