import assert from "node:assert/strict";
import { test } from "node:test";
import { loadYaleB } from "../../../src/data/datasets/yale-b.ts";
import { DataFormatError } from "../../../src/data/errors.ts";
import { tempFolder, writeFiles } from "../helpers/files.ts";

const pgm = (w: number, h: number, values: number[], comment = "") => {
  const header = new TextEncoder().encode(`P5\n${comment}${w} ${h}\n255\n`);
  const out = new Uint8Array(header.length + values.length);
  out.set(header);
  out.set(values, header.length);
  return out;
};

function folder() {
  const root = tempFolder("yale");
  writeFiles(root, {
    "yaleB01/yaleB01_P00A+000E+00.pgm": pgm(2, 2, [0, 51, 102, 255]),
    "yaleB01/yaleB01_P00A-010E+20.pgm": pgm(2, 2, [255, 255, 0, 0], "# comment\n"),
    "yaleB01/yaleB01_P00_Ambient.pgm": pgm(2, 2, [1, 1, 1, 1], "# ambient\n"),
    "yaleB01/yaleB01_P00A+005E+00.pgm.bad": pgm(2, 2, [9, 9, 9, 9]),
    "yaleB01/yaleB01_P00.info": "stray",
    // a bigger image: 4x4 with 2x2 blocks of 0, 40, 80, 120 -> area-resized to 2x2
    "yaleB03/yaleB03_P00A+130E-40.pgm": pgm(
      4,
      4,
      [0, 0, 40, 40, 0, 0, 40, 40, 80, 80, 120, 120, 80, 80, 120, 120],
    ),
    "WS_FTP.LOG": "stray",
  });
  return root;
}

test("loads images and identity/azimuth/elevation from file names, reports skipped files", () => {
  const root = folder();
  const ds = loadYaleB({ root });
  assert.equal(ds.count, 3);
  assert.deepEqual(ds.imageShape, [2, 2, 1]);
  assert.deepEqual(
    ds.factors.map((f) => [f.name, f.kind, f.values]),
    [
      ["identity", "categorical", [1, 3]],
      ["azimuth", "continuous", [-10, 0, 130]],
      ["elevation", "continuous", [-40, 0, 20]],
    ],
  );
  assert.deepEqual(ds.factors[0].labels, ["yaleB01", "yaleB03"]);
  // files in name order: A+000E+00, A-010E+20 (yaleB01), then yaleB03
  assert.deepEqual(Array.from(ds.factorValues ?? []), [1, 0, 0, 1, -10, 20, 3, 130, -40]);
  const images = ds.readBatch([0, 2]);
  assert.deepEqual(
    Array.from(images.subarray(0, 4), (v) => Math.round(v * 255)),
    [0, 51, 102, 255],
  );
  assert.deepEqual(
    Array.from(images.subarray(4), (v) => Math.round(v * 255)),
    [0, 40, 80, 120],
  );
  const reasons = ds.skipped.map((s) => `${s.path.slice(root.length + 1)}: ${s.reason}`).sort();
  assert.deepEqual(reasons, [
    "WS_FTP.LOG: not a yaleBNN subject folder",
    "yaleB01/yaleB01_P00.info: not a yaleBNN_P00A+AAAE+EE.pgm image",
    "yaleB01/yaleB01_P00A+005E+00.pgm.bad: marked corrupt by the original distribution (.bad)",
    "yaleB01/yaleB01_P00_Ambient.pgm: ambient image (no light-source direction)",
  ]);
  assert.equal(loadYaleB({ root, includeBad: true }).count, 4);
  // upsampled to a requested size
  assert.deepEqual(loadYaleB({ root, size: [3, 4] }).imageShape, [3, 4, 1]);
});

test("missing, empty and corrupt data give clear errors", () => {
  assert.throws(
    () => loadYaleB({ root: "/no/such/folder" }),
    (e: Error) =>
      e instanceof DataFormatError && /\/no\/such\/folder: cannot read folder/.test(e.message),
  );
  const empty = tempFolder("yale-empty");
  assert.throws(() => loadYaleB({ root: empty }), /folder is empty/);
  const strays = tempFolder("yale-strays");
  writeFiles(strays, { "yaleB05/readme.txt": "x" });
  assert.throws(
    () => loadYaleB({ root: strays }),
    /no yaleBNN\/yaleBNN_P00A\+AAAE\+EE\.pgm images found/,
  );
  const broken = tempFolder("yale-broken");
  writeFiles(broken, { "yaleB02/yaleB02_P00A+000E+00.pgm": pgm(4, 4, [1, 2, 3]) });
  assert.throws(
    () => loadYaleB({ root: broken }),
    /yaleB02_P00A\+000E\+00\.pgm: PGM raster truncated/,
  );
  assert.throws(() => loadYaleB({}), /needs --root/);
});
