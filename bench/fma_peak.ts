/**
 * The FP32 fused multiply-add peak of one core, the ceiling of any matmul on it: the
 * microkernel bench/fma_peak.c (independent accumulator vectors, one FMA each per iteration),
 * built by the native backend's compiler (src/engine/native/compiler.ts, cached on disk) and
 * called through koffi on this process's thread. Each trial runs ~0.3 s; the best counts (a
 * busy machine can only lower a trial, so 10 of them give a slow spell room to pass).
 */
import { readFileSync } from "node:fs";
import koffi from "koffi";
import { buildSharedObject, findCompiler } from "../src/engine/native/compiler.ts";

export interface FmaPeak {
  /** Best trial's GFLOP/s on one thread (2 FLOPs per FMA lane). */
  gflopsPerCore: number;
  /** Every trial's GFLOP/s, in order. */
  trials: number[];
  /** The instructions the kernel compiled to, e.g. "AVX-512 vfmadd on zmm". */
  instructions: string;
  accumulators: number;
  lanes: number;
  compiler: string;
}

/** Measures the peak, or returns why it cannot (no C compiler, the kernel does not build). */
export function measureFmaPeak(trials = 10, secondsPerTrial = 0.3): FmaPeak | { missing: string } {
  const compiler = findCompiler();
  if ("missing" in compiler) return compiler;
  let lib: koffi.IKoffiLib;
  try {
    const source = readFileSync(new URL("./fma_peak.c", import.meta.url), "utf8");
    lib = koffi.load(buildSharedObject(compiler, source).path);
  } catch (error) {
    return { missing: (error as Error).message };
  }
  const run = lib.func("float fma_peak_run(double iterations, float m, float a)") as (
    iterations: number,
    m: number,
    a: number,
  ) => number;
  const flopsPerIteration = (
    lib.func("double fma_peak_flops_per_iteration(void)") as () => number
  )();
  const timed = (iterations: number): number => {
    const start = performance.now();
    const sum = run(iterations, 0.999, 1e-3);
    const seconds = (performance.now() - start) / 1000;
    if (!Number.isFinite(sum)) throw new Error(`bench: fma peak kernel returned ${sum}`);
    return seconds;
  };
  // Calibrate: grow the iteration count until a run takes 20 ms, then scale to the trial length.
  let iterations = 1e5;
  let seconds = timed(iterations);
  while (seconds < 0.02) {
    iterations *= 4;
    seconds = timed(iterations);
  }
  iterations = Math.ceil((iterations * secondsPerTrial) / seconds);
  const results: number[] = [];
  for (let i = 0; i < trials; i++) {
    results.push((iterations * flopsPerIteration) / timed(iterations) / 1e9);
  }
  return {
    gflopsPerCore: Math.max(...results),
    trials: results,
    instructions: lib.func("const char* fma_peak_isa(void)")() as string,
    accumulators: lib.func("int fma_peak_accumulators(void)")() as number,
    lanes: lib.func("int fma_peak_lanes(void)")() as number,
    compiler: compiler.version,
  };
}
