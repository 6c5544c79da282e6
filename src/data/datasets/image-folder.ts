/**
 * A folder of PNG/JPEG images (e.g. CelebA's `img_align_celeba`), centre-cropped to a
 * square (or `crop` pixels) and resized (area / bilinear, see resample.ts) to `size`
 * (default 64), RGB or grayscale. Optional attribute file in CelebA's
 * `list_attr_celeba.txt` format (count line, names line, then `file v1 v2 ...`): each
 * attribute becomes a categorical factor. Images are decoded up front into uint8 when they
 * fit in `maxMemoryBytes` (default 1 GiB), otherwise on demand per batch.
 */
import { extname, join } from "node:path";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { batchBuffer, type CommonOptions, type Dataset, positiveInteger } from "../dataset.ts";
import { DataFormatError } from "../errors.ts";
import { factorsFromValues } from "../factors.ts";
import { listFolder, readBytes } from "../files.ts";
import { uint8Reader } from "../image-store.ts";
import { centerCrop, resizeImage } from "../resample.ts";

export interface ImageFolderOptions extends CommonOptions {
  /** Output side in pixels (default 64). */
  size?: number;
  /** Side of the central square cropped before resizing (default: the shorter side). */
  crop?: number;
  /** 3 (RGB, default) or 1 (grayscale, ITU-R 601 luma). */
  channels?: 1 | 3;
  /** Attribute file in list_attr_celeba.txt format. */
  attributes?: string;
  /** Load at most this many images (in file-name order). */
  limit?: number;
  /** Decode everything up front when it fits in this many bytes (default 1 GiB). */
  maxMemoryBytes?: number;
}

const EXTENSIONS = new Set([".png", ".jpg", ".jpeg"]);

/** Decodes a PNG or JPEG file to float RGB HWC in [0, 1]. */
export function decodeImageFile(path: string): {
  height: number;
  width: number;
  rgb: Float32Array;
} {
  const bytes = readBytes(path);
  let width: number;
  let height: number;
  let rgba: Uint8Array;
  try {
    if (bytes[0] === 0x89 && bytes[1] === 0x50) {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      ({ width, height } = png);
      rgba = png.data;
    } else if (bytes[0] === 0xff && bytes[1] === 0xd8) {
      const image = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        maxMemoryUsageInMB: 1024,
      });
      ({ width, height } = image);
      rgba = image.data;
    } else {
      throw new Error("not a PNG or JPEG (unknown magic bytes)");
    }
  } catch (error) {
    throw new DataFormatError(path, `cannot decode image: ${(error as Error).message}`);
  }
  const rgb = new Float32Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) rgb[p * 3 + c] = rgba[p * 4 + c] / 255;
  }
  return { height, width, rgb };
}

export function loadImageFolder(options: ImageFolderOptions = {}): Dataset {
  const root = options.root;
  if (root === undefined)
    throw new DataFormatError("image-folder", "needs --root: a folder of PNG/JPEG images");
  const size = positiveInteger("size", options.size ?? 64);
  const channels = options.channels ?? 3;
  const skipped: { path: string; reason: string }[] = [];
  let files: string[] = [];
  for (const name of listFolder(root, "PNG/JPEG images")) {
    if (EXTENSIONS.has(extname(name).toLowerCase())) files.push(name);
    else skipped.push({ path: join(root, name), reason: "not a .png/.jpg/.jpeg file" });
  }
  let attributeNames: string[] = [];
  let attributeRows: Map<string, number[]> | undefined;
  if (options.attributes !== undefined) {
    ({ names: attributeNames, rows: attributeRows } = parseAttributeFile(options.attributes));
    const rows = attributeRows;
    files = files.filter((name) => {
      if (rows.has(name)) return true;
      skipped.push({ path: join(root, name), reason: `no row in ${options.attributes}` });
      return false;
    });
  }
  if (options.limit !== undefined) files = files.slice(0, positiveInteger("limit", options.limit));
  if (files.length === 0) throw new DataFormatError(root, "no PNG/JPEG images to load");
  const count = files.length;
  const pixels = size * size * channels;
  const prepare = (index: number): Float32Array => {
    const path = join(root, files[index]);
    const { height, width, rgb } = decodeImageFile(path);
    const side = Math.min(options.crop ?? Math.min(height, width), height, width);
    const square = resizeImage(
      centerCrop(rgb, height, width, 3, side, side),
      side,
      side,
      3,
      size,
      size,
    );
    if (channels === 3) return square;
    const gray = new Float32Array(size * size);
    for (let p = 0; p < gray.length; p++) {
      gray[p] = 0.299 * square[p * 3] + 0.587 * square[p * 3 + 1] + 0.114 * square[p * 3 + 2];
    }
    return gray;
  };
  let readBatch: Dataset["readBatch"];
  const notes: string[] = [];
  if (count * pixels <= (options.maxMemoryBytes ?? 2 ** 30)) {
    const data = new Uint8Array(count * pixels);
    for (let i = 0; i < count; i++) {
      const image = prepare(i);
      for (let p = 0; p < pixels; p++)
        data[i * pixels + p] = Math.round(Math.min(1, Math.max(0, image[p])) * 255);
      if ((i + 1) % 500 === 0 || i + 1 === count)
        options.onProgress?.("decoding images", i + 1, count);
    }
    readBatch = uint8Reader("image-folder", data, count, pixels);
  } else {
    notes.push(`${count} images decoded on demand per batch (over maxMemoryBytes when preloaded)`);
    readBatch = (indices, out) => {
      const buffer = batchBuffer("image-folder", count, pixels, indices, out);
      for (let b = 0; b < indices.length; b++) buffer.set(prepare(indices[b]), b * pixels);
      return buffer;
    };
  }
  const tables =
    attributeRows === undefined
      ? { factors: [] }
      : factorsFromValues(
          attributeNames.map((name) => ({ name, kind: "categorical" as const })),
          Float32Array.from(
            files.flatMap((name) => (attributeRows as Map<string, number[]>).get(name) as number[]),
          ),
        );
  return {
    name: "image-folder",
    count,
    imageShape: [size, size, channels],
    ...tables,
    skipped,
    notes,
    readBatch,
  };
}

/** Parses a CelebA-style attribute file: a count line, a line of names, then `file v1 v2 ...`. */
export function parseAttributeFile(path: string): { names: string[]; rows: Map<string, number[]> } {
  const lines = new TextDecoder()
    .decode(readBytes(path))
    .split(/\r?\n/)
    .filter((line) => line.trim() !== "");
  if (lines.length < 2)
    throw new DataFormatError(path, "attribute file needs a count line and a names line");
  const declared = Number(lines[0].trim());
  const names = lines[1].trim().split(/\s+/);
  const rows = new Map<string, number[]>();
  for (let l = 2; l < lines.length; l++) {
    const fields = lines[l].trim().split(/\s+/);
    const values = fields.slice(1).map(Number);
    if (values.length !== names.length || values.some((v) => !Number.isFinite(v))) {
      throw new DataFormatError(
        path,
        `line ${l + 1}: expected a file name and ${names.length} numbers, got ${JSON.stringify(lines[l].slice(0, 80))}`,
      );
    }
    rows.set(fields[0], values);
  }
  if (Number.isInteger(declared) && declared !== rows.size) {
    throw new DataFormatError(path, `line 1 declares ${declared} rows, file has ${rows.size}`);
  }
  return { names, rows };
}
