/**
 * DeepMind 3D Shapes (Burgess and Kim 2018), `3dshapes.h5`: `images` [480000, 64, 64, 3]
 * uint8 and `labels` [480000, 6] float64 with factors floor_hue, wall_hue, object_hue,
 * scale, shape, orientation. Labels are read whole (23 MB); images are read per batch in
 * slices with h5wasm, never loaded whole (5.9 GB).
 */
import { closeSync, existsSync, fstatSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import h5wasm from "h5wasm/node";
import { batchBuffer, type CommonOptions, type Dataset } from "../dataset.ts";
import { DataFormatError } from "../errors.ts";
import { factorsFromValues, isGridOrder } from "../factors.ts";
import { isDirectory } from "../files.ts";

export const SHAPES3D_FILE = "3dshapes.h5";
const FACTOR_NAMES = ["floor_hue", "wall_hue", "object_hue", "scale", "shape", "orientation"];
const SHAPE_LABELS = ["cube", "cylinder", "sphere", "capsule"];

export async function loadShapes3dH5(options: CommonOptions = {}): Promise<Dataset> {
  if (options.root === undefined) {
    throw new DataFormatError(
      "3dshapes-h5",
      `needs --root: the path of ${SHAPES3D_FILE} (or its folder)`,
    );
  }
  const path = isDirectory(options.root) ? join(options.root, SHAPES3D_FILE) : options.root;
  if (!existsSync(path)) throw new DataFormatError(path, "file not found");
  if (!hasHdf5Signature(path)) {
    throw new DataFormatError(
      path,
      "not a readable HDF5 file (no HDF5 signature at offset 0, 512, 1024, ...)",
    );
  }
  await h5wasm.ready;
  let file: InstanceType<typeof h5wasm.File>;
  try {
    file = new h5wasm.File(path, "r");
  } catch (error) {
    throw new DataFormatError(path, `not a readable HDF5 file (${(error as Error).message})`);
  }
  const dataset = (name: string) => {
    const entity = file.get(name);
    if (!(entity instanceof h5wasm.Dataset)) {
      throw new DataFormatError(
        path,
        `has no '${name}' dataset (found: ${file.keys().join(", ") || "nothing"})`,
      );
    }
    return entity;
  };
  const images = dataset("images");
  const labels = dataset("labels");
  const shape = images.shape ?? [];
  const labelShape = labels.shape ?? [];
  if (shape.length !== 4 || (shape[3] !== 3 && shape[3] !== 1)) {
    throw new DataFormatError(
      path,
      `'images' has shape [${shape.join(", ")}], expected [n, h, w, 3]`,
    );
  }
  const count = shape[0];
  if (labelShape.length !== 2 || labelShape[0] !== count || labelShape[1] !== 6) {
    throw new DataFormatError(
      path,
      `'labels' has shape [${labelShape.join(", ")}], expected [${count}, 6]`,
    );
  }
  const rawLabels = labels.value;
  if (!ArrayBuffer.isView(rawLabels) || rawLabels instanceof DataView) {
    throw new DataFormatError(path, "'labels' is not a numeric array");
  }
  const tables = factorsFromValues(
    FACTOR_NAMES.map((name) => ({
      name,
      kind: name === "shape" ? ("categorical" as const) : ("continuous" as const),
      label: name === "shape" ? (v: number) => SHAPE_LABELS[v] ?? String(v) : undefined,
    })),
    Float32Array.from(rawLabels as unknown as ArrayLike<number>),
  );
  const grid = tables.factors.map((factor) => factor.values.length);
  const pixels = shape[1] * shape[2] * shape[3];
  const readBatch = (indices: ArrayLike<number>, out?: Float32Array): Float32Array => {
    const buffer = batchBuffer("3dshapes-h5", count, pixels, indices, out);
    // read runs of consecutive indices in one slice each
    for (let b = 0; b < indices.length; ) {
      let run = 1;
      while (b + run < indices.length && indices[b + run] === indices[b] + run) run++;
      const bytes = images.slice([[indices[b], indices[b] + run]]);
      if (!(bytes instanceof Uint8Array) || bytes.length !== run * pixels) {
        throw new DataFormatError(
          path,
          `'images' slice at ${indices[b]} is not ${run * pixels} uint8 values`,
        );
      }
      for (let p = 0; p < bytes.length; p++) buffer[b * pixels + p] = bytes[p] / 255;
      b += run;
    }
    return buffer;
  };
  return {
    name: "3dshapes-h5",
    count,
    imageShape: [shape[1], shape[2], shape[3]],
    ...tables,
    grid: isGridOrder(tables.factorIndices, grid) ? grid : undefined,
    skipped: [],
    readBatch,
  };
}

/** HDF5 files start with the superblock signature at offset 0, 512, 1024, 2048, ... */
function hasHdf5Signature(path: string): boolean {
  const signature = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const buffer = new Uint8Array(8);
    for (let at = 0; at + 8 <= size; at = at === 0 ? 512 : at * 2) {
      readSync(fd, buffer, 0, 8, at);
      if (signature.every((b, i) => buffer[i] === b)) return true;
    }
    return false;
  } finally {
    closeSync(fd);
  }
}
