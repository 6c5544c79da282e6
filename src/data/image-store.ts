/**
 * Compact in-memory image storage, converted to float per batch: uint8 (any image) and
 * bit-packed (binary images, 1 bit per pixel, numpy.packbits order: most significant bit
 * first, each image starting on a byte boundary).
 */
import { batchBuffer } from "./dataset.ts";

export type ReadBatch = (indices: ArrayLike<number>, out?: Float32Array) => Float32Array;

/** Images stored as uint8 HWC, `pixels` per image, read back as value / maxValue. */
export function uint8Reader(
  name: string,
  data: Uint8Array,
  count: number,
  pixels: number,
  maxValue = 255,
): ReadBatch {
  if (data.length !== count * pixels) {
    throw new RangeError(`${name}: ${data.length} bytes for ${count} images of ${pixels} pixels`);
  }
  const scale = 1 / maxValue;
  return (indices, out) => {
    const buffer = batchBuffer(name, count, pixels, indices, out);
    for (let b = 0; b < indices.length; b++) {
      const from = indices[b] * pixels;
      const to = b * pixels;
      for (let p = 0; p < pixels; p++) buffer[to + p] = data[from + p] * scale;
    }
    return buffer;
  };
}

/** Binary images, 1 bit per pixel. */
export class BitImages {
  readonly bytesPerImage: number;
  readonly bits: Uint8Array;

  constructor(
    readonly name: string,
    readonly count: number,
    readonly pixels: number,
  ) {
    this.bytesPerImage = Math.ceil(pixels / 8);
    this.bits = new Uint8Array(count * this.bytesPerImage);
  }

  /** Packs `values` (one byte per pixel, nonzero = on) as images starting at `firstImage`. */
  packFrom(values: Uint8Array, firstImage: number): void {
    const { pixels, bytesPerImage, bits } = this;
    const images = values.length / pixels;
    for (let i = 0; i < images; i++) {
      const src = i * pixels;
      const dst = (firstImage + i) * bytesPerImage;
      for (let p = 0; p < pixels; p += 8) {
        let byte = 0;
        const n = Math.min(8, pixels - p);
        for (let q = 0; q < n; q++) if (values[src + p + q] !== 0) byte |= 0x80 >> q;
        bits[dst + (p >> 3)] = byte;
      }
    }
  }

  readBatch: ReadBatch = (indices, out) => {
    const { pixels, bytesPerImage, bits } = this;
    const buffer = batchBuffer(this.name, this.count, pixels, indices, out);
    for (let b = 0; b < indices.length; b++) {
      const src = indices[b] * bytesPerImage;
      const dst = b * pixels;
      for (let p = 0; p < pixels; p++) {
        buffer[dst + p] = (bits[src + (p >> 3)] >> (7 - (p & 7))) & 1;
      }
    }
    return buffer;
  };
}
