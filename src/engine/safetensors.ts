/**
 * The safetensors format (https://github.com/huggingface/safetensors, "Format"), written and
 * read here without the library:
 *   8 bytes   N, unsigned little-endian 64-bit header length;
 *   N bytes   UTF-8 JSON object: name -> { dtype, shape, data_offsets: [begin, end] }, plus an
 *             optional "__metadata__" string -> string map; may be padded with spaces;
 *   rest      the byte buffer, little-endian, row-major; offsets are relative to its start and
 *             must cover it entirely without holes or overlaps.
 * The encoder pads the header with spaces so the buffer starts 8-byte aligned and writes the
 * tensors in the given order. The decoder checks every rule above and names the file and the
 * offending field in its errors ({@link SafetensorsError}).
 */
import { Array, type DType, type JsTree, numpy as np } from "./jax.ts";
import { namedLeaves, treeFromNamed } from "./tree-names.ts";

type TypedArrayConstructor =
  | Float64ArrayConstructor
  | Float32ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor;

/** Element types of the format. F16, BF16 and F8 tensors keep their raw bits. */
const DTYPES = {
  F64: Float64Array,
  F32: Float32Array,
  F16: Uint16Array,
  BF16: Uint16Array,
  F8_E4M3: Uint8Array,
  F8_E5M2: Uint8Array,
  I64: BigInt64Array,
  I32: Int32Array,
  I16: Int16Array,
  I8: Int8Array,
  U64: BigUint64Array,
  U32: Uint32Array,
  U16: Uint16Array,
  U8: Uint8Array,
  BOOL: Uint8Array,
} satisfies Record<string, TypedArrayConstructor>;

export type SafetensorsDType = keyof typeof DTYPES;
export type TensorData = InstanceType<(typeof DTYPES)[SafetensorsDType]>;

export interface NamedTensor {
  dtype: SafetensorsDType;
  /** Row-major dimensions; [] for a scalar. */
  shape: number[];
  data: TensorData;
}

export interface Safetensors {
  tensors: Record<string, NamedTensor>;
  metadata: Record<string, string>;
}

/** A file or buffer that does not follow the safetensors format. */
export class SafetensorsError extends Error {
  override name = "SafetensorsError";
}

const METADATA_KEY = "__metadata__";
/** The reference implementation refuses headers above 100 MB. */
const MAX_HEADER_BYTES = 100_000_000;
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function checkHost(): void {
  if (!LITTLE_ENDIAN_HOST) throw new Error("safetensors: big-endian hosts are not supported");
}

function isDType(value: unknown): value is SafetensorsDType {
  return typeof value === "string" && Object.hasOwn(DTYPES, value);
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** prod(shape) * bytes per element, or undefined when that is not a safe integer. */
function byteLength(dtype: SafetensorsDType, shape: number[]): number | undefined {
  let n: number = DTYPES[dtype].BYTES_PER_ELEMENT;
  for (const d of shape) n *= d;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Encodes tensors (in the given order) and string metadata as a safetensors buffer. */
export function encodeSafetensors(
  tensors: Record<string, NamedTensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  checkHost();
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== "string") {
        throw new Error(
          `safetensors: metadata ${JSON.stringify(key)} must be a string, got ${typeof value}`,
        );
      }
    }
    header[METADATA_KEY] = metadata;
  }
  let offset = 0;
  const parts: Uint8Array[] = [];
  for (const [name, { dtype, shape, data }] of Object.entries(tensors)) {
    const where = `safetensors: tensor ${JSON.stringify(name)}`;
    if (name === "" || name === METADATA_KEY) throw new Error(`${where}: invalid tensor name`);
    if (!isDType(dtype)) throw new Error(`${where}: unknown dtype ${JSON.stringify(dtype)}`);
    if (!globalThis.Array.isArray(shape) || !shape.every(isCount)) {
      throw new Error(`${where}: shape ${JSON.stringify(shape)} must be a list of integers >= 0`);
    }
    if (!(data instanceof DTYPES[dtype])) {
      throw new Error(
        `${where}: dtype ${dtype} needs a ${DTYPES[dtype].name}, got ${data?.constructor?.name}`,
      );
    }
    const bytes = byteLength(dtype, shape);
    if (bytes !== data.byteLength) {
      throw new Error(
        `${where}: shape ${JSON.stringify(shape)} needs ${bytes} bytes of ${dtype}, data has ${data.byteLength}`,
      );
    }
    header[name] = { dtype, shape, data_offsets: [offset, offset + bytes] };
    parts.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil((8 + json.length) / 8) * 8 - 8;
  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let position = 8 + headerLength;
  for (const part of parts) {
    out.set(part, position);
    position += part.length;
  }
  return out;
}

/**
 * Decodes and validates a safetensors buffer. Tensor data is copied into fresh, aligned
 * typed arrays. `source` (e.g. the file name) starts every error message.
 */
export function decodeSafetensors(bytes: Uint8Array, source = "safetensors buffer"): Safetensors {
  checkHost();
  const fail = (message: string) => new SafetensorsError(`${source}: ${message}`);
  if (bytes.length < 8) {
    throw fail(`${bytes.length} bytes is too short to hold the 8-byte header length`);
  }
  const declared = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (declared > BigInt(bytes.length - 8)) {
    throw fail(
      `header length ${declared} exceeds the ${bytes.length - 8} bytes after the length field (truncated or not a safetensors file)`,
    );
  }
  const headerLength = Number(declared);
  if (headerLength > MAX_HEADER_BYTES)
    throw fail(`header length ${headerLength} exceeds the 100 MB limit`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    throw fail("header is not valid UTF-8");
  }
  if (!text.startsWith("{"))
    throw fail(
      `header must be a JSON object starting with "{", got ${JSON.stringify(text.slice(0, 20))}`,
    );
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    throw fail(
      `header is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (typeof header !== "object" || header === null || globalThis.Array.isArray(header)) {
    throw fail("header must be a JSON object");
  }

  const bufferLength = bytes.length - 8 - headerLength;
  const metadata: [string, string][] = [];
  const entries: {
    name: string;
    dtype: SafetensorsDType;
    shape: number[];
    begin: number;
    end: number;
  }[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === METADATA_KEY) {
      if (typeof entry !== "object" || entry === null || globalThis.Array.isArray(entry)) {
        throw fail(`${METADATA_KEY} must be an object of strings`);
      }
      for (const [key, value] of Object.entries(entry)) {
        if (typeof value !== "string") {
          throw fail(`${METADATA_KEY}.${key} must be a string, got ${JSON.stringify(value)}`);
        }
        metadata.push([key, value]);
      }
      continue;
    }
    const where = `tensor ${JSON.stringify(name)}`;
    if (typeof entry !== "object" || entry === null || globalThis.Array.isArray(entry)) {
      throw fail(`${where} must be an object with dtype, shape and data_offsets`);
    }
    const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
    if (!isDType(dtype)) {
      throw fail(
        `${where} has unknown dtype ${JSON.stringify(dtype)} (expected one of ${Object.keys(DTYPES).join(", ")})`,
      );
    }
    if (!globalThis.Array.isArray(shape) || !shape.every(isCount)) {
      throw fail(`${where} has shape ${JSON.stringify(shape)}, expected a list of integers >= 0`);
    }
    if (
      !globalThis.Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every(isCount) ||
      offsets[0] > offsets[1]
    ) {
      throw fail(
        `${where} has data_offsets ${JSON.stringify(offsets)}, expected [begin, end] with 0 <= begin <= end`,
      );
    }
    const [begin, end] = offsets as [number, number];
    if (end > bufferLength) {
      throw fail(
        `${where} has data_offsets [${begin}, ${end}] beyond the ${bufferLength}-byte data buffer (truncated file?)`,
      );
    }
    const expected = byteLength(dtype, shape);
    if (expected !== end - begin) {
      throw fail(
        `${where}: shape ${JSON.stringify(shape)} of ${dtype} needs ${expected ?? "too many"} bytes, data_offsets [${begin}, ${end}] hold ${end - begin}`,
      );
    }
    entries.push({ name, dtype, shape, begin, end });
  }

  const byOffset = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const { name, begin, end } of byOffset) {
    if (begin !== covered) {
      throw fail(
        begin > covered
          ? `data bytes ${covered}..${begin} belong to no tensor (a hole before tensor ${JSON.stringify(name)}; duplicate names?)`
          : `tensor ${JSON.stringify(name)} at [${begin}, ${end}] overlaps the previous tensor, which ends at ${covered}`,
      );
    }
    covered = end;
  }
  if (covered !== bufferLength) {
    throw fail(`data bytes ${covered}..${bufferLength} belong to no tensor (trailing bytes)`);
  }

  const data = bytes.subarray(8 + headerLength);
  const tensors = entries.map(({ name, dtype, shape, begin, end }): [string, NamedTensor] => {
    const Ctor = DTYPES[dtype];
    // A copy (not `slice`, which shares memory on a Node Buffer) that starts aligned.
    const copy = new Uint8Array(end - begin);
    copy.set(data.subarray(begin, end));
    return [
      name,
      { dtype, shape, data: new Ctor(copy.buffer, 0, copy.length / Ctor.BYTES_PER_ELEMENT) },
    ];
  });
  // fromEntries defines own properties, so even a name like "__proto__" stays a plain key.
  return { tensors: Object.fromEntries(tensors), metadata: Object.fromEntries(metadata) };
}

const FROM_JAX: Partial<Record<DType, SafetensorsDType>> = {
  float32: "F32",
  float64: "F64",
  int32: "I32",
  uint32: "U32",
  bool: "BOOL",
};
const TO_JAX: Partial<Record<SafetensorsDType, DType>> = {
  F32: np.float32,
  F64: np.float64,
  I32: np.int32,
  U32: np.uint32,
  BOOL: np.bool,
};

/**
 * Encodes a tree of jax Arrays as safetensors bytes, tensors named by dotted tree paths
 * ("encoder.convs.0.w"). Does not consume the tree (reads each leaf via `.ref`). `source`
 * names the tree in errors.
 */
export async function encodeTree(
  tree: object,
  metadata?: Record<string, string>,
  source = "tree",
): Promise<Uint8Array> {
  const tensors: Record<string, NamedTensor> = {};
  for (const [name, leaf] of namedLeaves<unknown>(tree)) {
    if (!(leaf instanceof Array)) {
      throw new Error(
        `${source}: tree leaf ${JSON.stringify(name)} is not a jax Array (got ${typeof leaf})`,
      );
    }
    const dtype = FROM_JAX[leaf.dtype];
    if (dtype === undefined) {
      throw new Error(
        `${source}: tree leaf ${JSON.stringify(name)} has dtype ${leaf.dtype}, which cannot be saved`,
      );
    }
    const shape = [...leaf.shape];
    const values = await leaf.ref.data();
    // jax-js reads bool arrays as Int32Array; the format stores one byte per element.
    const data = dtype === "BOOL" ? Uint8Array.from(values as Int32Array) : (values as TensorData);
    tensors[name] = { dtype, shape, data };
  }
  return encodeSafetensors(tensors, metadata);
}

/**
 * Rebuilds a tree of jax Arrays from dotted tensor names (no template needed): a node whose
 * children are named 0..n-1 becomes an array, any other node an object.
 */
export function treeFromTensors(
  tensors: Record<string, NamedTensor>,
  source = "tensors",
): JsTree<Array> {
  for (const [name, { dtype }] of Object.entries(tensors)) {
    if (TO_JAX[dtype] === undefined) {
      throw new Error(
        `${source}: tensor ${JSON.stringify(name)} has dtype ${dtype}, which has no jax-js equivalent (expected F32, F64, I32, U32 or BOOL)`,
      );
    }
  }
  // Validate the names before creating any Array, so nothing leaks on error.
  treeFromNamed(
    Object.keys(tensors).map((name) => [name, name]),
    source,
  );
  const arrays = Object.entries(tensors).map(([name, { dtype, shape, data }]): [string, Array] => {
    if (dtype === "F64") return [name, float64Array(data as Float64Array, shape)];
    const values = dtype === "BOOL" ? Int32Array.from(data as Uint8Array) : (data as Float32Array);
    return [name, np.array(values, { shape, dtype: TO_JAX[dtype] })];
  });
  return treeFromNamed(arrays, source) as JsTree<Array>;
}

/**
 * `np.array` for float64 data. jax-js 0.1.25 tests `data instanceof Float16Array` before
 * `Float64Array`, which throws a ReferenceError where Float16Array does not exist (Node 20);
 * a placeholder class is defined for the duration of the call only.
 */
function float64Array(data: Float64Array, shape: number[]): Array {
  const scope = globalThis as { Float16Array?: unknown };
  if (scope.Float16Array !== undefined) return np.array(data, { shape, dtype: np.float64 });
  scope.Float16Array = class Float16ArrayUnavailable {};
  try {
    return np.array(data, { shape, dtype: np.float64 });
  } finally {
    delete scope.Float16Array;
  }
}

/** Decodes bytes written by {@link encodeTree}: the tree of jax Arrays and the metadata. */
export function decodeTree(
  bytes: Uint8Array,
  source = "safetensors buffer",
): { tree: JsTree<Array>; metadata: Record<string, string> } {
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  return { tree: treeFromTensors(tensors, source), metadata };
}
