/**
 * A jax-js backend that runs kernels as native code: each kernel is translated to C
 * (codegen.ts), built by the system compiler into one shared object per batch of new kernels
 * (compiler.ts, cached on disk) and called through koffi. Buffers live in native memory;
 * reads copy out.
 *
 * Dispatches are queued and run when a buffer is read (jax-js allows this: operations run in
 * dispatch order, and a read waits for them). Queueing is what makes one shared object per
 * jitted program: the first run of a program queues all its kernels, and the flush compiles
 * every kernel not yet built in a single compiler call. Routines (sort, scatter, linear
 * algebra, FFT) run on jax-js's own CPU implementation over copies of their buffers.
 */

import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import {
  type Backend,
  Executable,
  FpHash,
  getBackend,
  type Kernel,
  type Routine,
  runCpuRoutine,
  SlotError,
} from "@jax-js/jax/backend";
import koffi from "koffi";
import { kernelToC } from "./codegen.ts";
import { type BuiltObject, buildSharedObject, type Compiler, shippedSource } from "./compiler.ts";

type KernelFunction = (args: Float64Array) => void;

interface Runtime {
  alloc: (bytes: number) => number;
  free: (address: number) => void;
  write: (address: number, src: Uint8Array, offset: number, bytes: number) => void;
  read: (dst: Uint8Array, address: number, offset: number, bytes: number) => void;
  setThreads: (threads: number) => void;
}

/** A kernel and where it runs: its C function once built, or its Wasm executable. */
interface KernelEntry {
  /** The C function's name and source (native kernels only). */
  name: string;
  source: string;
  /** The jax-js kernel (run on Wasm, printed in a profile). */
  kernel: Kernel;
  fn?: KernelFunction;
  /** Where it runs (see {@link placement}); a kernel whose program did not compile moves to Wasm. */
  placement: "native" | "wasm";
  /** Its executable on the Wasm backend, prepared on first use there. */
  wasm?: Executable;
  /** Calls and total ms, counted when profiling is on. */
  calls: number;
  ms: number;
}

interface Buffer {
  address: number;
  size: number;
  ref: number;
}

interface Queued {
  exe: Executable<KernelEntry | undefined>;
  inputs: number[];
  outputs: number[];
}

/** Largest number of kernel inputs (the argument table is one Float64Array). */
const MAX_ARGS = 128;
/**
 * Kernels with less work than this (output elements x reduction length) run on jax-js's Wasm
 * backend, the rest as native code. A compile costs ~0.3 s, which a small kernel never earns
 * back, and code that makes many one-off small kernels (eager steps, a function traced for
 * many shapes) would otherwise spend its time in the compiler. The placement depends on the
 * kernel only, so results never depend on what ran before. DISENTANGLE_NATIVE_MIN_WORK
 * overrides it (0: every kernel native, as the backend's own tests run).
 */
const NATIVE_MIN_WORK = nativeMinWork(process.env.DISENTANGLE_NATIVE_MIN_WORK);

function nativeMinWork(value: string | undefined): number {
  if (value === undefined || value === "") return 1 << 14;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(
      `DISENTANGLE_NATIVE_MIN_WORK=${value}: expected a whole number >= 0 (work below which kernels run on Wasm)`,
    );
  }
  return n;
}

/**
 * Where a kernel runs: native code, or Wasm when it is small (see {@link NATIVE_MIN_WORK}).
 * Kernels with float64 values always run native: jax-js's Wasm exp, log and sin are only
 * float32-accurate in float64.
 */
function placement(kernel: Kernel): "native" | "wasm" {
  if (kernel.size * (kernel.reduction?.size ?? 1) >= NATIVE_MIN_WORK) return "native";
  const float64 = kernel.exp.collect((e) => e.dtype === "float64").length > 0;
  return float64 || kernel.dtype === "float64" ? "native" : "wasm";
}
/** Freed memory kept for reuse at most; beyond it buffers go back to the system. */
const MAX_POOLED_BYTES = 1 << 30;
/** Queued dispatches that force a flush, bounding the memory held by queued buffers. */
const MAX_QUEUED = 4096;

/** Loads a shared object, rebuilding it once if the cached file does not load. */
function loadBuilt(
  compiler: Compiler,
  source: string,
  libraries: string[],
): { lib: koffi.IKoffiLib; built: BuiltObject } {
  let built = buildSharedObject(compiler, source, libraries);
  try {
    return { lib: koffi.load(built.path), built };
  } catch (error) {
    if (built.compiled) throw error;
    built = buildSharedObject(compiler, source, libraries, true);
    return { lib: koffi.load(built.path), built };
  }
}

export interface NativeStats {
  /** Programs compiled (not found in the cache) and their total compile time. */
  programsCompiled: number;
  compileMs: number;
  programsLoaded: number;
  kernels: number;
  /** Time translating kernels to C, and building or loading programs (cache hits included). */
  translateMs: number;
  buildMs: number;
}

export class NativeBackend implements Backend {
  readonly type = "native";
  readonly maxArgs = MAX_ARGS;
  readonly stats: NativeStats = {
    programsCompiled: 0,
    compileMs: 0,
    programsLoaded: 0,
    kernels: 0,
    translateMs: 0,
    buildMs: 0,
  };
  readonly #compiler: Compiler;
  readonly #runtime: Runtime;
  readonly #prelude: string;
  /** Path of the OpenBLAS library that programs link, when found. */
  readonly #blas: string | undefined;
  readonly #buffers = new Map<number, Buffer>();
  #nextSlot = 1;
  /** Freed buffers kept for reuse, by size in bytes. */
  readonly #pool = new Map<number, number[]>();
  #pooledBytes = 0;
  #queue: Queued[] = [];
  #wasm: Backend | undefined;
  /** Kernels by jax-js's structural hash, then by their C body (equal bodies share a function). */
  readonly #byHash = new Map<bigint, KernelEntry>();
  readonly #bySource = new Map<string, KernelEntry>();
  readonly #args = new Float64Array(MAX_ARGS + 1);
  /** Times every kernel call (see {@link profile}). */
  profiling = process.env.DISENTANGLE_NATIVE_PROFILE === "1";

  constructor(compiler: Compiler, threads: number) {
    this.#compiler = compiler;
    this.#prelude = shippedSource("prelude.h");
    this.#blas = findOpenBlas();
    const { lib } = loadBuilt(compiler, shippedSource("runtime.c"), []);
    this.#runtime = {
      alloc: lib.func("double dj_alloc(double bytes)"),
      free: lib.func("void dj_free(double address)"),
      write: lib.func(
        "void dj_write(double address, const uint8_t* src, double offset, double bytes)",
      ),
      read: lib.func("void dj_read(uint8_t* dst, double address, double offset, double bytes)"),
      setThreads: lib.func("void dj_set_threads(int threads)"),
    };
    this.#runtime.setThreads(threads);
  }

  malloc(size: number, initialData?: Uint8Array): number {
    const address = this.#allocate(size);
    if (initialData) {
      if (initialData.byteLength !== size)
        throw new Error("initialData size does not match buffer size");
      this.#runtime.write(address, initialData, 0, size);
    }
    const slot = this.#nextSlot++;
    this.#buffers.set(slot, { address, size, ref: 1 });
    return slot;
  }

  incRef(slot: number): void {
    this.#buffer(slot).ref++;
  }

  decRef(slot: number): void {
    const buffer = this.#buffer(slot);
    if (--buffer.ref === 0) {
      this.#release(buffer);
      this.#buffers.delete(slot);
    }
  }

  /**
   * Memory for `size` bytes, reused from a freed buffer of the same size when there is one:
   * a training step frees and allocates the same sizes every step, and fresh pages from the
   * system cost a page fault each.
   */
  #allocate(size: number): number {
    const pooled = this.#pool.get(size)?.pop();
    if (pooled !== undefined) {
      this.#pooledBytes -= size;
      return pooled;
    }
    const address = this.#runtime.alloc(size);
    if (address === 0) throw new Error(`native backend: out of memory allocating ${size} bytes`);
    return address;
  }

  #release(buffer: Buffer): void {
    if (this.#pooledBytes + buffer.size > MAX_POOLED_BYTES) {
      this.#runtime.free(buffer.address);
      return;
    }
    let list = this.#pool.get(buffer.size);
    if (!list) {
      list = [];
      this.#pool.set(buffer.size, list);
    }
    list.push(buffer.address);
    this.#pooledBytes += buffer.size;
  }

  async read(slot: number, start?: number, count?: number): Promise<Uint8Array<ArrayBuffer>> {
    return this.readSync(slot, start, count);
  }

  readSync(slot: number, start = 0, count?: number): Uint8Array<ArrayBuffer> {
    this.flush();
    const buffer = this.#buffer(slot);
    const bytes = count ?? buffer.size - start;
    const out = new Uint8Array(bytes);
    if (bytes > 0) this.#runtime.read(out, buffer.address, start, bytes);
    return out;
  }

  async prepareKernel(kernel: Kernel): Promise<Executable> {
    return this.prepareKernelSync(kernel);
  }

  prepareKernelSync(kernel: Kernel): Executable {
    const hash = FpHash.hash(kernel);
    let entry = this.#byHash.get(hash);
    if (!entry) {
      const start = performance.now();
      entry =
        placement(kernel) === "native"
          ? this.#nativeEntry(kernel)
          : { name: "", source: "", kernel, placement: "wasm", calls: 0, ms: 0 };
      this.#byHash.set(hash, entry);
      this.stats.translateMs += performance.now() - start;
    }
    return new Executable(kernel, entry);
  }

  /** The entry of a native kernel: its C, shared with any kernel of the same body. */
  #nativeEntry(kernel: Kernel): KernelEntry {
    const body = kernelToC(kernel, "KERNEL", { blas: this.#blas !== undefined });
    let entry = this.#bySource.get(body);
    if (!entry) {
      const name = `k_${hashName(body)}`;
      const source = body.replace("void KERNEL(", `void ${name}(`);
      entry = { name, source, kernel, placement: "native", calls: 0, ms: 0 };
      this.#bySource.set(body, entry);
    }
    return entry;
  }

  async prepareRoutine(routine: Routine): Promise<Executable> {
    return this.prepareRoutineSync(routine);
  }

  prepareRoutineSync(routine: Routine): Executable {
    return new Executable(routine, undefined);
  }

  dispatch(exe: Executable, inputs: number[], outputs: number[]): void {
    for (const slot of inputs) this.incRef(slot);
    for (const slot of outputs) this.incRef(slot);
    this.#queue.push({ exe, inputs, outputs });
    if (this.#queue.length >= MAX_QUEUED) this.flush();
  }

  /**
   * Runs the queue in order, first compiling (in one program) every native kernel in it that
   * is not built yet. Where a kernel runs is fixed by the kernel alone (see {@link placement}),
   * so a computation gives the same bits every time it runs, in this process or the next.
   */
  flush(): void {
    if (this.#queue.length === 0) return;
    const queue = this.#queue;
    this.#queue = [];
    const unbuilt = new Set<KernelEntry>();
    for (const { exe } of queue) {
      const entry = exe.data;
      if (entry?.placement === "native" && !entry.fn) unbuilt.add(entry);
    }
    if (unbuilt.size > 0) this.#build([...unbuilt]);
    for (const { exe, inputs, outputs } of queue) {
      const entry = exe.data;
      if (entry?.fn) this.#runKernel(entry, inputs, outputs);
      else if (entry) this.#runOnWasm(entry, inputs, outputs);
      else this.#runRoutine(exe.source as Routine, inputs, outputs);
      for (const slot of inputs) this.decRef(slot);
      for (const slot of outputs) this.decRef(slot);
    }
  }

  /** Runs a kernel on the Wasm backend over copies of its buffers (see {@link placement}). */
  #runOnWasm(entry: KernelEntry, inputs: number[], outputs: number[]): void {
    const wasm = this.#wasm ?? getBackend("wasm");
    this.#wasm = wasm;
    const wasmInputs = inputs.map((slot) =>
      wasm.malloc(this.#buffer(slot).size, this.#copyOut(slot)),
    );
    const output = this.#buffer(outputs[0]);
    const wasmOutput = wasm.malloc(output.size);
    entry.wasm ??= wasm.prepareKernelSync(entry.kernel);
    wasm.dispatch(entry.wasm, wasmInputs, [wasmOutput]);
    const result = wasm.readSync(wasmOutput);
    this.#runtime.write(output.address, result, 0, result.byteLength);
    for (const slot of [...wasmInputs, wasmOutput]) wasm.decRef(slot);
  }

  #copyOut(slot: number): Uint8Array {
    const buffer = this.#buffer(slot);
    const bytes = new Uint8Array(buffer.size);
    if (buffer.size > 0) this.#runtime.read(bytes, buffer.address, 0, buffer.size);
    return bytes;
  }

  #build(entries: KernelEntry[]): void {
    const start = performance.now();
    try {
      this.#buildProgram(entries);
    } finally {
      this.stats.buildMs += performance.now() - start;
    }
  }

  #buildProgram(entries: KernelEntry[]): void {
    const header = this.#blas ? `#define DJ_BLAS 1\n${this.#prelude}` : this.#prelude;
    const source = [header, ...entries.map((e) => e.source)].join("\n\n");
    let lib: koffi.IKoffiLib;
    let built: BuiltObject;
    try {
      ({ lib, built } = loadBuilt(this.#compiler, source, this.#blas ? [this.#blas] : []));
    } catch (error) {
      // Never a crash mid-run: these kernels stay on Wasm, and the message names the C file.
      for (const entry of entries) entry.placement = "wasm";
      console.error(
        `disentangle: ${(error as Error).message}\n(these ${entries.length} kernels keep running on wasm)`,
      );
      return;
    }
    if (built.compiled) {
      this.stats.programsCompiled++;
      this.stats.compileMs += built.ms;
    }
    this.stats.programsLoaded++;
    this.stats.kernels += entries.length;
    for (const entry of entries) entry.fn = lib.func(`void ${entry.name}(const double* args)`);
  }

  #runKernel(entry: KernelEntry, inputs: number[], outputs: number[]): void {
    const args = this.#args;
    args[0] = this.#buffer(outputs[0]).address;
    for (let i = 0; i < inputs.length; i++) args[i + 1] = this.#buffer(inputs[i]).address;
    if (!this.profiling) {
      (entry.fn as KernelFunction)(args);
      return;
    }
    const start = performance.now();
    (entry.fn as KernelFunction)(args);
    entry.ms += performance.now() - start;
    entry.calls++;
  }

  /** Per-kernel time since profiling was turned on, slowest first. */
  profile(): { name: string; calls: number; ms: number; kernel: string; source: string }[] {
    return [...this.#bySource.values()]
      .filter((e) => e.calls > 0)
      .sort((a, b) => b.ms - a.ms)
      .map((e) => ({
        name: e.name,
        calls: e.calls,
        ms: e.ms,
        kernel: e.kernel.toString(),
        source: e.source,
      }));
  }

  #runRoutine(routine: Routine, inputs: number[], outputs: number[]): void {
    const outs = outputs.map((slot) => this.#copyOut(slot));
    runCpuRoutine(
      routine,
      inputs.map((slot) => this.#copyOut(slot)),
      outs,
    );
    outputs.forEach((slot, i) => {
      this.#runtime.write(this.#buffer(slot).address, outs[i], 0, outs[i].byteLength);
    });
  }

  #buffer(slot: number): Buffer {
    const buffer = this.#buffers.get(slot);
    if (!buffer) throw new SlotError(slot);
    return buffer;
  }
}

/** Where Debian (libopenblas0) and most distributions put OpenBLAS; `DISENTANGLE_BLAS` overrides. */
const OPENBLAS_PATHS = [
  "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
  "/usr/lib/aarch64-linux-gnu/libopenblas.so.0",
  "/usr/lib64/libopenblas.so.0",
  "/usr/lib/libopenblas.so.0",
  "/usr/local/lib/libopenblas.so.0",
];

/** The OpenBLAS shared library, or undefined (GEMMs then run as generic kernels). */
export function findOpenBlas(): string | undefined {
  const chosen = process.env.DISENTANGLE_BLAS;
  if (chosen !== undefined) return chosen === "" || chosen === "none" ? undefined : chosen;
  return OPENBLAS_PATHS.find((path) => existsSync(path));
}

/** A stable name for a kernel body. */
function hashName(text: string): string {
  return createHash("sha1").update(text).digest("hex").slice(0, 20);
}
