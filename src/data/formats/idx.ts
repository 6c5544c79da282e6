/**
 * IDX parser (the MNIST file format, http://yann.lecun.com/exdb/mnist/): two zero bytes, a
 * type byte (0x08 ubyte, 0x09 byte, 0x0B short, 0x0C int, 0x0D float, 0x0E double), the
 * number of dimensions, the dimensions as big-endian uint32, then big-endian data.
 */
import { DataFormatError } from "../errors.ts";

export interface IdxArray {
  type: "uint8" | "int8" | "int16" | "int32" | "float32" | "float64";
  shape: number[];
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: Record<number, { type: IdxArray["type"]; size: number }> = {
  8: { type: "uint8", size: 1 },
  9: { type: "int8", size: 1 },
  11: { type: "int16", size: 2 },
  12: { type: "int32", size: 4 },
  13: { type: "float32", size: 4 },
  14: { type: "float64", size: 8 },
};

export function parseIdx(bytes: Uint8Array, source: string): IdxArray {
  if (bytes.length < 4) {
    throw new DataFormatError(
      source,
      `IDX file is ${bytes.length} bytes, shorter than its 4-byte magic`,
    );
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DataFormatError(
      source,
      `not an IDX file: magic starts 0x${hex(bytes[0])} 0x${hex(bytes[1])}, expected 0x00 0x00${bytes[0] === 0x1f && bytes[1] === 0x8b ? " (it is gzipped)" : ""}`,
    );
  }
  const kind = TYPES[bytes[2]];
  if (kind === undefined) {
    throw new DataFormatError(
      source,
      `IDX type byte 0x${hex(bytes[2])} is not one of 08, 09, 0B, 0C, 0D, 0E`,
    );
  }
  const ndim = bytes[3];
  if (ndim < 1) throw new DataFormatError(source, "IDX file declares 0 dimensions");
  const headerSize = 4 + 4 * ndim;
  if (bytes.length < headerSize) {
    throw new DataFormatError(
      source,
      `IDX header truncated: ${ndim} dimensions need ${headerSize} bytes`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let d = 0; d < ndim; d++) {
    const dim = view.getUint32(4 + 4 * d);
    shape.push(dim);
    count *= dim;
  }
  const needed = count * kind.size;
  const available = bytes.length - headerSize;
  if (available !== needed) {
    throw new DataFormatError(
      source,
      `IDX data is ${available} bytes, expected ${needed} for ${kind.type} of shape [${shape.join(", ")}]${available < needed ? " (file truncated?)" : ""}`,
    );
  }
  const at = headerSize;
  switch (kind.type) {
    case "uint8":
      return { type: kind.type, shape, data: bytes.slice(at, at + count) };
    case "int8":
      return { type: kind.type, shape, data: new Int8Array(bytes.slice(at, at + count).buffer) };
    case "int16": {
      const data = new Int16Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getInt16(at + 2 * i);
      return { type: kind.type, shape, data };
    }
    case "int32": {
      const data = new Int32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getInt32(at + 4 * i);
      return { type: kind.type, shape, data };
    }
    case "float32": {
      const data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(at + 4 * i);
      return { type: kind.type, shape, data };
    }
    default: {
      const data = new Float64Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat64(at + 8 * i);
      return { type: kind.type, shape, data };
    }
  }
}

function hex(b: number): string {
  return b.toString(16).padStart(2, "0");
}
