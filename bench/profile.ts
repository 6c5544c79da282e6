/**
 * Kernel-level profile of a jitted step with jax-js's profiler (performance.measure
 * entries, one per dispatched Wasm kernel). Exact only with 1 thread: with workers the
 * measure covers the dispatch, not the kernel's run. On the native device, the backend's own
 * kernel timer instead ({@link profileNative}).
 */
import { profiler } from "../src/engine/jax.ts";
import type { NativeBackend } from "../src/engine/native/backend.ts";

export type KernelKind = "matmul" | "reduce" | "copy" | "elementwise" | "routine";

export interface KernelStat {
  kind: KernelKind;
  /** Output elements, reduction length (1 if none) and the kernel expression. */
  size: number;
  reduction: number;
  exp: string;
  calls: number;
  msPerStep: number;
  /** Matmul kernels only: 2·size·reduction / time. */
  gflops?: number;
}

export interface Profile {
  msPerStep: number;
  kernelMsPerStep: number;
  kernelsPerStep: number;
  kernels: KernelStat[];
  byKind: Record<KernelKind, { msPerStep: number; calls: number }>;
}

function classify(exp: string, reductionOp: string | undefined): KernelKind {
  if (reductionOp !== undefined) {
    // A product of two global loads summed over $ridx: a matmul (maybe with a fused epilogue).
    return reductionOp.startsWith("Add") &&
      /^\(GV_\d+<float32>\{[^}]*\}\[[^\]]*\] \* GV_\d+/.test(exp)
      ? "matmul"
      : "reduce";
  }
  return /^GV_\d+<[^>]+>\{[^}]*\}\[[^\]]*\]$/.test(exp) ? "copy" : "elementwise";
}

/** Runs `step` `steps` times under the profiler and aggregates the kernels by expression. */
export async function profileKernels(
  step: () => Promise<unknown>,
  steps: number,
): Promise<Profile> {
  performance.clearMeasures();
  profiler.startTrace();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await step();
  const msPerStep = (performance.now() - t0) / steps;
  profiler.stopTrace();
  const stats = new Map<string, KernelStat>();
  for (const entry of performance.getEntriesByType("measure") as PerformanceMeasure[]) {
    const props = new Map<string, string>(
      (entry.detail as { devtools?: { properties?: [string, string][] } })?.devtools?.properties ??
        [],
    );
    const exp = props.get("exp") ?? `${entry.name} ${props.get("inputShapes") ?? ""}`;
    const reductionProp = props.get("reduction");
    const key = `${entry.name}|${exp}|${reductionProp ?? ""}`;
    let stat = stats.get(key);
    if (!stat) {
      const [op, len] = (reductionProp ?? ":1").split(":");
      stat = {
        kind: props.has("exp")
          ? classify(exp, reductionProp === undefined ? undefined : op)
          : "routine",
        size: Number(props.get("size") ?? 0),
        reduction: Number(len),
        exp,
        calls: 0,
        msPerStep: 0,
      };
      stats.set(key, stat);
    }
    stat.calls += 1 / steps;
    stat.msPerStep += entry.duration / steps;
  }
  performance.clearMeasures();
  const kernels = [...stats.values()].sort((a, b) => b.msPerStep - a.msPerStep);
  const byKind = Object.fromEntries(
    (["matmul", "reduce", "copy", "elementwise", "routine"] as KernelKind[]).map((k) => [
      k,
      { msPerStep: 0, calls: 0 },
    ]),
  ) as Profile["byKind"];
  for (const k of kernels) {
    if (k.kind === "matmul") k.gflops = (2 * k.size * k.reduction * k.calls) / k.msPerStep / 1e6;
    byKind[k.kind].msPerStep += k.msPerStep;
    byKind[k.kind].calls += k.calls;
  }
  return {
    msPerStep,
    kernelMsPerStep: kernels.reduce((s, k) => s + k.msPerStep, 0),
    kernelsPerStep: kernels.reduce((s, k) => s + k.calls, 0),
    kernels,
    byKind,
  };
}

/** Shape of a matmul kernel's loads, e.g. "{16384,32,128:128,0,1}x{...:0,1,32}". */
function matmulLayout(exp: string): string {
  return [...exp.matchAll(/\{([^}]*)\}/g)]
    .slice(0, 2)
    .map((m) => `{${m[1]}}`)
    .join("x");
}

export function formatProfile(p: Profile, top: number): string {
  const lines = [
    `profile: step ${p.msPerStep.toFixed(1)} ms, kernels ${p.kernelMsPerStep.toFixed(1)} ms in ${Math.round(p.kernelsPerStep)} dispatches`,
    ...Object.entries(p.byKind).map(
      ([kind, s]) =>
        `  ${kind.padEnd(11)} ${s.msPerStep.toFixed(1).padStart(7)} ms ${((100 * s.msPerStep) / p.kernelMsPerStep).toFixed(0).padStart(3)}%  ${Math.round(s.calls)} calls`,
    ),
  ];
  for (const k of p.kernels.slice(0, top)) {
    const what =
      k.kind === "matmul"
        ? `matmul out=${k.size} K=${k.reduction} ${matmulLayout(k.exp)} ${k.gflops?.toFixed(1)} GFLOP/s`
        : `${k.kind} size=${k.size}${k.reduction > 1 ? ` red=${k.reduction}` : ""} ${k.exp.slice(0, 110)}`;
    lines.push(
      `  ${k.msPerStep.toFixed(2).padStart(7)} ms ${k.calls.toFixed(0).padStart(2)}x ${what}`,
    );
  }
  return lines.join("\n");
}

/**
 * Per-kernel table of the native backend's own timer over `steps` steps: every compiled
 * kernel call, timed around the call (kernels run synchronously, so this is exact at any
 * thread count). Not counted: kernels still running on Wasm, and routines.
 */
export async function profileNative(
  backend: NativeBackend,
  step: () => Promise<unknown>,
  steps: number,
  top: number,
): Promise<string> {
  const before = new Map(backend.profile().map((k) => [k.name, k]));
  const wasOn = backend.profiling;
  backend.profiling = true;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await step();
  const msPerStep = (performance.now() - t0) / steps;
  backend.profiling = wasOn;
  const kernels = backend
    .profile()
    .map((k) => ({
      ...k,
      calls: (k.calls - (before.get(k.name)?.calls ?? 0)) / steps,
      ms: (k.ms - (before.get(k.name)?.ms ?? 0)) / steps,
    }))
    .filter((k) => k.calls > 0)
    .sort((a, b) => b.ms - a.ms);
  const sgemm = kernels.filter((k) => k.source.includes("cblas_sgemm"));
  const sum = (ks: typeof kernels) => ks.reduce((s, k) => s + k.ms, 0);
  const lines = [
    `profile (native): step ${msPerStep.toFixed(1)} ms, kernels ${sum(kernels).toFixed(1)} ms in ${Math.round(kernels.reduce((s, k) => s + k.calls, 0))} calls, of which sgemm ${sum(sgemm).toFixed(1)} ms`,
  ];
  for (const k of kernels.slice(0, top)) {
    const kind = k.source.includes("cblas_sgemm") ? "sgemm " : "kernel";
    lines.push(
      `  ${k.ms.toFixed(2).padStart(7)} ms ${k.calls.toFixed(0).padStart(2)}x ${kind} ${k.kernel.replace(/\s+/g, " ").slice(0, 110)}`,
    );
  }
  return lines.join("\n");
}
