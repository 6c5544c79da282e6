/**
 * Minimal ZIP reader for `.npz` files (PKWARE APPNOTE 6.3): the central directory (with
 * ZIP64 sizes and offsets, which numpy writes for members over 2 GiB), and a member's data
 * streamed in chunks (stored or deflated), so a 3 GB member never sits in memory whole.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { Inflate } from "fflate";
import { DataFormatError } from "../errors.ts";

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function readAt(fd: number, position: number, length: number, source: string): Uint8Array {
  const buffer = new Uint8Array(length);
  const got = readSync(fd, buffer, 0, length, position);
  if (got !== length) {
    throw new DataFormatError(
      source,
      `zip truncated: wanted ${length} bytes at offset ${position}, got ${got}`,
    );
  }
  return buffer;
}

const u64 = (view: DataView, at: number) => Number(view.getBigUint64(at, true));

/** Lists the members of the zip file at `path`. */
export function readZipDirectory(path: string): ZipEntry[] {
  const fd = openSync(path, "r");
  try {
    const fileSize = fstatSync(fd).size;
    const tailLength = Math.min(fileSize, 22 + 65535);
    const tail = readAt(fd, fileSize - tailLength, tailLength, path);
    const tailView = new DataView(tail.buffer);
    let eocd = -1;
    for (let i = tailLength - 22; i >= 0; i--) {
      if (tailView.getUint32(i, true) === EOCD) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) {
      throw new DataFormatError(
        path,
        "not a zip/npz file: no end-of-central-directory record found",
      );
    }
    let entries = tailView.getUint16(eocd + 10, true);
    let directorySize = tailView.getUint32(eocd + 12, true);
    let directoryOffset = tailView.getUint32(eocd + 16, true);
    const locator = eocd - 20;
    if (locator >= 0 && tailView.getUint32(locator, true) === ZIP64_LOCATOR) {
      const zip64At = u64(tailView, locator + 8);
      const record = new DataView(readAt(fd, zip64At, 56, path).buffer);
      if (record.getUint32(0, true) !== ZIP64_EOCD) {
        throw new DataFormatError(
          path,
          `zip64 end-of-central-directory record missing at offset ${zip64At}`,
        );
      }
      entries = u64(record, 32);
      directorySize = u64(record, 40);
      directoryOffset = u64(record, 48);
    }
    if (directoryOffset + directorySize > fileSize) {
      throw new DataFormatError(
        path,
        `zip central directory (offset ${directoryOffset}, ${directorySize} bytes) lies past the end of the ${fileSize}-byte file`,
      );
    }
    const directory = readAt(fd, directoryOffset, directorySize, path);
    const view = new DataView(directory.buffer);
    const result: ZipEntry[] = [];
    let at = 0;
    for (let e = 0; e < entries; e++) {
      if (at + 46 > directorySize || view.getUint32(at, true) !== CENTRAL) {
        throw new DataFormatError(
          path,
          `zip central directory entry ${e} is corrupt (offset ${directoryOffset + at})`,
        );
      }
      const nameLength = view.getUint16(at + 28, true);
      const extraLength = view.getUint16(at + 30, true);
      const commentLength = view.getUint16(at + 32, true);
      if (at + 46 + nameLength + extraLength > directorySize) {
        throw new DataFormatError(path, `zip central directory entry ${e} runs past the directory`);
      }
      const name = new TextDecoder().decode(directory.subarray(at + 46, at + 46 + nameLength));
      let compressedSize = view.getUint32(at + 20, true);
      let size = view.getUint32(at + 24, true);
      let localHeaderOffset = view.getUint32(at + 42, true);
      // ZIP64 extended information: only the fields that are 0xFFFFFFFF are present, in order.
      let x = at + 46 + nameLength;
      const extraEnd = x + extraLength;
      while (x + 4 <= extraEnd) {
        const id = view.getUint16(x, true);
        const length = view.getUint16(x + 2, true);
        if (id === 0x0001) {
          let f = x + 4;
          const take = () => {
            if (f + 8 > x + 4 + length)
              throw new DataFormatError(path, `zip64 field of '${name}' is too short`);
            const value = u64(view, f);
            f += 8;
            return value;
          };
          if (size === 0xffffffff) size = take();
          if (compressedSize === 0xffffffff) compressedSize = take();
          if (localHeaderOffset === 0xffffffff) localHeaderOffset = take();
        }
        x += 4 + length;
      }
      result.push({
        name,
        method: view.getUint16(at + 10, true),
        compressedSize,
        size,
        localHeaderOffset,
      });
      at += 46 + nameLength + extraLength + commentLength;
    }
    return result;
  } finally {
    closeSync(fd);
  }
}

/**
 * Streams the uncompressed bytes of `entry` to `onData` in chunks (the chunk is only valid
 * during the call). Checks the total size against the directory.
 */
export function streamZipEntry(
  path: string,
  entry: ZipEntry,
  onData: (chunk: Uint8Array) => void,
  chunkSize = 1 << 20,
): void {
  const source = `${path}:${entry.name}`;
  if (entry.method !== 0 && entry.method !== 8) {
    throw new DataFormatError(
      source,
      `zip compression method ${entry.method} is not supported (stored or deflate)`,
    );
  }
  const fd = openSync(path, "r");
  try {
    const local = new DataView(readAt(fd, entry.localHeaderOffset, 30, path).buffer);
    if (local.getUint32(0, true) !== LOCAL) {
      throw new DataFormatError(
        source,
        `zip local header missing at offset ${entry.localHeaderOffset}`,
      );
    }
    let position =
      entry.localHeaderOffset + 30 + local.getUint16(26, true) + local.getUint16(28, true);
    const end = position + entry.compressedSize;
    let total = 0;
    const deliver = (chunk: Uint8Array) => {
      total += chunk.length;
      if (total > entry.size) {
        throw new DataFormatError(
          source,
          `zip member inflates past its declared ${entry.size} bytes`,
        );
      }
      if (chunk.length > 0) onData(chunk);
    };
    const inflater = entry.method === 8 ? new Inflate((chunk) => deliver(chunk)) : undefined;
    while (position < end) {
      const length = Math.min(chunkSize, end - position);
      const chunk = readAt(fd, position, length, path);
      position += length;
      if (inflater === undefined) deliver(chunk);
      else {
        try {
          inflater.push(chunk, position >= end);
        } catch (error) {
          if (error instanceof DataFormatError) throw error;
          throw new DataFormatError(source, `corrupt deflate data (${(error as Error).message})`);
        }
      }
    }
    if (inflater !== undefined && entry.compressedSize === 0)
      inflater.push(new Uint8Array(0), true);
    if (total !== entry.size) {
      throw new DataFormatError(
        source,
        `zip member has ${total} bytes, directory says ${entry.size} (truncated or corrupt)`,
      );
    }
  } finally {
    closeSync(fd);
  }
}

/** Reads a (small) member whole. */
export function readZipEntry(path: string, entry: ZipEntry): Uint8Array {
  const out = new Uint8Array(entry.size);
  let at = 0;
  streamZipEntry(path, entry, (chunk) => {
    out.set(chunk, at);
    at += chunk.length;
  });
  return out;
}
