/**
 * Image resampling, separable per axis: area averaging (exact pixel-overlap box filter, as
 * PIL's BOX / OpenCV's INTER_AREA) when an axis shrinks, bilinear with half-pixel centres
 * (PyTorch `align_corners=False`, edge-clamped) when it grows; copying when equal.
 * Images are float HWC.
 */

/** Resizes a float HWC image to outHeight x outWidth. */
export function resizeImage(
  src: Float32Array,
  height: number,
  width: number,
  channels: number,
  outHeight: number,
  outWidth: number,
): Float32Array {
  if (height === outHeight && width === outWidth) return src.slice();
  const rows = axisWeights(height, outHeight);
  const cols = axisWeights(width, outWidth);
  // rows first: [outHeight, width, channels]
  const mid = new Float32Array(outHeight * width * channels);
  const rowStride = width * channels;
  for (let o = 0; o < outHeight; o++) {
    const { index, weight } = rows[o];
    for (let t = 0; t < index.length; t++) {
      const from = index[t] * rowStride;
      const wgt = weight[t];
      for (let k = 0; k < rowStride; k++) mid[o * rowStride + k] += wgt * src[from + k];
    }
  }
  const out = new Float32Array(outHeight * outWidth * channels);
  for (let r = 0; r < outHeight; r++) {
    for (let o = 0; o < outWidth; o++) {
      const { index, weight } = cols[o];
      const dst = (r * outWidth + o) * channels;
      for (let t = 0; t < index.length; t++) {
        const from = (r * width + index[t]) * channels;
        for (let c = 0; c < channels; c++) out[dst + c] += weight[t] * mid[from + c];
      }
    }
  }
  return out;
}

/** The central crop of a float HWC image. */
export function centerCrop(
  src: Float32Array,
  height: number,
  width: number,
  channels: number,
  cropHeight: number,
  cropWidth: number,
): Float32Array {
  const top = Math.floor((height - cropHeight) / 2);
  const left = Math.floor((width - cropWidth) / 2);
  const out = new Float32Array(cropHeight * cropWidth * channels);
  for (let i = 0; i < cropHeight; i++) {
    const from = ((top + i) * width + left) * channels;
    out.set(src.subarray(from, from + cropWidth * channels), i * cropWidth * channels);
  }
  return out;
}

/** For each output position along an axis, the input positions and weights (summing to 1). */
function axisWeights(inSize: number, outSize: number): { index: number[]; weight: number[] }[] {
  const scale = inSize / outSize;
  const result: { index: number[]; weight: number[] }[] = [];
  for (let o = 0; o < outSize; o++) {
    if (outSize < inSize) {
      const start = o * scale;
      const end = (o + 1) * scale;
      const index: number[] = [];
      const weight: number[] = [];
      for (let i = Math.floor(start); i < Math.min(inSize, Math.ceil(end)); i++) {
        const overlap = Math.min(end, i + 1) - Math.max(start, i);
        if (overlap > 0) {
          index.push(i);
          weight.push(overlap / scale);
        }
      }
      result.push({ index, weight });
    } else {
      const x = Math.min(Math.max((o + 0.5) * scale - 0.5, 0), inSize - 1);
      const i0 = Math.floor(x);
      const i1 = Math.min(i0 + 1, inSize - 1);
      const f = x - i0;
      result.push(
        i1 === i0 || f === 0
          ? { index: [i0], weight: [1] }
          : { index: [i0, i1], weight: [1 - f, f] },
      );
    }
  }
  return result;
}
