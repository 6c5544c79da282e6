/**
 * The two reference nets of the benchmark and their matmul work, counted analytically so
 * both engines are credited with the same FLOPs (a conv counts as its dense im2col matmul).
 */

export const BENCH_NETS = ["conv-burgess", "mlp-chen"] as const;
export type BenchNet = (typeof BENCH_NETS)[number];

export const BATCH = 64;
export const LATENT = 10;
export const IMAGE = [64, 64, 1] as const;

/** Multiply-adds of one forward pass per example, layer by layer. */
function forwardMacsPerExample(net: BenchNet): number {
  if (net === "mlp-chen") {
    const dims = [
      [4096, 1200],
      [1200, 1200],
      [1200, 2 * LATENT],
      [LATENT, 1200],
      [1200, 1200],
      [1200, 1200],
      [1200, 4096],
    ];
    return dims.reduce((sum, [i, o]) => sum + i * o, 0);
  }
  // conv: output pixels × O × C·k²; transposed conv: input pixels × C × O·k² (k = 4).
  const convs = [
    [32 * 32, 1, 32],
    [16 * 16, 32, 32],
    [8 * 8, 32, 64],
    [4 * 4, 64, 64],
  ];
  const convTs = [
    [4 * 4, 64, 64],
    [8 * 8, 64, 32],
    [16 * 16, 32, 32],
    [32 * 32, 32, 1],
  ];
  const conv = [...convs, ...convTs].reduce((sum, [px, c, o]) => sum + px * c * o * 16, 0);
  const fcs = 1024 * 256 + 256 * 2 * LATENT + LATENT * 256 + 256 * 1024;
  return conv + fcs;
}

/**
 * FLOPs of one training step's matmuls: forward, input gradient and weight gradient, each
 * the forward's 2·MACs (the first layer's unneeded input gradient included, as a convention).
 */
export function stepFlops(net: BenchNet): number {
  return 3 * 2 * forwardMacsPerExample(net) * BATCH;
}

/** A representative forward matmul [M,K]x[K,N] of each net, for the engine's ceiling. */
export const CEILING_SHAPES: Record<BenchNet, [m: number, k: number, n: number][]> = {
  // conv2 as im2col (16384 x 512 x 32), conv3 (4096 x 512 x 64), decoder block (16384 x 32 x 128)
  "conv-burgess": [
    [16384, 512, 32],
    [4096, 512, 64],
    [16384, 32, 128],
  ],
  "mlp-chen": [
    [64, 4096, 1200],
    [64, 1200, 1200],
  ],
};
