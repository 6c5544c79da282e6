/**
 * Seeded pseudo-random numbers for data order and sampling (mulberry32 steps over a
 * splitmix-style seed hash). Kept apart from the engine's jax PRNG so the data layer never
 * loads the engine; every draw is a pure function of (seed, stream).
 */
export class Rng {
  private state: number;

  /** A generator for `seed`; different `stream` numbers give independent sequences. */
  constructor(seed: number, ...stream: number[]) {
    this.state = hashSeed(seed, ...stream);
  }

  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  nextFloat(): number {
    return this.nextUint32() / 2 ** 32;
  }

  /** Uniform integer in [0, n), unbiased (rejection), n <= 2^32. */
  nextInt(n: number): number {
    if (!(n >= 1 && n <= 2 ** 32) || !Number.isInteger(n)) {
      throw new RangeError(`nextInt: n must be an integer in [1, 2^32], got ${n}`);
    }
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }
}

/** Mixes a seed and stream numbers into one 32-bit state (murmur3 finaliser per part). */
export function hashSeed(seed: number, ...stream: number[]): number {
  let h = 0x9e3779b9;
  for (const part of [seed, ...stream]) {
    h = Math.imul(h ^ (part >>> 0) ^ Math.floor(part / 2 ** 32), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h | 0;
}

/** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
export function permutation(n: number, rng: Rng): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  shuffleInPlace(order, rng);
  return order;
}

/** Shuffles `items` in place (Fisher-Yates). */
export function shuffleInPlace(items: Int32Array, rng: Rng): Int32Array {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const t = items[i];
    items[i] = items[j];
    items[j] = t;
  }
  return items;
}
