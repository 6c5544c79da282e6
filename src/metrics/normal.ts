/**
 * Standard normal draws from the project's seeded uniform generator (src/data/random.ts), by
 * Marsaglia's polar method (Marsaglia & Bray 1964); the pair's second value is discarded so
 * every draw is a function of the generator's state alone.
 */
import type { Rng } from "../data/random.ts";

export function standardNormal(rng: Rng): number {
  for (;;) {
    const u = 2 * rng.nextFloat() - 1;
    const v = 2 * rng.nextFloat() - 1;
    const s = u * u + v * v;
    if (s > 0 && s < 1) return u * Math.sqrt((-2 * Math.log(s)) / s);
  }
}
