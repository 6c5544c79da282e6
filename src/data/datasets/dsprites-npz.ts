/**
 * The real dSprites file (Matthey et al. 2017), `dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz`,
 * when a user has it. The 3 GB `imgs` member is inflated in chunks and bit-packed on the fly
 * (377 MB in memory for the full set); `latents_values` give the factors (the constant
 * `color` column is dropped) and are checked against `latents_classes`.
 */
import { join } from "node:path";
import type { CommonOptions, Dataset } from "../dataset.ts";
import { DataFormatError } from "../errors.ts";
import { factorsFromValues, isGridOrder } from "../factors.ts";
import { isDirectory } from "../files.ts";
import { type NpyHeader, npyHeaderSize, parseNpy, parseNpyHeader } from "../formats/npy.ts";
import { readZipDirectory, readZipEntry, streamZipEntry, type ZipEntry } from "../formats/zip.ts";
import { BitImages } from "../image-store.ts";
import { SPRITE_SHAPES } from "./sprites.ts";

export const DSPRITES_FILE = "dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz";
const LATENT_NAMES = ["color", "shape", "scale", "orientation", "posX", "posY"];

export function loadDspritesNpz(options: CommonOptions = {}): Dataset {
  if (options.root === undefined) {
    throw new DataFormatError(
      "dsprites-npz",
      `needs --root: the path of ${DSPRITES_FILE} (or its folder)`,
    );
  }
  const path = isDirectory(options.root) ? join(options.root, DSPRITES_FILE) : options.root;
  const entries = readZipDirectory(path);
  const member = (name: string): ZipEntry => {
    const entry = entries.find((e) => e.name === `${name}.npy`);
    if (entry === undefined) {
      throw new DataFormatError(
        path,
        `has no '${name}' array (members: ${entries.map((e) => e.name).join(", ")})`,
      );
    }
    return entry;
  };
  const latentsSource = `${path}:latents_values.npy`;
  const latents = parseNpy(readZipEntry(path, member("latents_values")), latentsSource);
  if (latents.shape.length !== 2 || latents.shape[1] !== 6 || latents.fortranOrder) {
    throw new DataFormatError(
      latentsSource,
      `expected a C-ordered [n, 6] array, got shape (${latents.shape.join(", ")})`,
    );
  }
  const count = latents.shape[0];

  const imgs = member("imgs");
  const source = `${path}:imgs.npy`;
  let header: NpyHeader | undefined;
  let headerBytes: Uint8Array = new Uint8Array(0);
  let store: BitImages | undefined;
  let pixels = 0;
  let image = 0;
  let pixel = 0;
  let bits: Uint8Array = new Uint8Array(0);
  let byteAt = 0;
  let reported = 0;
  const consume = (chunk: Uint8Array) => {
    let at = 0;
    if (header === undefined) {
      const joined = new Uint8Array(headerBytes.length + chunk.length);
      joined.set(headerBytes);
      joined.set(chunk, headerBytes.length);
      headerBytes = joined;
      const needed = npyHeaderSize(headerBytes);
      if (needed === undefined || (headerBytes.length < needed && needed <= 1 << 20)) return;
      header = parseNpyHeader(headerBytes, source);
      const shape = header.shape;
      if (
        header.itemSize !== 1 ||
        shape.length !== 3 ||
        shape[0] !== count ||
        header.fortranOrder
      ) {
        throw new DataFormatError(
          source,
          `expected C-ordered uint8 images of shape (${count}, h, w), got ${header.dtype} (${shape.join(", ")})`,
        );
      }
      pixels = shape[1] * shape[2];
      store = new BitImages("dsprites-npz", count, pixels);
      bits = store.bits;
      chunk = headerBytes.subarray(header.dataOffset);
    }
    const bytesPerImage = (store as BitImages).bytesPerImage;
    for (; at < chunk.length; at++) {
      if (chunk[at] !== 0) bits[byteAt + (pixel >> 3)] |= 0x80 >> (pixel & 7);
      if (++pixel === pixels) {
        pixel = 0;
        image++;
        byteAt += bytesPerImage;
      }
    }
    if (image - reported >= 16384) {
      reported = image;
      options.onProgress?.("unpacking imgs", image, count);
    }
  };
  streamZipEntry(path, imgs, (chunk) => {
    if (header !== undefined && image >= count) {
      throw new DataFormatError(source, `holds more than the ${count} images the latents describe`);
    }
    consume(chunk);
  });
  if (store === undefined || header === undefined || image !== count || pixel !== 0) {
    throw new DataFormatError(source, `ended after ${image} of ${count} images (truncated?)`);
  }
  options.onProgress?.("unpacking imgs", count, count);

  // factors: drop the constant color column
  const keep = [1, 2, 3, 4, 5];
  const values = new Float32Array(count * keep.length);
  for (let i = 0; i < count; i++) {
    for (let f = 0; f < keep.length; f++)
      values[i * keep.length + f] = latents.data[i * 6 + keep[f]];
  }
  const tables = factorsFromValues(
    keep.map((column) => ({
      name: LATENT_NAMES[column],
      kind: column === 1 ? "categorical" : "continuous",
      label: column === 1 ? (v: number) => SPRITE_SHAPES[v - 1] ?? String(v) : undefined,
    })),
    values,
  );
  const notes: string[] = [];
  const classesEntry = entries.find((e) => e.name === "latents_classes.npy");
  if (classesEntry !== undefined) {
    const classes = parseNpy(readZipEntry(path, classesEntry), `${path}:latents_classes.npy`).data;
    const agree =
      classes.length === count * 6 &&
      tables.factorIndices.every(
        (index, k) => classes[Math.floor(k / 5) * 6 + keep[k % 5]] === index,
      );
    if (!agree)
      notes.push(
        "latents_classes disagree with the ranks of latents_values; factor indices follow latents_values",
      );
  }
  const grid = tables.factors.map((factor) => factor.values.length);
  const [h, w] = header.shape.slice(1);
  return {
    name: "dsprites-npz",
    count,
    imageShape: [h, w, 1],
    ...tables,
    grid: isGridOrder(tables.factorIndices, grid) ? grid : undefined,
    skipped: [],
    notes,
    readBatch: store.readBatch,
  };
}
