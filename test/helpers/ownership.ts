/**
 * Ownership checks for jax-js code. jax-js's rule: every function consumes (decrements the
 * reference count of) its array arguments, `x.ref` keeps one more reference, and a forgotten
 * `dispose()` leaks silently. Two probes make that testable:
 *
 * - `Array.refCount` (public in @jax-js/jax 0.1.25, "for debugging memory management"): the
 *   count of one Array object. 0 means it was consumed; a second consumption throws
 *   `UseAfterFreeError`.
 * - {@link liveArrayCount}: the number of device buffers the backend holds. jax-js keeps them
 *   in a private map (`#buffers` of each backend) and keep no count, so this module mirrors
 *   that bookkeeping: it wraps the backend's three public bookkeeping methods (`malloc`,
 *   `incRef`, `decRef`, part of the documented `Backend` interface, through which the
 *   library's arrays, jit programs and worker dispatches all go) and keeps its own slot ->
 *   reference count map. The backend object comes from `getBackend`, which the project's
 *   jax-js patch exports (`@jax-js/jax/backend`).
 *
 * What the count means: buffers, not Array objects. An Array whose value is still a lazy
 * constant expression (e.g. `np.zeros`, or a small array of equal values) owns no buffer;
 * several Arrays may share one buffer (reshapes, slices of a realised array); a pending
 * (unrealised) operation holds its input and output buffers. Buffers allocated before this
 * module was first imported are not counted. Only the engine's device (the one `initEngine()`
 * picks: DISENTANGLE_DEVICE, else native where a C compiler is found) is tracked.
 */
import assert from "node:assert/strict";
import { getBackend } from "@jax-js/jax/backend";
import { initEngine } from "../../src/engine/device.ts";
import {
  Array,
  blockUntilReady,
  type Device,
  defaultDevice,
  numpy as np,
} from "../../src/engine/jax.ts";

/** The bookkeeping half of jax-js's `Backend` interface (index.d.ts, "A device backend"). */
interface SlotBackend {
  readonly type: Device;
  malloc(size: number, initialData?: Uint8Array): number;
  incRef(slot: number): void;
  decRef(slot: number): void;
}

/** Live slots allocated since installation: slot -> [reference count, bytes]. */
const slots = new Map<number, [number, number]>();
let tracked: SlotBackend | undefined;

/** The backend of `device`, through the `getBackend` that the project's jax-js patch exports. */
function captureBackend(device: Device): SlotBackend {
  const backend = getBackend(device) as unknown as SlotBackend;
  if (backend.type !== device) {
    throw new Error(`ownership helper: getBackend("${device}") returned a ${backend.type} backend`);
  }
  return backend;
}

/** Wraps the backend's bookkeeping (once per process; idempotent). */
export async function installTracker(device: Device = defaultDevice()): Promise<void> {
  if (tracked) {
    assert.equal(tracked.type, device, "ownership helper: tracks one device per process");
    return;
  }
  const backend = captureBackend(device);
  const malloc = backend.malloc.bind(backend);
  const incRef = backend.incRef.bind(backend);
  const decRef = backend.decRef.bind(backend);
  // Own properties shadow the class methods, and the backend calls `this.incRef(...)`, so
  // its internal calls (worker dispatch retaining buffers) come through here too.
  Object.assign(backend, {
    malloc(size: number, initialData?: Uint8Array): number {
      const slot = malloc(size, initialData);
      slots.set(slot, [1, size]);
      return slot;
    },
    incRef(slot: number): void {
      incRef(slot);
      const entry = slots.get(slot);
      if (entry) entry[0]++;
    },
    decRef(slot: number): void {
      decRef(slot); // throws SlotError on a double free, before we count it
      const entry = slots.get(slot);
      if (entry && --entry[0] === 0) slots.delete(slot);
    },
  });
  tracked = backend;
}

// The engine picks the device (DISENTANGLE_DEVICE, else native where a C compiler is found).
await initEngine();
await installTracker();

/** Device buffers alive now (allocated since this module was imported). */
export function liveArrayCount(): number {
  return slots.size;
}

/** Bytes of those buffers. */
export function liveArrayBytes(): number {
  let bytes = 0;
  for (const [, size] of slots.values()) bytes += size;
  return bytes;
}

/**
 * Waits until work dispatched to the Wasm worker pool has finished and released the buffers
 * it retains (the backend drops them in a promise callback after the workers answer).
 * Dispatch is in order, so one more small kernel waited for covers everything before it.
 */
export async function settle(): Promise<void> {
  const probe = np.array(new Float32Array([0, 1])).add(1);
  await probe.blockUntilReady();
  probe.dispose();
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Every Array in a tree of plain objects and JS arrays, with its path. */
export function arrayLeaves(value: unknown, path = "$"): [string, Array][] {
  if (value instanceof Array) return [[path, value]];
  if (globalThis.Array.isArray(value)) {
    return value.flatMap((item, i) => arrayLeaves(item, `${path}[${i}]`));
  }
  if (
    value !== null &&
    typeof value === "object" &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    return Object.entries(value).flatMap(([k, v]) => arrayLeaves(v, `${path}.${k}`));
  }
  return [];
}

/**
 * jax-js's UseAfterFreeError (an unexported ReferenceError subclass, thrown when a consumed
 * array is used or disposed again) and its backend's SlotError (a freed buffer used), both
 * recognised by their messages.
 */
export function isUseAfterFree(error: unknown): boolean {
  const message = error instanceof Error ? error.message : "";
  return (
    (error instanceof ReferenceError && /freed, please use \.ref/.test(message)) ||
    /buffer that is invalid or already freed/.test(message)
  );
}

/** Calls fn, turning a use-after-free into an assertion failure that says so. */
async function callChecked<I extends readonly unknown[], O>(
  fn: (...inputs: I) => O | Promise<O>,
  inputs: I,
  label: string,
): Promise<O> {
  try {
    return await fn(...inputs);
  } catch (error) {
    if (isUseAfterFree(error)) {
      assert.fail(`${label}an array was used after it was consumed (double consume): ${error}`);
    }
    throw error;
  }
}

export interface ConsumesOptions {
  /** Names the case in failure messages. */
  name?: string;
  /**
   * Run the case once untracked first (default true), so that first-call caches (compiled
   * jit programs and their constants, quadrature tables) are not counted as leaks.
   */
  warmup?: boolean;
}

/** The figures of one checked call, for tests that want them. */
export interface ConsumesReport {
  inputs: number;
  outputs: number;
  /** Buffers alive between the call and disposing its outputs, above the baseline. */
  outputBuffers: number;
}

/**
 * Builds fresh inputs with `makeInputs` (a tuple of arguments; every Array leaf a distinct
 * object, either fresh or a `.ref` of one the caller keeps), calls `fn(...inputs)` and
 * asserts that
 * - the call did not use a consumed array (a double consume throws `UseAfterFreeError`),
 * - every input Array was consumed exactly once: its refCount dropped by one (to 0 for a
 *   fresh input), or stayed put where the call hands that same object back as an output,
 * - every output Array is live and the caller holds exactly one reference per place it
 *   occurs in the output (no extra references kept inside, which would leak),
 * - after the outputs are realised and disposed, {@link liveArrayCount} is back to its value
 *   before the inputs were made (no leaked intermediate, and no double free: the backend
 *   throws on that).
 * References the call should have dropped are dropped on failure, so that one failing case
 * does not poison the counts of the next. Arrays the caller keeps across the check (passed
 * as `.ref`s) must be realised first (`await blockUntilReady(...)`): an unrealised array's
 * pending operations hold intermediate buffers that the call would free when realising it.
 */
export async function assertConsumes<const I extends readonly unknown[], O>(
  fn: (...inputs: I) => O | Promise<O>,
  makeInputs: () => I,
  options: ConsumesOptions = {},
): Promise<ConsumesReport> {
  const label = options.name ? `${options.name}: ` : "";
  if (options.warmup ?? true) {
    const inputs = makeInputs();
    const before = refCounts(arrayLeaves(inputs));
    let outputs: O | undefined;
    try {
      outputs = await callChecked(fn, inputs, label);
    } finally {
      cleanUp(before, outputs === undefined ? [] : arrayLeaves(outputs));
    }
  }
  await settle();
  const baseline = liveArrayCount();

  const inputs = makeInputs();
  const inLeaves = arrayLeaves(inputs);
  const before = refCounts(inLeaves);
  assert.equal(
    before.size,
    inLeaves.length,
    `${label}an input appears twice: make distinct inputs`,
  );
  for (const [path, a] of inLeaves) {
    assert.ok(a.refCount >= 1, `${label}input ${path} is already consumed`);
  }

  let outputs: O;
  try {
    outputs = await callChecked(fn, inputs, label);
  } catch (error) {
    cleanUp(before, []);
    throw error;
  }
  const outLeaves = arrayLeaves(outputs);
  const occurrences = new Map<Array, number>();
  for (const [, a] of outLeaves) occurrences.set(a, (occurrences.get(a) ?? 0) + 1);
  // What the caller should hold after the call: its own references, less the one it passed
  // in, plus one per place the array occurs in the output.
  const expected = (a: Array) =>
    (before.has(a) ? (before.get(a) as number) - 1 : 0) + (occurrences.get(a) ?? 0);
  try {
    const badInputs = inLeaves.filter(([, a]) => a.refCount !== expected(a));
    assert.deepEqual(
      badInputs.map(
        ([path, a]) => `${path} (refCount ${before.get(a)} -> ${a.refCount}, not ${expected(a)})`,
      ),
      [],
      `${label}inputs not consumed exactly once (higher: not consumed or a reference kept; lower: consumed twice)`,
    );
    const badOutputs = outLeaves.filter(([, a]) => !before.has(a) && a.refCount !== expected(a));
    assert.deepEqual(
      badOutputs.map(([path, a]) => `${path} (refCount ${a.refCount}, not ${expected(a)})`),
      [],
      `${label}outputs must be live with one reference per occurrence (0: consumed or disposed inside; more: a reference leaked)`,
    );
  } catch (error) {
    cleanUp(before, outLeaves);
    throw error;
  }
  await blockUntilReady(outputs as never);
  await settle();
  const outputBuffers = liveArrayCount() - baseline;
  for (const [, a] of outLeaves) a.dispose();
  await settle();
  const after = liveArrayCount();
  assert.ok(
    after >= baseline,
    `${label}${baseline - after} device buffer(s) fewer than before the call: realise (blockUntilReady) the arrays the caller keeps before the check, their pending operations hold buffers`,
  );
  assert.equal(
    after - baseline,
    0,
    `${label}${after - baseline} device buffer(s) still alive after disposing the outputs (leak)`,
  );
  return { inputs: inLeaves.length, outputs: outLeaves.length, outputBuffers };
}

function refCounts(leaves: [string, Array][]): Map<Array, number> {
  const counts = new Map<Array, number>();
  for (const [, a] of leaves) counts.set(a, a.refCount);
  return counts;
}

/**
 * Best effort after a call (the warm-up, or a failed check): outputs are disposed, and each
 * input is brought down to the references the caller kept (its count before, less one).
 */
function cleanUp(before: Map<Array, number>, outLeaves: [string, Array][]): void {
  for (const [, a] of outLeaves) if (a.refCount > 0) a.dispose();
  for (const [a, count] of before) while (a.refCount > count - 1) a.dispose();
}
