/**
 * 2-D convolution and transposed convolution built from matrix products.
 *
 * Semantics and weight layouts follow PyTorch's `torch.nn.functional.conv2d` and
 * `conv_transpose2d` (square stride/padding, no dilation, no groups, bias added by the
 * caller), with NHWC activations:
 *
 *   conv2d:          y[b,i,j,o] = Σ_{c,u,v} x̃[b, s·i+u, s·j+v, c] · w[o,c,u,v]
 *                    (x̃ = x zero-padded by p), w: [O, C, kh, kw]
 *   convTranspose2d: ỹ[b, s·i+u, s·j+v, o] += x[b,i,j,c] · w[c,o,u,v], y = ỹ cropped by p
 *                    (and extended by outputPadding zero rows/columns), w: [C, O, kh, kw];
 *                    the adjoint of conv2d with the same weight.
 *
 * `lax.conv` runs at ~0.4 GFLOP/s on jax-js's Wasm backend, so both are lowered to
 * matmuls with the space-to-depth ("sub-pixel") decomposition: write each kernel offset
 * u = s·a + r with phase r < s and block shift a < A = ⌈k/s⌉ (the kernel is zero-padded to
 * A·s). Then
 *
 *   conv2d:          y[i,j]      = Σ_{a,b} X[i+a, j+b] · W_ab,  X = space-to-depth(x̃, s),
 *                    X: [B, ·, ·, s²C], W_ab: [s²C, O]
 *   convTranspose2d: Y[I,J]      = Σ_{a,b} x[I-a, J-b] · W_ab,  y = depth-to-space(Y, s),
 *                    W_ab: [C, s²O]
 *
 * Each term is one large matmul over a shifted view of a single padded input, and the
 * A² products are summed; no im2col concatenation or stacking (whose backward passes cost
 * one masked full-size kernel per piece in jax-js). Everything is pad/reshape/transpose/
 * slice/matmul/add, so `grad`, `jit` and `vmap` apply unchanged.
 *
 * Where the zero padding goes matters more than the flops: jax-js compiles any kernel that
 * reads through a padded view to scalar Wasm (~5 ns per element against ~0.3 for a SIMD
 * copy), and the gradient of each shifted window is such a padded view. A transposed
 * convolution therefore pads whichever side is narrower: its input (C channels) in general,
 * or its output blocks (s²·O channels) when s²·O < C, as in an image decoder's last layer
 * (32 → 1 channels: 9% off the conv-burgess training step, see {@link outputSideBlocks}).
 *
 * Ownership (jax-js move semantics): both functions consume `x` and `w`.
 */
import { type Array, numpy as np } from "./jax.ts";

/**
 * How the products are scheduled: "training" (default) is fastest under `grad`,
 * "inference" for forward-only passes (encoding a dataset, decoding samples). Same result.
 */
export type ConvSchedule = "training" | "inference";

export interface Conv2dOptions {
  /** Stride in both spatial directions (default 1). */
  stride?: number;
  /** Zero padding on every side (default 0). */
  padding?: number;
  schedule?: ConvSchedule;
}

export interface ConvTranspose2dOptions {
  /** Stride in both spatial directions (default 1). */
  stride?: number;
  /** Rows/columns cropped from every side of the full output (default 0). */
  padding?: number;
  /** Extra rows/columns added at the bottom/right, < stride (default 0). */
  outputPadding?: number;
  schedule?: ConvSchedule;
}

/** Output size of PyTorch `Conv2d` along one axis: ⌊(in + 2p − k)/s⌋ + 1. */
export function conv2dOutputSize(
  inSize: number,
  kernel: number,
  stride: number,
  padding: number,
): number {
  return Math.floor((inSize + 2 * padding - kernel) / stride) + 1;
}

/** Output size of PyTorch `ConvTranspose2d` along one axis: (in − 1)s − 2p + k + outputPadding. */
export function convTranspose2dOutputSize(
  inSize: number,
  kernel: number,
  stride: number,
  padding: number,
  outputPadding: number,
): number {
  return (inSize - 1) * stride - 2 * padding + kernel + outputPadding;
}

/**
 * Channel counts are rounded up to a multiple of this inside both convolutions. jax-js
 * 0.1.25's Wasm SIMD codegen treats `(i + c) / N` and `(i + c) % N` (i the lane index,
 * N a multiple of 4) as uniform/contiguous across 4 lanes even when the offset c is not a
 * multiple of 4, and returns wrong values. The pads and crops here put offsets that are
 * multiples of the channel count into such index expressions, so padding channels to a
 * multiple of 4 keeps every offset 4-aligned. The zero channels contribute nothing.
 * Two cases run without it, because padding 1 channel to 4 would quadruple the work of an
 * image model's first and last layers: conv2d on a single-channel input, and the
 * output-side transposed convolution (narrow outputs). Both are checked, values and both
 * gradients, by PyTorch fixtures and property tests over random geometries; the same tests
 * fail for the unpadded 2- and 6-channel conv2d that this constant exists for.
 */
const SIMD_LANES = 4;

const roundUp = (n: number, m: number): number => Math.ceil(n / m) * m;

/**
 * Pads (positive amounts) or crops (negative amounts) axes 1 and 2 of an NHWC array and
 * appends `extraChannels` zero channels.
 */
function padOrCrop2d(
  x: Array,
  [top, bottom, left, right]: [number, number, number, number],
  extraChannels: number,
): Array {
  const pos = (n: number): number => Math.max(0, n);
  const neg = (n: number): number => Math.max(0, -n);
  let y = x;
  if (pos(top) + pos(bottom) + pos(left) + pos(right) + extraChannels > 0) {
    y = np.pad(y, [
      [0, 0],
      [pos(top), pos(bottom)],
      [pos(left), pos(right)],
      [0, extraChannels],
    ]);
  }
  if (neg(top) + neg(bottom) + neg(left) + neg(right) > 0) {
    const [, h, w] = y.shape;
    y = y.slice([], [neg(top), h - neg(bottom)], [neg(left), w - neg(right)], []);
  }
  return y;
}

/**
 * Σ_{a<Ah, b<Aw} xs[:, a:a+outH, b:b+outW, :] @ W_ab: the shared core of both
 * convolutions. xs: [B, Hs, Ws, K], v: the blocks W_ab stored as `layout` says
 * ([Ah, Aw, K, N] or [Ah, Aw, N, K]) → [B, outH, outW, N]. Consumes both.
 *
 * Two schedules with the same result (see {@link ConvSchedule}):
 * - "training": each product reads the shifted window of xs. Under `grad`, jax-js
 *   materialises the windows (they feed the forward and the weight-gradient products),
 *   and the whole step is fastest this way.
 * - "inference": each product runs over all Hs·Ws positions of the contiguous xs and the
 *   window is cut from its [.., N] output. Without `grad` the window is otherwise read as
 *   a gather; reading xs contiguously made a forward pass of the conv-burgess encoder 4x
 *   faster (166 → 669 img/s, 1 thread), at (Hs·Ws)/(outH·outW) − 1 extra flops (13% for
 *   k4/s2/p1). Under `grad` it made the training step 2.6x slower, hence two schedules.
 */
function shiftedMatmulSum(
  xs: Array,
  v: Array,
  outH: number,
  outW: number,
  schedule: ConvSchedule,
  layout: WeightLayout,
): Array {
  const [batch, hs, ws, depth] = xs.shape;
  const [ah, aw] = v.shape;
  const n = layout === "KN" ? v.shape[3] : v.shape[2];
  const whole = schedule === "inference" ? xs.ref.reshape([-1, depth]) : undefined;
  let y: Array | undefined;
  for (let a = 0; a < ah; a++) {
    for (let b = 0; b < aw; b++) {
      const term = whole
        ? np
            .matmul(whole.ref, weightBlock(v, a, b, layout))
            .reshape([batch, hs, ws, n])
            .slice([], [a, a + outH], [b, b + outW], [])
        : np
            .matmul(
              xs.ref.slice([], [a, a + outH], [b, b + outW], []).reshape([-1, depth]),
              weightBlock(v, a, b, layout),
            )
            .reshape([batch, outH, outW, n]);
      y = y === undefined ? term : y.add(term);
    }
  }
  whole?.dispose();
  xs.dispose();
  v.dispose();
  return y as Array;
}

/**
 * How the block weights W_ab are stored: "KN" as [K, N], "NK" as [N, K]; the products read
 * W_ab or the transpose of the stored block. Same values, same result, different speed. Of a
 * training step's two products with W_ab, the forward x · W_ab reads it as stored and the
 * input gradient dy · W_abᵀ the other way round, so one of the two reads it contiguous along
 * its reduction axis ("NT") and the other along its output axis ("NN"). On the Wasm backend an
 * NT product runs as dot products over the reduction, slow when that is short (K = 4 or 32 in
 * the conv-burgess step: 6-17 GFLOP/s), and an NN product register-tiled whatever its K (the
 * same products: 15-34). {@link weightLayout} therefore gives the NT read to the product with
 * the longer reduction. This needs jax-js to read W_ab through the slice and transpose views
 * rather than materialise each product's operand as [N, K]: the patch's change to
 * `splitGraphDataflow` (docs/upstream/); without it the layout does not matter. Native sgemm
 * reads either layout at the same speed.
 */
type WeightLayout = "KN" | "NK";

/** The layout of {@link WeightLayout} for blocks of K input and N output features. */
const weightLayout = (k: number, n: number): WeightLayout => (k > n ? "NK" : "KN");

/**
 * The blocks W_ab stored in `layout`, from a kernel reshaped to 6 axes with the block axes A
 * and A' at 2 and 4: `kAxes` and `nAxes` (in order) make up K and N. The reshape after the
 * transpose materialises the blocks in that layout.
 */
function storeBlocks(w6: Array, kAxes: number[], nAxes: number[], layout: WeightLayout): Array {
  const [outer, inner] = layout === "KN" ? [kAxes, nAxes] : [nAxes, kAxes];
  const size = (axes: number[]) => axes.reduce((product, axis) => product * w6.shape[axis], 1);
  const blocks = [w6.shape[2], w6.shape[4]];
  return w6.transpose([2, 4, ...outer, ...inner]).reshape([...blocks, size(outer), size(inner)]);
}

/** W_ab as a [K, N] matrix (a view of the stored blocks). */
function weightBlock(v: Array, a: number, b: number, layout: WeightLayout): Array {
  return layout === "KN" ? v.ref.slice(a, b) : v.ref.slice(a, b).transpose();
}

/**
 * Returns x unchanged (its batch axis gains one zero image and loses it again), as a hint to
 * jax-js's kernel fusion under `grad`: jax-js writes out the input of every pad, so the
 * cotangent arriving at x is materialised here. For conv2d's space-to-depth input that
 * cotangent is the sum of the block windows' zero-padded gradients; left unmaterialised it is
 * fused into the depth-to-space transpose and the ReLU backward that follow, which then read
 * four padded views through a transpose, in scalar code, per element. Materialised first,
 * the transpose reads one plain array (conv-burgess's second layer: 33 → 16 + 3 ms).
 */
function materialiseCotangent(x: Array): Array {
  const [batch, ...rest] = x.shape;
  const none = rest.map((): [number, number] => [0, 0]);
  return np.pad(x, [[0, 1], ...none]).slice([0, batch]);
}

/**
 * Zero-pads a PyTorch weight: kernel axes 2 and 3 to multiples of the stride, channel axes
 * 0 and 1 to the given sizes.
 */
function padWeight(w: Array, stride: number, size0: number, size1: number): Array {
  const [n0, n1, kh, kw] = w.shape;
  const pads: [number, number][] = [
    [0, size0 - n0],
    [0, size1 - n1],
    [0, roundUp(kh, stride) - kh],
    [0, roundUp(kw, stride) - kw],
  ];
  return pads.some(([, e]) => e > 0) ? np.pad(w, pads) : w;
}

function checkInteger(name: string, value: number, min: number, context: string): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${context}: ${name} must be an integer >= ${min}, got ${value}`);
  }
}

function describe(
  op: string,
  x: Array,
  w: Array,
  stride: number,
  padding: number,
  extra = "",
): string {
  return `${op}(input [B,H,W,C]=[${x.shape}], weight [${w.shape}], stride ${stride}, padding ${padding}${extra})`;
}

/**
 * PyTorch `Conv2d` on NHWC input: x [B,H,W,C], w [O,C,kh,kw] → [B,Ho,Wo,O] with
 * Ho = ⌊(H + 2p − kh)/s⌋ + 1. Any H, W, kernel, stride ≥ 1 and padding ≥ 0 giving a
 * non-empty output are supported (rows/columns the kernel never reaches are dropped, as in
 * PyTorch). Consumes x and w.
 */
export function conv2d(x: Array, w: Array, options: Conv2dOptions = {}): Array {
  const { stride = 1, padding = 0, schedule = "training" } = options;
  const context = describe("conv2d", x, w, stride, padding);
  checkInteger("stride", stride, 1, context);
  checkInteger("padding", padding, 0, context);
  if (x.ndim !== 4 || w.ndim !== 4) {
    throw new RangeError(`${context}: expected a 4-D NHWC input and a 4-D [O,C,kh,kw] weight`);
  }
  const [batch, h, wd, c] = x.shape;
  const [o, wc, kh, kw] = w.shape;
  if (wc !== c) {
    throw new RangeError(`${context}: weight has ${wc} input channels, input has ${c}`);
  }
  const ho = conv2dOutputSize(h, kh, stride, padding);
  const wo = conv2dOutputSize(wd, kw, stride, padding);
  if (ho < 1 || wo < 1) {
    throw new RangeError(
      `${context}: output would be ${ho}x${wo}; the padded input is smaller than the kernel`,
    );
  }
  const s = stride;
  const ah = Math.ceil(kh / s);
  const aw = Math.ceil(kw / s);
  // Padded input restricted to the rows the (stride-padded) kernel reaches: s·(Ho + A − 1).
  const hb = ho + ah - 1;
  const wb = wo + aw - 1;
  // A single channel (a grayscale image) is exempt from the rounding: see SIMD_LANES.
  const cp = c === 1 ? 1 : roundUp(c, SIMD_LANES);
  const edges = [padding, s * hb - h - padding, padding, s * wb - wd - padding] as const;
  let xs = padOrCrop2d(x, [...edges], cp - c);
  // Space-to-depth: xs[b, I, J, (r, q, c)] = x̃[b, s·I + r, s·J + q, c].
  if (s > 1) {
    xs = xs
      .reshape([batch, hb, s, wb, s, cp])
      .transpose([0, 1, 3, 2, 4, 5])
      .reshape([batch, hb, wb, s * s * cp]);
    xs = materialiseCotangent(xs);
  }
  // W_ab[(r, q, c), o] = w[o, c, s·a + r, s·b + q].
  const layout = weightLayout(s * s * cp, o);
  const v = storeBlocks(
    padWeight(w, s, o, cp).reshape([o, cp, ah, s, aw, s]),
    [3, 5, 1],
    [0],
    layout,
  );
  return shiftedMatmulSum(xs, v, ho, wo, schedule, layout);
}

/**
 * PyTorch `ConvTranspose2d` on NHWC input: x [B,H,W,C], w [C,O,kh,kw] → [B,Ho,Wo,O] with
 * Ho = (H − 1)s − 2p + kh + outputPadding; outputPadding < stride as in PyTorch. Computed
 * in sub-pixel form: one [C, s²O] matmul per block shift, summed, then depth-to-space and
 * the crop by `padding`. Consumes x and w.
 */
export function convTranspose2d(x: Array, w: Array, options: ConvTranspose2dOptions = {}): Array {
  const { stride = 1, padding = 0, outputPadding = 0, schedule = "training" } = options;
  const context = describe(
    "convTranspose2d",
    x,
    w,
    stride,
    padding,
    `, outputPadding ${outputPadding}`,
  );
  checkInteger("stride", stride, 1, context);
  checkInteger("padding", padding, 0, context);
  checkInteger("outputPadding", outputPadding, 0, context);
  if (outputPadding >= stride) {
    throw new RangeError(`${context}: outputPadding must be smaller than stride`);
  }
  if (x.ndim !== 4 || w.ndim !== 4) {
    throw new RangeError(`${context}: expected a 4-D NHWC input and a 4-D [C,O,kh,kw] weight`);
  }
  const [batch, h, wd, c] = x.shape;
  const [wc, o, kh, kw] = w.shape;
  if (wc !== c) {
    throw new RangeError(`${context}: weight has ${wc} input channels, input has ${c}`);
  }
  const ho = convTranspose2dOutputSize(h, kh, stride, padding, outputPadding);
  const wo = convTranspose2dOutputSize(wd, kw, stride, padding, outputPadding);
  if (ho < 1 || wo < 1) {
    throw new RangeError(`${context}: output would be ${ho}x${wo}; padding crops everything`);
  }
  const s = stride;
  // Output rows [padding, padding + Ho) lie in blocks I ∈ [i0, i1) of s rows each.
  const i0 = Math.floor(padding / s);
  const i1 = Math.ceil((padding + ho) / s);
  const j0 = Math.floor(padding / s);
  const j1 = Math.ceil((padding + wo) / s);
  const nh = i1 - i0;
  const nw = j1 - j0;
  const outputSide = s * s * o < c;
  // Output-side blocks carry the true o channels; input-side ones are padded to SIMD lanes.
  const op = outputSide ? o : roundUp(o, SIMD_LANES);
  let y = outputSide
    ? outputSideBlocks(x, w, s, [i0, i1, j0, j1])
    : inputSideBlocks(x, w, s, op, [i0, i1, j0, j1], schedule);
  if (s > 1) {
    y = y
      .reshape([batch, nh, nw, s, s, op])
      .transpose([0, 1, 3, 2, 4, 5])
      .reshape([batch, s * nh, s * nw, op]);
  }
  const top = padding - s * i0;
  const left = padding - s * j0;
  return y.slice([], [top, top + ho], [left, left + wo], [0, o]);
}

/**
 * W_ab[c, (r, q, o)] = w[c, o, s·a + r, s·b + q], kernel zero-padded to A·s, stored as
 * [A, A', C, s²·O] ("KN") or [A, A', s²·O, C] ("NK").
 */
function subPixelWeights(w: Array, s: number, cp: number, op: number, layout: WeightLayout): Array {
  const [, , kh, kw] = w.shape;
  const ah = Math.ceil(kh / s);
  const aw = Math.ceil(kw / s);
  return storeBlocks(
    padWeight(w, s, cp, op).reshape([cp, op, ah, s, aw, s]),
    [0],
    [3, 5, 1],
    layout,
  );
}

/**
 * Sub-pixel blocks Y[I, J] = Σ_{a,b} x[I − a, J − b] · W_ab for I ∈ [i0, i1), J ∈ [j0, j1),
 * computed on the input side: x is zero-padded once and each block shift reads a window of it
 * (channels padded to SIMD lanes). The gradient with respect to x sums the windows' padded
 * gradients, C channels per block, so this suits layers with s²·O ≥ C. Consumes x and w.
 */
function inputSideBlocks(
  x: Array,
  w: Array,
  s: number,
  op: number,
  [i0, i1, j0, j1]: [number, number, number, number],
  schedule: ConvSchedule,
): Array {
  const [, h, wd, c] = x.shape;
  const cp = roundUp(c, SIMD_LANES);
  // Window shift a' = A − 1 − a pairs with W_ab.
  const layout = weightLayout(cp, s * s * op);
  const v = np.flip(subPixelWeights(w, s, cp, op, layout), [0, 1]);
  const [ah, aw] = v.shape;
  // Block I reads input rows I − a, a < A, so the input window is rows [i0 − A + 1, i1).
  const xs = padOrCrop2d(x, [ah - 1 - i0, i1 - h, aw - 1 - j0, j1 - wd], cp - c);
  return shiftedMatmulSum(xs, v, i1 - i0, j1 - j0, schedule, layout);
}

/**
 * The same blocks computed on the output side: one product Z_ab = x · W_ab per block shift
 * over the unpadded input, each placed at its shift (zero-padded or cropped to [i0, i1)) and
 * summed. The zero padding is paid on s²·O channels instead of C, and no channel padding is
 * needed, so this suits narrow outputs (s²·O < C: an image decoder's last layer). The
 * gradient with respect to x reads plain windows of the output gradient. x is read whole,
 * so both {@link ConvSchedule}s run the same code here. Consumes x and w.
 */
function outputSideBlocks(
  x: Array,
  w: Array,
  s: number,
  [i0, i1, j0, j1]: [number, number, number, number],
): Array {
  const [batch, h, wd, c] = x.shape;
  const o = w.shape[1];
  const n = s * s * o;
  const layout = weightLayout(c, n);
  const v = subPixelWeights(w, s, c, o, layout);
  const [ah, aw] = v.shape;
  const flat = x.reshape([-1, c]);
  let y: Array | undefined;
  for (let a = 0; a < ah; a++) {
    for (let b = 0; b < aw; b++) {
      // Z_ab lands on blocks I = i + a, i < H, of the grid [i0, i1).
      const term = padOrCrop2d(
        np.matmul(flat.ref, weightBlock(v, a, b, layout)).reshape([batch, h, wd, n]),
        [a - i0, i1 - a - h, b - j0, j1 - b - wd],
        0,
      );
      y = y === undefined ? term : y.add(term);
    }
  }
  flat.dispose();
  v.dispose();
  return y as Array;
}
