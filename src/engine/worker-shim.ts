/**
 * Web Worker polyfill for Node on top of `node:worker_threads`.
 *
 * jax-js multithreads its Wasm kernels only when `globalThis.Worker` and
 * `SharedArrayBuffer` exist, and it creates its Wasm backend (and sizes its worker pool
 * from `navigator.hardwareConcurrency`) when `@jax-js/jax` is first imported. This module
 * must therefore be evaluated before that import; `src/engine/jax.ts` guarantees it.
 *
 * Thread count: `DISENTANGLE_THREADS` (or `JAX_THREADS`) from the environment, else the
 * machine's available parallelism. With 1 thread no Worker is installed and kernels run
 * on the main thread.
 *
 * In a browser it does nothing (browsers have Workers, and the page's
 * `navigator.hardwareConcurrency` is left alone). It reaches Node's modules through
 * `process.getBuiltinModule` (Node >= 20.16), not static imports, so the browser entry's
 * module graph holds no `node:` import and bundlers need no stubs for it.
 */

/** Node's `process`, or undefined in a browser. */
const nodeProcess: NodeJS.Process | undefined =
  typeof process !== "undefined" && process.versions?.node ? process : undefined;

/** One of Node's built-in modules; only called on paths that run in Node. */
function nodeBuiltin<const ID extends "node:buffer" | "node:os" | "node:worker_threads">(id: ID) {
  if (!nodeProcess) throw new Error(`worker shim: ${id} exists only in Node`);
  return nodeProcess.getBuiltinModule(id);
}

/** Runs inside each worker: emulates `self`, `postMessage` and `onmessage`, loads the module. */
const WORKER_BOOTSTRAP = `
const { parentPort, workerData } = require("node:worker_threads");
globalThis.self = globalThis;
globalThis.postMessage = (message, transfer) => parentPort.postMessage(message, transfer);
globalThis.close = () => process.exit(0);
(async () => {
  const { blob, src } = workerData;
  const url = blob
    ? "data:text/javascript;base64," + Buffer.from(await blob.text()).toString("base64")
    : src;
  await import(url);
  parentPort.on("message", (data) => {
    if (typeof self.onmessage === "function") self.onmessage({ data, target: self });
  });
})();
`;

type MessageHandler = ((event: { data: unknown; target: unknown }) => void) | null;

/** The subset of the Web Worker API that jax-js uses. */
export class NodeWebWorker {
  onmessage: MessageHandler = null;
  onerror: ((event: { message: string; error: unknown }) => void) | null = null;
  onmessageerror: MessageHandler = null;
  readonly #worker: InstanceType<ReturnType<typeof nodeBuiltin<"node:worker_threads">>["Worker"]>;
  /** Requests awaiting a reply. The worker keeps the process alive only while > 0. */
  #pending = 0;

  constructor(url: string | URL) {
    const href = String(url);
    let workerData: { blob?: unknown; src?: string };
    if (href.startsWith("blob:")) {
      const blob = nodeBuiltin("node:buffer").resolveObjectURL(href);
      if (!blob) throw new Error(`worker shim: unknown blob URL ${href}`);
      workerData = { blob };
    } else {
      workerData = { src: href };
    }
    const { Worker } = nodeBuiltin("node:worker_threads");
    this.#worker = new Worker(WORKER_BOOTSTRAP, { eval: true, workerData });
    this.#worker.on("message", (data) => {
      if (this.#pending > 0 && --this.#pending === 0) this.#worker.unref();
      this.onmessage?.({ data, target: this });
    });
    this.#worker.on("messageerror", (data) => this.onmessageerror?.({ data, target: this }));
    this.#worker.on("error", (error) => {
      if (this.onerror) this.onerror({ message: String(error?.message ?? error), error });
      else console.error("[disentangle worker]", error);
    });
    // jax-js never terminates its workers: idle ones must not keep Node running.
    this.#worker.unref();
  }

  postMessage(message: unknown, transfer?: readonly Transferable[]): void {
    if (this.#pending++ === 0) this.#worker.ref();
    this.#worker.postMessage(message, transfer as never);
  }

  terminate(): Promise<number> {
    return this.#worker.terminate();
  }
}

/**
 * Parses a thread count from the environment; throws a clear error for bad values. In a
 * browser (no environment) it is the page's `navigator.hardwareConcurrency`.
 */
export function threadCountFromEnv(
  env: Readonly<Record<string, string | undefined>> | undefined = nodeProcess?.env,
): number {
  if (!env) return globalThis.navigator?.hardwareConcurrency ?? 1;
  const raw = env.DISENTANGLE_THREADS ?? env.JAX_THREADS;
  if (raw === undefined || raw === "") return nodeBuiltin("node:os").availableParallelism();
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 256) {
    throw new Error(
      `DISENTANGLE_THREADS=${JSON.stringify(raw)}: expected a whole number of threads from 1 to 256`,
    );
  }
  return n;
}

/** The thread count the Wasm backend was configured with when this module loaded. */
export const configuredThreads = threadCountFromEnv();

if (nodeProcess) {
  const g = globalThis as unknown as {
    Worker?: unknown;
    navigator?: { hardwareConcurrency?: number };
  };
  if (configuredThreads > 1 && typeof g.Worker === "undefined") g.Worker = NodeWebWorker;
  if (typeof g.navigator === "undefined") {
    g.navigator = { hardwareConcurrency: configuredThreads };
  } else {
    Object.defineProperty(g.navigator, "hardwareConcurrency", {
      value: configuredThreads,
      configurable: true,
    });
  }
}
