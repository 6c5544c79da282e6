/**
 * Extended Yale B, cropped frontal faces ("CroppedYale" layout: `yaleBNN/yaleBNN_P00A+AAAE+EE.pgm`;
 * Georghiades, Belhumeur and Kriegman, TPAMI 2001; Lee, Ho and Kriegman, TPAMI 2005).
 * Factors, from the file names: `identity` (subject number, categorical), `azimuth` and
 * `elevation` of the light source in degrees (continuous) - the three notions of similarity
 * of Karaletsos et al. (ICLR 2016). `.bad` files (unless `includeBad`), ambient images,
 * other poses and stray files are skipped and reported. Stored as 8-bit grayscale.
 */
import { join } from "node:path";
import { type CommonOptions, type Dataset, positiveInteger } from "../dataset.ts";
import { DataFormatError } from "../errors.ts";
import { factorsFromValues } from "../factors.ts";
import { isDirectory, listFolder, readBytes } from "../files.ts";
import { parsePgm } from "../formats/pgm.ts";
import { uint8Reader } from "../image-store.ts";
import { resizeImage } from "../resample.ts";

export interface YaleBOptions extends CommonOptions {
  /** Output side (square) or [height, width]; default: the size of the first image. */
  size?: number | [number, number];
  /** Load the images the original distribution marked `.bad` too (default false). */
  includeBad?: boolean;
}

const IMAGE = /^yaleB(\d{2})_P(\d{2})A([+-]\d{3})E([+-]\d{2})\.pgm(\.bad)?$/;

export function loadYaleB(options: YaleBOptions = {}): Dataset {
  const root = options.root;
  if (root === undefined) {
    throw new DataFormatError(
      "yale-b",
      "needs --root: the CroppedYale folder holding yaleB01 ... yaleB39",
    );
  }
  const skipped: { path: string; reason: string }[] = [];
  const files: { path: string; subject: number; azimuth: number; elevation: number }[] = [];
  for (const name of listFolder(root, "the CroppedYale folders yaleB01 ... yaleB39")) {
    const folder = join(root, name);
    const subjectMatch = /^yaleB(\d{2})$/.exec(name);
    if (subjectMatch === null || !isDirectory(folder)) {
      skipped.push({ path: folder, reason: "not a yaleBNN subject folder" });
      continue;
    }
    for (const file of listFolder(folder, "yaleBNN_P00A+AAAE+EE.pgm images")) {
      const path = join(folder, file);
      const m = IMAGE.exec(file);
      if (m === null) {
        const reason = /_Ambient\.pgm/.test(file)
          ? "ambient image (no light-source direction)"
          : "not a yaleBNN_P00A+AAAE+EE.pgm image";
        skipped.push({ path, reason });
      } else if (m[5] !== undefined && !options.includeBad) {
        skipped.push({ path, reason: "marked corrupt by the original distribution (.bad)" });
      } else if (m[1] !== subjectMatch[1]) {
        skipped.push({ path, reason: `subject ${m[1]} in folder ${name}` });
      } else if (m[2] !== "00") {
        skipped.push({ path, reason: `pose ${m[2]} (only the frontal pose 00 is loaded)` });
      } else {
        files.push({ path, subject: Number(m[1]), azimuth: Number(m[3]), elevation: Number(m[4]) });
      }
    }
  }
  if (files.length === 0) {
    throw new DataFormatError(root, "no yaleBNN/yaleBNN_P00A+AAAE+EE.pgm images found");
  }
  let height = 0;
  let width = 0;
  if (options.size !== undefined) {
    [height, width] =
      typeof options.size === "number" ? [options.size, options.size] : options.size;
    positiveInteger("size", height);
    positiveInteger("size", width);
  }
  let pixels = height * width;
  let data = new Uint8Array(0);
  const values = new Float32Array(files.length * 3);
  files.forEach((file, i) => {
    const image = parsePgm(readBytes(file.path), file.path);
    if (pixels === 0) {
      height = image.height;
      width = image.width;
      pixels = height * width;
    }
    if (data.length === 0) data = new Uint8Array(files.length * pixels);
    let floats: Float32Array = Float32Array.from(image.data, (v) => v / image.maxval);
    if (image.height !== height || image.width !== width) {
      floats = resizeImage(floats, image.height, image.width, 1, height, width);
    }
    for (let p = 0; p < pixels; p++)
      data[i * pixels + p] = Math.round(Math.min(1, Math.max(0, floats[p])) * 255);
    values.set([file.subject, file.azimuth, file.elevation], i * 3);
    if ((i + 1) % 200 === 0 || i + 1 === files.length)
      options.onProgress?.("reading PGM files", i + 1, files.length);
  });
  const tables = factorsFromValues(
    [
      { name: "identity", kind: "categorical", label: (v) => `yaleB${String(v).padStart(2, "0")}` },
      { name: "azimuth", kind: "continuous" },
      { name: "elevation", kind: "continuous" },
    ],
    values,
  );
  return {
    name: "yale-b",
    count: files.length,
    imageShape: [height, width, 1],
    ...tables,
    skipped,
    readBatch: uint8Reader("yale-b", data, files.length, pixels),
  };
}
