/**
 * Binary PGM (Netpbm "P5") parser: header tokens separated by whitespace with `#` comments
 * allowed anywhere before the single whitespace byte that ends the header; maxval 1..65535
 * (two bytes per sample, big-endian, when maxval > 255). Trailing bytes after the raster
 * are ignored (Netpbm allows several images per file; only the first is read).
 */
import { DataFormatError } from "../errors.ts";

export interface PgmImage {
  width: number;
  height: number;
  maxval: number;
  /** Row-major samples, each in [0, maxval]. */
  data: Uint8Array | Uint16Array;
}

export function parsePgm(bytes: Uint8Array, source: string): PgmImage {
  if (bytes.length < 2 || bytes[0] !== 0x50 || bytes[1] !== 0x35) {
    const found =
      bytes.length < 2
        ? "a file too short"
        : JSON.stringify(String.fromCharCode(bytes[0], bytes[1]));
    throw new DataFormatError(source, `not a binary PGM: expected magic "P5", found ${found}`);
  }
  let pos = 2;
  const isSpace = (b: number) =>
    b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0b || b === 0x0c;
  const token = (field: string): number => {
    for (;;) {
      while (pos < bytes.length && isSpace(bytes[pos])) pos++;
      if (pos < bytes.length && bytes[pos] === 0x23) {
        while (pos < bytes.length && bytes[pos] !== 0x0a && bytes[pos] !== 0x0d) pos++;
        continue;
      }
      break;
    }
    const start = pos;
    while (pos < bytes.length && bytes[pos] >= 0x30 && bytes[pos] <= 0x39 && pos - start < 10)
      pos++;
    if (pos === start) {
      const found = pos < bytes.length ? `byte 0x${bytes[pos].toString(16)}` : "end of file";
      throw new DataFormatError(
        source,
        `PGM header: expected ${field} at byte ${start}, found ${found}`,
      );
    }
    if (pos < bytes.length && !isSpace(bytes[pos]) && bytes[pos] !== 0x23) {
      throw new DataFormatError(
        source,
        `PGM header: ${field} at byte ${start} is not a whole number`,
      );
    }
    return Number.parseInt(new TextDecoder().decode(bytes.subarray(start, pos)), 10);
  };
  const width = token("width");
  const height = token("height");
  const maxval = token("maxval");
  if (width < 1 || height < 1) {
    throw new DataFormatError(source, `PGM size ${width}x${height}: width and height must be >= 1`);
  }
  if (maxval < 1 || maxval > 65535) {
    throw new DataFormatError(source, `PGM maxval ${maxval} is outside 1..65535`);
  }
  if (pos >= bytes.length || !isSpace(bytes[pos])) {
    throw new DataFormatError(
      source,
      "PGM header must end with one whitespace byte before the raster",
    );
  }
  pos++;
  const bytesPerSample = maxval > 255 ? 2 : 1;
  const samples = width * height;
  const needed = samples * bytesPerSample;
  if (bytes.length - pos < needed) {
    throw new DataFormatError(
      source,
      `PGM raster truncated: ${width}x${height} with maxval ${maxval} needs ${needed} bytes, file has ${bytes.length - pos} after the header`,
    );
  }
  const data = bytesPerSample === 1 ? bytes.slice(pos, pos + needed) : new Uint16Array(samples);
  if (data instanceof Uint16Array) {
    for (let i = 0; i < samples; i++) data[i] = (bytes[pos + 2 * i] << 8) | bytes[pos + 2 * i + 1];
  }
  for (let i = 0; i < samples; i++) {
    if (data[i] > maxval) {
      throw new DataFormatError(
        source,
        `PGM sample ${data[i]} at pixel ${i} (row ${Math.floor(i / width)}, column ${i % width}) exceeds maxval ${maxval}`,
      );
    }
  }
  return { width, height, maxval, data };
}
