/** Test helpers: temporary folders and a small .npy writer (independent of the parser). */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export function tempFolder(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `disentangle-${prefix}-`));
}

export function writeFiles(root: string, files: Record<string, Uint8Array | string>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), content);
  }
}

/** A version 1.0 .npy file, little-endian, C order, header padded to 64 bytes as numpy does. */
export function encodeNpy(
  descr: "|u1" | "<f8" | "<i8",
  shape: number[],
  values: ArrayLike<number>,
): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = `${header.padEnd(total - 10 - 1, " ")}\n`;
  const size = descr === "|u1" ? 1 : 8;
  const out = new Uint8Array(total + values.length * size);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(new TextEncoder().encode(header), 10);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    if (descr === "|u1") out[total + i] = values[i];
    else if (descr === "<f8") view.setFloat64(total + 8 * i, values[i], true);
    else view.setBigInt64(total + 8 * i, BigInt(values[i]), true);
  }
  return out;
}
