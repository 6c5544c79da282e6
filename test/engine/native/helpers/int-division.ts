/**
 * Child process for test/engine/native/codegen.test.ts: int32 divisions run as compiled
 * native code, among them divisions by 0 and INT32_MIN / -1, which the C translation of
 * `Idiv`/`Mod` (a plain C `/` and `%`) makes the CPU trap on (SIGFPE). Hence a process of
 * their own. Runs the cases named in argv in order: each jitted function first runs on safe
 * divisors until the native backend has compiled it, then once on the case's operands, and
 * prints one JSON line (case name, results, kernels compiled so far). A case that kills the
 * process prints nothing, nor do the cases after it.
 */
import "./every-kernel-native.ts";
import { initEngine } from "../../../../src/engine/device.ts";
import { jit, numpy as np, type Array as Tensor } from "../../../../src/engine/jax.ts";
import { nativeBackend } from "../../../../src/engine/native/register.ts";

const CASES: Record<string, { f: (x: Tensor, d: Tensor) => Tensor[]; x: number[]; d: number[] }> = {
  // The division is guarded: where the divisor is 0 its result is not used.
  "guarded-by-where": {
    f: (x, d) => [np.where(np.notEqual(d.ref, 0), np.floorDivide(x, d.ref), -1)],
    x: [7, -7, 9],
    d: [2, 0, 3],
  },
  // numpy and jax-js's reference interpreter give 0.
  "by-zero": {
    f: (x, d) => [np.floorDivide(x.ref, d.ref), np.remainder(x, d)],
    x: [7, -7, 0],
    d: [0, 0, 0],
  },
  // Wraps to INT32_MIN in numpy and in the reference interpreter.
  "int-min-by-minus-one": {
    f: (x, d) => [np.floorDivide(x, d)],
    x: [-2147483648, 5, 6],
    d: [-1, 1, 2],
  },
};

await initEngine("native");
const int32 = (values: number[]) => np.array(Int32Array.from(values), { dtype: np.int32 });
for (const name of process.argv.slice(2)) {
  const chosen = CASES[name];
  if (!chosen) throw new Error(`unknown case ${JSON.stringify(name)}`);
  const f = jit(chosen.f);
  for (let run = 0; run < 5; run++) {
    for (const y of f(int32(chosen.x), int32(chosen.d.map(() => 1)))) await y.data();
  }
  const kernels = nativeBackend()?.stats.kernels ?? 0;
  const values: number[][] = [];
  for (const y of f(int32(chosen.x), int32(chosen.d))) values.push(Array.from(await y.data()));
  f.dispose();
  process.stdout.write(`${JSON.stringify({ name, values, kernels })}\n`);
}
