/** File-system helpers for loaders: clear errors for missing or empty folders and unreadable files. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { DataFormatError } from "./errors.ts";

/** Sorted entry names of a folder; DataFormatError when it is missing, not a folder, or empty. */
export function listFolder(path: string, what: string): string[] {
  let names: string[];
  try {
    if (!statSync(path).isDirectory())
      throw new DataFormatError(path, `is not a folder (expected ${what})`);
    names = readdirSync(path);
  } catch (error) {
    if (error instanceof DataFormatError) throw error;
    throw new DataFormatError(
      path,
      `cannot read folder (expected ${what}): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  if (names.length === 0) throw new DataFormatError(path, `folder is empty (expected ${what})`);
  return names.sort();
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function readBytes(path: string): Uint8Array {
  try {
    const buffer = readFileSync(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    throw new DataFormatError(
      path,
      `cannot read file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

/** Un-gzips `bytes` when they start with the gzip magic. */
export function maybeGunzip(bytes: Uint8Array, source: string): Uint8Array {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    const out = gunzipSync(bytes);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (error) {
    throw new DataFormatError(source, `corrupt gzip data (${(error as Error).message})`);
  }
}
