/**
 * `npm run bench`: img/s of one Adam training step (batch 64) of the two reference nets,
 * ours (the project's modules on jax-js, on each engine device: native, the kernels compiled
 * to C with OpenBLAS for plain matmuls, and wasm) beside an equivalent PyTorch step
 * (bench/torch_step.py), at 1 and 2 threads. Every measurement runs in its own child
 * process (the engine's device and thread count are fixed when it loads); PyTorch gets its
 * best settings: torch.set_num_threads(N) with OPENBLAS_NUM_THREADS=1.
 *
 * First measures the machine's FP32 FMA peak per core (bench/fma_peak.ts, one thread) and
 * prints
 *   fma peak: ... GFLOP/s per core (AVX-512 vfmadd on zmm, ...)
 * then per net, thread count and device
 *   conv-vae threads=1 device=native ours=... img/s torch=... img/s ratio=... step=... GFLOP/s (xx% of FMA peak) matmul=... GFLOP/s
 * where step is the step's effective matmul GFLOP/s (bench/nets.ts), the percentage is of
 * threads x the per-core peak, and matmul the engine's best matmul GFLOP/s on that net's
 * shapes, measured in the same child on the same device; and writes the same (the peak
 * included) to bench/results/latest.json. The PyTorch figure is shared by a net's devices.
 *
 * Options: --threads=1,2  --nets=conv-burgess,mlp-chen  --devices=native,wasm
 *          --warmup=3 --rounds=3 --steps=10
 *          --repeat=3 (child runs per engine and device, ours-native, ours-wasm and PyTorch
 *          alternating; the fastest of each counts, so a slow spell of a shared machine does
 *          not land on one side only)
 *          --profile (kernel table of our 1-thread steps, per device)  --no-torch
 *          --jax-baseline=DIR (DIR: a copy of the @jax-js/jax package, e.g. node_modules/@jax-js/jax
 *          copied before a change to patches/; every device also runs on it, alternating with the
 *          installed one, and a "speedup" line compares the two: a before/after in one run)
 * Env: BENCH_PYTHON (default /usr/bin/python3, Debian's PyTorch).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { measureFmaPeak } from "./fma_peak.ts";
import { BATCH, BENCH_NETS, type BenchNet, stepFlops } from "./nets.ts";
import type { OursResult } from "./ours_step.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const LABEL: Record<BenchNet, string> = { "conv-burgess": "conv-vae", "mlp-chen": "mlp-vae" };

function option(name: string, fallback: string): string {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? arg.slice(name.length + 3) : fallback;
}

function positiveInts(name: string, raw: string): number[] {
  const values = raw.split(",").map(Number);
  if (values.some((v) => !Number.isInteger(v) || v < 1)) {
    console.error(`bench: --${name}=${raw}: expected positive whole numbers separated by commas`);
    process.exit(2);
  }
  return values;
}

const threadCounts = positiveInts("threads", option("threads", "1,2"));
const [warmup, rounds, steps] = ["warmup", "rounds", "steps"].map(
  (name) =>
    positiveInts(name, option(name, { warmup: "3", rounds: "3", steps: "10" }[name] as string))[0],
);
const repeat = positiveInts("repeat", option("repeat", "3"))[0];
const nets = option("nets", BENCH_NETS.join(",")).split(",") as BenchNet[];
for (const net of nets) {
  if (!BENCH_NETS.includes(net)) {
    console.error(
      `bench: --nets: unknown net ${JSON.stringify(net)}: expected ${BENCH_NETS.join(", ")}`,
    );
    process.exit(2);
  }
}
const DEVICES = ["native", "wasm"] as const;
type OursDevice = (typeof DEVICES)[number];
const devices = [...new Set(option("devices", DEVICES.join(",")).split(","))] as OursDevice[];
for (const device of devices) {
  if (!DEVICES.includes(device)) {
    console.error(
      `bench: --devices: unknown device ${JSON.stringify(device)}: expected ${DEVICES.join(", ")}`,
    );
    process.exit(2);
  }
}
const profile = process.argv.includes("--profile");
const jaxBaselineDir = option("jax-baseline", "");
if (jaxBaselineDir && !existsSync(join(jaxBaselineDir, "dist", "index.js"))) {
  console.error(
    `bench: --jax-baseline=${jaxBaselineDir}: no dist/index.js there (expected a copy of @jax-js/jax)`,
  );
  process.exit(2);
}
/** Which jax-js a child runs: the installed one, or the --jax-baseline copy. */
type Jax = "installed" | "baseline";
const jaxes: Jax[] = jaxBaselineDir ? ["installed", "baseline"] : ["installed"];
const runKey = (device: OursDevice, jax: Jax) => `${device}/${jax}`;
const python = process.env.BENCH_PYTHON ?? "/usr/bin/python3";

/** Runs a child and returns its last stdout line parsed as JSON; exits with its output on failure. */
function runChild(
  what: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  unset: string[] = [],
): unknown {
  const childEnv = { ...process.env, ...env };
  for (const name of unset) delete childEnv[name];
  const child = spawnSync(command, args, {
    cwd: root,
    env: childEnv,
    encoding: "utf8",
  });
  const lines = (child.stdout ?? "").trim().split("\n");
  if (child.status !== 0) {
    console.error(
      `bench: ${what} failed (exit ${child.status ?? child.signal}):\n${child.stdout}${child.stderr}`,
    );
    process.exit(1);
  }
  for (const line of lines.slice(0, -1)) console.log(line);
  return JSON.parse(lines[lines.length - 1]);
}

function torchStatus(): string | undefined {
  if (process.argv.includes("--no-torch")) return "skipped (--no-torch)";
  const probe = spawnSync(python, ["-c", "import torch; print(torch.__version__)"], {
    encoding: "utf8",
  });
  if (probe.status !== 0) {
    return `skipped: no PyTorch for ${python} (${(probe.stderr || String(probe.error ?? "")).trim().split("\n").pop()}); set BENCH_PYTHON to a python with torch`;
  }
  return undefined;
}

const torchSkip = torchStatus();
if (torchSkip) console.log(`bench: torch ${torchSkip}`);

// The ceiling of every matmul: one core's FMA peak, measured here on the parent's one thread
// before any child runs; N threads are credited with N times it.
const fmaPeak = measureFmaPeak();
const peakPerCore = "missing" in fmaPeak ? null : fmaPeak.gflopsPerCore;
console.log(
  "missing" in fmaPeak
    ? `fma peak: n/a (${fmaPeak.missing.split("\n")[0]})`
    : `fma peak: ${fmaPeak.gflopsPerCore.toFixed(1)} GFLOP/s per core (${fmaPeak.instructions}, ${fmaPeak.accumulators} accumulators x ${fmaPeak.lanes} lanes; best of ${fmaPeak.trials.length} runs of 0.3 s on 1 thread; N threads: N x this)`,
);

interface Row {
  net: BenchNet;
  label: string;
  threads: number;
  device: OursDevice;
  /** The jax-js build the step ran on ("baseline": --jax-baseline). */
  jax: Jax;
  oursImgPerS: number;
  torchImgPerS: number | null;
  ratio: number | null;
  stepGflops: number;
  torchStepGflops: number | null;
  /** threads x the per-core FMA peak (null when it could not be measured). */
  peakGflops: number | null;
  /** stepGflops / peakGflops, and PyTorch's. */
  stepPeakFraction: number | null;
  torchStepPeakFraction: number | null;
  engineMatmulGflops: number;
  ours: OursResult;
  torch: TorchResult | null;
  /** ms per step of every child run, in the order they ran (the fastest is reported). */
  runs: { ours: number[]; torch: number[] };
}

interface TorchResult {
  msPerStep: number;
  msPerStepMedian: number;
  torch: string;
  blas: string;
}

const fastest = <T extends { msPerStep: number }>(results: T[]): T =>
  results.reduce((best, r) => (r.msPerStep < best.msPerStep ? r : best));

// This workplace pins OpenBLAS to its Haswell kernels for old builds' sake; Debian bookworm's
// OpenBLAS picks the CPU's own (AVX-512) kernels correctly and runs 1.4x faster (64 -> 91
// GFLOP/s on a 1024^3 matmul). Both sides load the same library (PyTorch's BLAS, the native
// backend's sgemm), so both children run without the pin and with one BLAS thread (the native
// backend sets that itself too; the variable also keeps OpenBLAS from starting its pool).
const OPENBLAS_UNSET = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"];

const rows: Row[] = [];
const fmt = (v: number) => v.toFixed(0);
const percent = (v: number | null) => (v === null ? "n/a" : `${(100 * v).toFixed(0)}%`);
for (const threads of threadCounts) {
  for (const net of nets) {
    const stepArgs = [String(warmup), String(rounds), String(steps)];
    const oursRuns = new Map<string, OursResult[]>(
      devices.flatMap((d) => jaxes.map((jax) => [runKey(d, jax), []])),
    );
    const torchRuns: TorchResult[] = [];
    for (let run = 0; run < repeat; run++) {
      for (const [device, jax] of devices.flatMap((d) => jaxes.map((j) => [d, j] as const))) {
        const what = `ours ${net} threads=${threads} device=${device}${jax === "baseline" ? " jax=baseline" : ""}`;
        const result = runChild(
          what,
          process.execPath,
          [
            "--import",
            "tsx",
            ...(jax === "baseline" ? ["--import", join(here, "jax-baseline.mjs")] : []),
            join(here, "ours_step.ts"),
            net,
            ...stepArgs,
            ...(profile && threads === 1 && run === 0 ? ["--profile"] : []),
          ],
          {
            DISENTANGLE_DEVICE: device,
            DISENTANGLE_THREADS: String(threads),
            OPENBLAS_NUM_THREADS: "1",
            ...(jax === "baseline" ? { BENCH_JAX_BASELINE: jaxBaselineDir } : {}),
          },
          OPENBLAS_UNSET,
        ) as OursResult;
        if (result.device !== device) {
          console.error(`bench: ${what} ran on device ${result.device}`);
          process.exit(1);
        }
        oursRuns.get(runKey(device, jax))?.push(result);
      }
      if (torchSkip) continue;
      torchRuns.push(
        runChild(
          `torch ${net} threads=${threads}`,
          python,
          [join(here, "torch_step.py"), net, String(threads), ...stepArgs],
          {
            OPENBLAS_NUM_THREADS: "1",
            OMP_NUM_THREADS: String(threads),
          },
          OPENBLAS_UNSET,
        ) as TorchResult,
      );
    }
    const torch = torchSkip ? null : fastest(torchRuns);
    const flops = stepFlops(net);
    const torchImgPerS = torch ? (BATCH * 1000) / torch.msPerStep : null;
    const torchStepGflops = torch ? flops / torch.msPerStep / 1e6 : null;
    const peakGflops = peakPerCore === null ? null : threads * peakPerCore;
    for (const [device, jax] of devices.flatMap((d) => jaxes.map((j) => [d, j] as const))) {
      const runs = oursRuns.get(runKey(device, jax)) ?? [];
      const ours = fastest(runs);
      const oursImgPerS = (BATCH * 1000) / ours.msPerStep;
      const stepGflops = flops / ours.msPerStep / 1e6;
      const row: Row = {
        net,
        label: LABEL[net],
        threads,
        device,
        jax,
        oursImgPerS,
        torchImgPerS,
        ratio: torchImgPerS ? oursImgPerS / torchImgPerS : null,
        stepGflops,
        torchStepGflops,
        peakGflops,
        stepPeakFraction: peakGflops === null ? null : stepGflops / peakGflops,
        torchStepPeakFraction:
          peakGflops === null || torchStepGflops === null ? null : torchStepGflops / peakGflops,
        engineMatmulGflops: Math.max(...ours.matmul.map((m) => m.gflops)),
        ours,
        torch,
        runs: {
          ours: runs.map((r) => r.msPerStep),
          torch: torchRuns.map((r) => r.msPerStep),
        },
      };
      rows.push(row);
      const compiledWhileTiming = Math.max(
        ...runs.map((r) => r.native?.programsLoadedWhileTiming ?? 0),
      );
      console.log(
        `${row.label} threads=${threads} device=${device}${jax === "baseline" ? " jax=baseline" : ""} ours=${fmt(oursImgPerS)} img/s torch=${torchImgPerS === null ? "n/a" : fmt(torchImgPerS)} img/s` +
          ` ratio=${row.ratio === null ? "n/a" : row.ratio.toFixed(2)} step=${stepGflops.toFixed(1)} GFLOP/s (${percent(row.stepPeakFraction)} of FMA peak)` +
          ` matmul=${row.engineMatmulGflops.toFixed(1)} GFLOP/s` +
          (torch && torch.blas !== "openblas" ? ` (torch on ${torch.blas})` : "") +
          (compiledWhileTiming > 0
            ? ` (native kernels compiled while timing: raise --warmup)`
            : "") +
          (repeat > 1
            ? ` runs(ms/step): ours ${row.runs.ours.map(fmt).join(",")}` +
              (torch ? ` torch ${row.runs.torch.map(fmt).join(",")}` : "")
            : ""),
      );
    }
  }
}

for (const row of rows) {
  if (row.jax !== "baseline") continue;
  const installed = rows.find(
    (r) =>
      r.jax === "installed" &&
      r.net === row.net &&
      r.threads === row.threads &&
      r.device === row.device,
  );
  if (!installed) continue;
  console.log(
    `speedup over --jax-baseline: ${row.label} threads=${row.threads} device=${row.device} ${(installed.oursImgPerS / row.oursImgPerS).toFixed(2)}x (${fmt(row.oursImgPerS)} -> ${fmt(installed.oursImgPerS)} img/s; step ${row.stepGflops.toFixed(1)} -> ${installed.stepGflops.toFixed(1)} GFLOP/s, ${percent(row.stepGflops / row.engineMatmulGflops)} -> ${percent(installed.stepGflops / installed.engineMatmulGflops)} of engine matmul)`,
  );
}

for (const row of rows) {
  if (row.peakGflops !== null && row.engineMatmulGflops > row.peakGflops) {
    console.log(
      `bench: note: ${row.label} threads=${row.threads} device=${row.device} matmul ${row.engineMatmulGflops.toFixed(1)} GFLOP/s is above threads x the FMA peak (${row.peakGflops.toFixed(1)}): the peak was measured while the machine was busy`,
    );
  }
}

const out = join(here, "results", "latest.json");
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      cpu: cpus()[0]?.model ?? "unknown",
      batch: BATCH,
      warmup,
      rounds,
      steps,
      repeat,
      devices,
      jaxBaseline: jaxBaselineDir || null,
      torch: torchSkip ?? "ok",
      fmaPeak,
      rows,
    },
    null,
    2,
  )}\n`,
);
console.log(`bench: wrote ${out}`);
