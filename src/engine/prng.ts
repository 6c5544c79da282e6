/**
 * Explicit PRNG keys over jax-js `random` (counter-based Threefry-2x32, Salmon et al. 2011,
 * "Parallel random numbers: as easy as 1, 2, 3", as used by JAX).
 *
 * A key is a uint32 Array of shape [2]. `keyFromSeed(s)` is `[0, s]` like `jax.random.key`.
 * jax-js's `random.split(key, n)` gives key i = threefry2x32(key, counter (0, i)), which is
 * JAX's "partitionable" split. jax-js has no `fold_in`; {@link foldIn} implements JAX's
 * `_threefry_fold_in`, `threefry_2x32(key, threefry_seed(data))` = threefry2x32(key,
 * counter (0, data)), with jax-js bit operations so it also works under `jit` and on any
 * device. As in JAX (partitionable mode), `foldIn(key, i)` therefore equals
 * `splitKey(key, n)[i]`: derive a key either by folding in or by splitting, not both.
 *
 * Every function consumes its key argument (jax-js ownership); pass `key.ref` to keep it.
 */
import { type Array, jit, numpy as np, random } from "./jax.ts";

const UINT32_LIMIT = 2 ** 32;

function checkUint32(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value >= UINT32_LIMIT) {
    throw new Error(`${what} must be an integer in [0, 2^32), got ${value}`);
  }
}

function checkKey(key: Array, what: string): void {
  if (key.dtype !== np.uint32 || key.ndim !== 1 || key.shape[0] !== 2) {
    const shape = JSON.stringify(key.shape);
    key.dispose();
    throw new Error(`${what}: expected a PRNG key (uint32, shape [2]), got ${shape}`);
  }
}

/** A key from a 32-bit seed: `[0, seed]`, the same words as `jax.random.key(seed)`. */
export function keyFromSeed(seed: number): Array {
  checkUint32(seed, "keyFromSeed: seed");
  return random.key(seed);
}

/** Splits `key` into `n` independent keys (consumes `key`). */
export function splitKey(key: Array, n = 2): Array[] {
  if (!Number.isInteger(n) || n < 1) {
    key.dispose();
    throw new Error(`splitKey: n must be a positive integer, got ${n}`);
  }
  checkKey(key, "splitKey");
  return np.unstack(random.split(key, n), 0);
}

function u32(value: number): Array {
  return np.array(value, { dtype: np.uint32 });
}

function rotl(x: Array, r: number): Array {
  return np.bitwiseOr(np.leftShift(x.ref, u32(r)), np.rightShift(x, u32(32 - r)));
}

const ROTATIONS = [13, 15, 26, 6, 17, 29, 16, 24];
const KS_PARITY = 0x1bd11bda;

/**
 * Threefry-2x32 with 20 rounds on uint32 Arrays of a common shape (all four consumed),
 * returning both output words. Reference: Random123 `threefry2x32_R(20, ...)`.
 */
export function threefry2x32(k0: Array, k1: Array, c0: Array, c1: Array): [Array, Array] {
  const ks = [k0, k1, np.bitwiseXor(np.bitwiseXor(k0.ref, k1.ref), u32(KS_PARITY))];
  let x0 = c0.add(ks[0].ref);
  let x1 = c1.add(ks[1].ref);
  for (let round = 0; round < 20; round++) {
    x0 = x0.add(x1.ref);
    x1 = np.bitwiseXor(rotl(x1, ROTATIONS[round % 8]), x0.ref);
    if (round % 4 === 3) {
      const n = (round + 1) / 4;
      x0 = x0.add(ks[n % 3].ref);
      x1 = x1.add(ks[(n + 1) % 3].ref).add(u32(n));
    }
  }
  for (const k of ks) k.dispose();
  return [x0, x1];
}

/**
 * Derives a key from `key` and a 32-bit integer `data` (a number, or a uint32/int32 scalar
 * Array, e.g. a step counter inside `jit`): threefry2x32(key, counter (0, data)), JAX's
 * `fold_in`. Consumes `key` (and `data` if it is an Array).
 */
export function foldIn(key: Array, data: number | Array): Array {
  if (typeof data === "number") {
    try {
      checkUint32(data, "foldIn: data");
    } catch (error) {
      key.dispose();
      throw error;
    }
  } else if (data.ndim !== 0 || (data.dtype !== np.uint32 && data.dtype !== np.int32)) {
    const description = `${data.dtype} ${JSON.stringify(data.shape)}`;
    key.dispose();
    data.dispose();
    throw new Error(`foldIn: data must be a uint32 or int32 scalar, got ${description}`);
  }
  checkKey(key, "foldIn");
  return foldInCompiled(key, typeof data === "number" ? u32(data) : data.astype(np.uint32));
}

/** Compiled once: eagerly the ~150 bit operations would otherwise cost ~10 ms per call. */
const foldInCompiled = jit((key: Array, counter: Array): Array => {
  const [k0, k1] = np.unstack(key, 0);
  const [x0, x1] = threefry2x32(k0, k1, u32(0), counter);
  return np.stack([x0, x1]);
});

/** The key's two uint32 words, for checkpoints (consumes `key`). */
export function keyToData(key: Array): Uint32Array {
  checkKey(key, "keyToData");
  return Uint32Array.from(key.dataSync());
}

/** Rebuilds a key from the two words written by {@link keyToData}. */
export function keyFromData(data: Uint32Array): Array {
  if (!(data instanceof Uint32Array) || data.length !== 2) {
    throw new Error(`keyFromData: expected a Uint32Array of length 2, got length ${data.length}`);
  }
  return np.array(Uint32Array.from(data), { dtype: np.uint32 });
}
