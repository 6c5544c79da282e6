/**
 * Held-out triplets for scoring a triplet model: drawn once from a seeded sampler over the
 * held-out images, and re-indexed onto the distinct images they use, so each image is
 * encoded once. Used by the accuracy logged during training and by `disentangle eval`.
 */
import type { TripletSampler } from "../data/triplets.ts";
import type { TripletIndexSet } from "../objectives/triplet-accuracy.ts";

export interface HeldOutTriplets {
  /** Dataset indices of the distinct images the triplets use. */
  images: Int32Array;
  /** The triplets as rows of `images`, with each triplet's query index. */
  rows: TripletIndexSet;
}

/** Draws `perQuery` triplets for every query of `sampler` (its step-0 sample). */
export function drawHeldOutTriplets(sampler: TripletSampler, perQuery: number): HeldOutTriplets {
  const drawn = sampler.sample(perQuery * sampler.queryNames.length, 0);
  const images = Int32Array.from(new Set([...drawn.anchor, ...drawn.positive, ...drawn.negative]));
  const row = new Map<number, number>(globalThis.Array.from(images, (image, i) => [image, i]));
  const rows = (a: Int32Array) => Int32Array.from(a, (image) => row.get(image) as number);
  return {
    images,
    rows: {
      anchor: rows(drawn.anchor),
      positive: rows(drawn.positive),
      negative: rows(drawn.negative),
      query: drawn.query,
    },
  };
}
