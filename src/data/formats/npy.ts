/**
 * NumPy `.npy` parser (format versions 1.0, 2.0 and 3.0, as specified in
 * numpy/lib/format.py). The header dict is read by a small literal parser, never evaluated.
 *
 * Element types and what they become:
 * - `b1` (bool), `u1` -> Uint8Array; `i1` -> Int8Array; `i2` -> Int16Array; `u2` -> Uint16Array
 * - `i4` -> Int32Array; `u4` -> Uint32Array; `f4` -> Float32Array; `f8` -> Float64Array
 * - `f2` (half) -> Float32Array (exact widening)
 * - `i8`, `u8` -> Float64Array; a value outside +-2^53 (not exactly representable) is an error
 * Either byte order is accepted; data comes back in the machine's order. Fortran-ordered
 * arrays are returned as stored, with `fortranOrder: true`; the caller decides.
 */
import { DataFormatError } from "../errors.ts";

export type NpyData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array;

export interface NpyArray {
  /** numpy's name for the stored element type: "float32", "int64", "bool", ... */
  dtype: string;
  shape: number[];
  data: NpyData;
  fortranOrder: boolean;
}

export interface NpyHeader {
  dtype: string;
  /** Bytes per stored element. */
  itemSize: number;
  littleEndian: boolean;
  shape: number[];
  fortranOrder: boolean;
  /** Offset of the first data byte (header included). */
  dataOffset: number;
  /** Number of elements: the product of the shape. */
  count: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

const KINDS: Record<string, { name: string; size: number }> = {
  b1: { name: "bool", size: 1 },
  u1: { name: "uint8", size: 1 },
  i1: { name: "int8", size: 1 },
  u2: { name: "uint16", size: 2 },
  i2: { name: "int16", size: 2 },
  u4: { name: "uint32", size: 4 },
  i4: { name: "int32", size: 4 },
  u8: { name: "uint64", size: 8 },
  i8: { name: "int64", size: 8 },
  f2: { name: "float16", size: 2 },
  f4: { name: "float32", size: 4 },
  f8: { name: "float64", size: 8 },
};

/** Largest header numpy itself will read without `allow_pickle`-style overrides. */
const MAX_HEADER_BYTES = 1 << 20;

/**
 * Reads the magic, version and header dict of an `.npy` file. `bytes` needs to hold only the
 * header (streaming readers pass the first few hundred bytes).
 */
export function parseNpyHeader(bytes: Uint8Array, source: string): NpyHeader {
  if (bytes.length < 10) {
    throw new DataFormatError(source, `npy file is ${bytes.length} bytes, shorter than a header`);
  }
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) {
      throw new DataFormatError(
        source,
        `not an npy file: byte ${i} is 0x${bytes[i].toString(16)}, expected the magic "\\x93NUMPY"`,
      );
    }
  }
  const major = bytes[6];
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = bytes[8] | (bytes[9] << 8);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) {
      throw new DataFormatError(source, "npy header is truncated (version 2/3 needs 12 bytes)");
    }
    headerLength = (bytes[8] | (bytes[9] << 8) | (bytes[10] << 16) | (bytes[11] << 24)) >>> 0;
    headerStart = 12;
  } else {
    throw new DataFormatError(source, `npy format version ${major} is not supported (1, 2 or 3)`);
  }
  if (headerLength > MAX_HEADER_BYTES) {
    throw new DataFormatError(source, `npy header length ${headerLength} is implausibly large`);
  }
  if (headerStart + headerLength > bytes.length) {
    throw new DataFormatError(
      source,
      `npy header is truncated: needs ${headerLength} bytes after offset ${headerStart}, file has ${bytes.length - headerStart}`,
    );
  }
  const text = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(
    bytes.subarray(headerStart, headerStart + headerLength),
  );
  const header = parseLiteral(text, source);
  if (header.kind !== "dict") {
    throw new DataFormatError(source, `npy header is not a dict: ${JSON.stringify(text)}`);
  }
  const descr = header.entries.get("descr");
  const fortran = header.entries.get("fortran_order");
  const shapeValue = header.entries.get("shape");
  if (descr?.kind !== "string") {
    throw new DataFormatError(
      source,
      `npy header field 'descr' must be a simple dtype string (structured arrays are not supported), got ${JSON.stringify(text)}`,
    );
  }
  if (fortran?.kind !== "bool") {
    throw new DataFormatError(source, "npy header field 'fortran_order' must be True or False");
  }
  if (shapeValue?.kind !== "tuple" || shapeValue.items.some((item) => item.kind !== "int")) {
    throw new DataFormatError(source, "npy header field 'shape' must be a tuple of integers");
  }
  const order = descr.value[0];
  const kind = KINDS[descr.value.slice(1)];
  if (kind === undefined || !["<", ">", "|", "="].includes(order)) {
    throw new DataFormatError(
      source,
      `npy dtype '${descr.value}' is not supported (expected bool, int8..64, uint8..64 or float16/32/64)`,
    );
  }
  const shape = shapeValue.items.map((item) => (item as { value: number }).value);
  let count = 1;
  for (const dim of shape) {
    if (dim < 0) throw new DataFormatError(source, `npy shape has a negative dimension ${dim}`);
    count *= dim;
  }
  if (!Number.isSafeInteger(count * kind.size)) {
    throw new DataFormatError(source, `npy shape (${shape.join(", ")}) is implausibly large`);
  }
  return {
    dtype: kind.name,
    itemSize: kind.size,
    littleEndian: order !== ">",
    shape,
    fortranOrder: fortran.value,
    dataOffset: headerStart + headerLength,
    count,
  };
}

/**
 * Total header size (magic to first data byte) once the first 12 bytes are known, for
 * streaming readers; undefined while fewer bytes are at hand. Does not validate.
 */
export function npyHeaderSize(bytes: Uint8Array): number | undefined {
  if (bytes.length < 12) return undefined;
  if (bytes[6] === 1) return 10 + (bytes[8] | (bytes[9] << 8));
  return 12 + ((bytes[8] | (bytes[9] << 8) | (bytes[10] << 16) | (bytes[11] << 24)) >>> 0);
}

/** Parses a whole `.npy` file held in memory. */
export function parseNpy(bytes: Uint8Array, source: string): NpyArray {
  const header = parseNpyHeader(bytes, source);
  const expected = header.count * header.itemSize;
  const available = bytes.length - header.dataOffset;
  if (available !== expected) {
    throw new DataFormatError(
      source,
      `npy data is ${available} bytes, expected ${expected} for ${header.dtype} of shape (${header.shape.join(", ")})${available < expected ? " (file truncated?)" : ""}`,
    );
  }
  // A fresh copy at offset 0 of its own buffer: `bytes` may be a view into a larger buffer
  // (a Node Buffer from readFileSync or Buffer.concat lives in a shared pool), and a Buffer's
  // `slice` is a view too.
  const raw = new Uint8Array(expected);
  raw.set(bytes.subarray(header.dataOffset, header.dataOffset + expected));
  return {
    dtype: header.dtype,
    shape: header.shape,
    data: decodeElements(raw, header, source),
    fortranOrder: header.fortranOrder,
  };
}

const machineLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Turns raw element bytes (a fresh, exactly sized copy) into a typed array. */
export function decodeElements(raw: Uint8Array, header: NpyHeader, source: string): NpyData {
  const size = header.itemSize;
  if (size > 1 && header.littleEndian !== machineLittleEndian) {
    for (let i = 0; i < raw.length; i += size) raw.subarray(i, i + size).reverse();
  }
  const buffer = raw.buffer;
  const n = header.count;
  switch (header.dtype) {
    case "bool":
    case "uint8":
      return new Uint8Array(buffer, 0, n);
    case "int8":
      return new Int8Array(buffer, 0, n);
    case "int16":
      return new Int16Array(buffer, 0, n);
    case "uint16":
      return new Uint16Array(buffer, 0, n);
    case "int32":
      return new Int32Array(buffer, 0, n);
    case "uint32":
      return new Uint32Array(buffer, 0, n);
    case "float32":
      return new Float32Array(buffer, 0, n);
    case "float64":
      return new Float64Array(buffer, 0, n);
    case "float16": {
      const halves = new Uint16Array(buffer, 0, n);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = halfToFloat(halves[i]);
      return out;
    }
    default: {
      const wide =
        header.dtype === "int64"
          ? new BigInt64Array(buffer, 0, n)
          : new BigUint64Array(buffer, 0, n);
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const value = Number(wide[i]);
        if (!Number.isSafeInteger(value)) {
          throw new DataFormatError(
            source,
            `npy ${header.dtype} element ${i} is ${wide[i]}, outside the exactly representable range +-2^53`,
          );
        }
        out[i] = value;
      }
      return out;
    }
  }
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

type Literal =
  | { kind: "dict"; entries: Map<string, Literal> }
  | { kind: "tuple"; items: Literal[] }
  | { kind: "string"; value: string }
  | { kind: "int"; value: number }
  | { kind: "bool"; value: boolean }
  | { kind: "none" };

const MAX_NESTING = 8;

/** Parses the Python literal subset numpy writes into headers: dicts, tuples/lists, strings, ints, bools, None. */
function parseLiteral(text: string, source: string): Literal {
  let pos = 0;
  const fail = (what: string): never => {
    throw new DataFormatError(
      source,
      `npy header: ${what} at character ${pos} of ${JSON.stringify(text.slice(0, 200))}`,
    );
  };
  const skipSpace = () => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };
  const value = (depth: number): Literal => {
    if (depth > MAX_NESTING) fail("nesting too deep");
    skipSpace();
    const c = text[pos];
    if (c === "{") {
      pos++;
      const entries = new Map<string, Literal>();
      for (;;) {
        skipSpace();
        if (text[pos] === "}") {
          pos++;
          return { kind: "dict", entries };
        }
        const key = value(depth + 1);
        if (key.kind !== "string") fail("expected a string key");
        skipSpace();
        if (text[pos] !== ":") fail("expected ':'");
        pos++;
        entries.set((key as { value: string }).value, value(depth + 1));
        skipSpace();
        if (text[pos] === ",") pos++;
        else if (text[pos] !== "}") fail("expected ',' or '}'");
      }
    }
    if (c === "(" || c === "[") {
      const close = c === "(" ? ")" : "]";
      pos++;
      const items: Literal[] = [];
      for (;;) {
        skipSpace();
        if (text[pos] === close) {
          pos++;
          return { kind: "tuple", items };
        }
        items.push(value(depth + 1));
        skipSpace();
        if (text[pos] === ",") pos++;
        else if (text[pos] !== close) fail(`expected ',' or '${close}'`);
      }
    }
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, pos + 1);
      if (end < 0) fail("unterminated string");
      const s = text.slice(pos + 1, end);
      pos = end + 1;
      return { kind: "string", value: s };
    }
    const word = /^(?:True|False|None|-?\d+L?)/.exec(text.slice(pos, pos + 32));
    if (word === null) return fail("unexpected input");
    pos += word[0].length;
    if (word[0] === "True" || word[0] === "False")
      return { kind: "bool", value: word[0] === "True" };
    if (word[0] === "None") return { kind: "none" };
    const n = Number.parseInt(word[0], 10);
    if (!Number.isSafeInteger(n)) fail(`integer ${word[0]} out of range`);
    return { kind: "int", value: n };
  };
  const result = value(0);
  skipSpace();
  if (pos !== text.length) fail("trailing characters");
  return result;
}
