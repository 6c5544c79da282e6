import assert from "node:assert/strict";
import { test } from "node:test";
import { PNG } from "pngjs";
import { rasterizeSvg } from "../../src/run/rasterize.ts";
import { labelledGridLayout, labelledGridSvg } from "../../src/viz/labelled-grid.ts";
import { klPerDimensionSvg } from "../../src/viz/plots/kl-per-dimension.ts";
import {
  chooseDimensions,
  latentVsFactorSvg,
  meanCodeByFactor,
} from "../../src/viz/plots/latent-vs-factor.ts";
import {
  type CurveRow,
  loggedTerms,
  trainingCurvesSvg,
  usesLogScale,
} from "../../src/viz/plots/training-curves.ts";
import { renderVegaLite } from "../../src/viz/plots/vega.ts";
import { textWidth } from "../../src/viz/text-width.ts";

function size(svg: string): [number, number] {
  const match = /^<svg [^>]*width="([\d.]+)" height="([\d.]+)"/.exec(svg);
  assert.ok(match, "an svg element with a size");
  return [Number(match[1]), Number(match[2])];
}

/** The texts of the document, unescaped enough for plain labels. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1].replace(/&amp;/g, "&"));
}

function count(svg: string, pattern: RegExp): number {
  return [...svg.matchAll(pattern)].length;
}

/** Standard deviation of the gray levels of the rasterised picture (0 for a blank one). */
function pixelSpread(svg: string): number {
  const png = PNG.sync.read(Buffer.from(rasterizeSvg(svg)));
  let sum = 0;
  let squares = 0;
  const n = png.width * png.height;
  for (let p = 0; p < n; p++) {
    const v = (png.data[4 * p] + png.data[4 * p + 1] + png.data[4 * p + 2]) / 3;
    sum += v;
    squares += v * v;
  }
  return Math.sqrt(squares / n - (sum / n) ** 2);
}

const rows: CurveRow[] = Array.from({ length: 15 }, (_, i) => ({
  step: 20 * (i + 1),
  loss: 1000 / (i + 1) ** 0.5,
  kl: 5 * 10 ** (-i / 4), // 5 .. 0.0016: over three decades
  elbo: -1000 / (i + 1) ** 0.5, // negative: linear
  tc: i % 3 === 0 ? -0.01 : 0.5, // crosses zero: linear
  imagesPerSecond: 150,
}));

test("vega-lite renders headless with the shared font and readable sizes", async () => {
  const svg = await renderVegaLite({
    data: { values: [{ a: 1, b: 2 }] },
    mark: "point",
    width: 100,
    height: 80,
    encoding: {
      x: { field: "a", type: "quantitative", title: "alpha" },
      y: { field: "b", type: "quantitative", title: "beta" },
    },
  });
  assert.equal(typeof (globalThis as { document?: unknown }).document, "undefined");
  assert.match(svg, /font-family="DejaVu Sans, sans-serif"/);
  assert.ok(texts(svg).includes("alpha") && texts(svg).includes("beta"));
  const fontSizes = [...svg.matchAll(/font-size="(\d+)px"/g)].map((m) => Number(m[1]));
  assert.ok(fontSizes.length > 0 && Math.min(...fontSizes) >= 11, `font sizes ${fontSizes}`);
  const [w, h] = size(svg);
  assert.ok(w > 100 && w < 200 && h > 80 && h < 180, `${w}x${h}`);
  // Widths from DejaVu Sans' metrics, not Vega's 0.8-em guess.
  assert.ok(Math.abs(textWidth("reconstruction", 13) - 94) < 2);
});

test("training curves: one titled panel per logged term, log y where a positive term spans > 2 decades", async () => {
  assert.deepEqual(loggedTerms(rows), ["loss", "kl", "elbo", "tc"]);
  assert.equal(usesLogScale(rows.map((r) => r.kl)), true);
  assert.equal(usesLogScale(rows.map((r) => r.loss)), false);
  assert.equal(usesLogScale(rows.map((r) => r.elbo)), false);
  assert.equal(usesLogScale([1e-3, 0, 10]), false);
  const svg = await trainingCurvesSvg(rows, { columns: 2, panelWidth: 150, panelHeight: 90 });
  assert.equal(count(svg, /role-scope concat_\d+_group"/g), 4);
  assert.equal(count(svg, /aria-roledescription="line mark"/g), 4);
  const labels = texts(svg);
  for (const title of ["Training curves", "loss", "kl", "elbo", "tc"]) {
    assert.ok(labels.includes(title), `${title} in ${labels}`);
  }
  assert.ok(!labels.includes("imagesPerSecond"));
  assert.equal(labels.filter((t) => t === "log scale").length, 1, "only kl is on a log scale");
  assert.ok(labels.includes("0.01") && labels.includes("1"), "decade tick labels on the kl panel");
  const [w, h] = size(svg);
  assert.ok(w >= 2 * 150 && w < 2 * 150 + 250, `width ${w}`);
  assert.ok(h >= 2 * 90 && h < 2 * 90 + 220, `height ${h}`);
  assert.ok(pixelSpread(svg) > 10, "not blank");
});

test("KL per dimension: one bar per dimension, labelled z0.., the inactive threshold as a rule", async () => {
  const kl = [2.5, 0.002, 0.8, 0, 0.05];
  const svg = await klPerDimensionSvg(kl);
  assert.equal(count(svg, /aria-roledescription="bar"/g), kl.length);
  const labels = texts(svg);
  for (const name of [
    "z0",
    "z1",
    "z2",
    "z3",
    "z4",
    "KL per latent dimension",
    "active",
    "inactive",
  ]) {
    assert.ok(labels.includes(name), `${name} in ${labels}`);
  }
  assert.ok(labels.some((t) => t.includes("3 of 5 active")));
  // The threshold rule at 0.01 nats (one rule mark; its y sits on the 0.01 tick).
  assert.equal(count(svg, /aria-roledescription="rule mark"/g), 1);
  assert.ok(labels.includes("0.01"));
  // Order as given: the bar of z1 (0.002) is lower than z0's.
  const bars = [...svg.matchAll(/aria-roledescription="bar" d="M[\d.]+,([\d.]+)h/g)].map((m) =>
    Number(m[1]),
  );
  assert.ok(bars[1] > bars[0] && bars[0] < bars[2]);
  const [w, h] = size(svg);
  assert.ok(w >= 160 && w < 500 && h >= 200 && h < 360, `${w}x${h}`);
  const linear = await klPerDimensionSvg(kl, {
    scale: "linear",
    labels: ["a", "b", "c", "d", "e"],
  });
  assert.ok(texts(linear).includes("KL (nats)") && texts(linear).includes("e"));
  await assert.rejects(klPerDimensionSvg([1, Number.NaN]), /z1 is NaN/);
});

test("latent vs factor: top dimensions by MI per factor, mean code per factor value", async () => {
  // 2 factors on a 4 x 3 grid, repeated twice; z0 = f0, z2 = -f1, z1 noise-free constant.
  const f: number[] = [];
  const z: number[] = [];
  for (let rep = 0; rep < 2; rep++) {
    for (let a = 0; a < 4; a++) {
      for (let b = 0; b < 3; b++) {
        f.push(a / 3, b);
        z.push(a / 3 + rep * 0.1, 0.5, -b);
      }
    }
  }
  const codes = { data: Float32Array.from(z), count: 24, dims: 3 };
  const factors = { data: f, count: 24, factors: 2 };
  const { values, means } = meanCodeByFactor(codes, factors, 0, [0, 1]);
  assert.deepEqual(
    values.map((v) => v.toFixed(3)),
    ["0.000", "0.333", "0.667", "1.000"],
  );
  assert.deepEqual(
    means[0].map((m) => m.toFixed(3)),
    ["0.050", "0.383", "0.717", "1.050"],
  );
  assert.deepEqual(
    means[1].map((m) => m.toFixed(3)),
    ["0.500", "0.500", "0.500", "0.500"],
  );
  const mi = {
    factors: [0, 1],
    mutualInformation: [
      [1.3, 0.1, 0],
      [0, 0.2, 1.1],
    ],
  };
  assert.deepEqual(
    chooseDimensions(2, 3, { mutualInformation: mi, top: 2 }).map((p) => p.dims),
    [
      [0, 1],
      [2, 1],
    ],
  );
  assert.throws(() => chooseDimensions(2, 3, {}), /dims to show or a mutual information/);
  const svg = await latentVsFactorSvg(codes, factors, ["posX", "shape"], {
    mutualInformation: mi,
    top: 2,
  });
  assert.equal(count(svg, /role-scope concat_\d+_group"/g), 2);
  assert.equal(count(svg, /aria-roledescription="line mark"/g), 4);
  const labels = texts(svg);
  for (const name of ["posX", "shape", "z0", "z1", "z2", "mean code"]) {
    assert.ok(labels.includes(name), `${name} in ${labels}`);
  }
  assert.ok(labels.some((t) => t.startsWith("MI (nats): z0 1.30, z1 0.10")));
  const [w, h] = size(svg);
  assert.ok(w >= 2 * 200 && w < 2 * 200 + 350 && h >= 150 && h < 150 + 200, `${w}x${h}`);
  assert.ok(pixelSpread(svg) > 10);
  const chosen = await latentVsFactorSvg(codes, factors, ["posX", "shape"], { dims: [[0]] });
  assert.equal(count(chosen, /role-scope concat_\d+_group"/g), 1);
  assert.ok(!texts(chosen).includes("z2"));
  // A categorical factor's axis names its values.
  const named = await latentVsFactorSvg(codes, factors, ["posX", "shape"], {
    dims: [undefined, [2]],
    valueLabels: [undefined, ["square", "ellipse", "heart"]],
  });
  for (const name of ["square", "ellipse", "heart"]) {
    assert.ok(texts(named).includes(name), `${name} in ${texts(named)}`);
  }
});

test("labelled grid: cells >= 48 px, headers, title, blank cells and separators", () => {
  const [n, h, w, c] = [6, 8, 8, 1];
  const images = new Float32Array(n * h * w * c).map((_, i) => (i % 7) / 6);
  const options = {
    title: "Swap",
    rowHeaders: ["base", "source 1"],
    columnHeaders: ["source", "base 1", "base 2"],
    blank: [0],
    separators: { afterRow: [0], afterColumn: [0] },
  };
  const layout = labelledGridLayout([n, h, w, c], 3, options);
  assert.equal(layout.cell, 48);
  assert.deepEqual([layout.rows, layout.columns], [2, 3]);
  assert.equal(layout.x[1] - layout.x[0], 48 + 4 + 12);
  assert.equal(layout.x[2] - layout.x[1], 48 + 4);
  assert.equal(layout.y[1] - layout.y[0], 48 + 4 + 12);
  const svg = labelledGridSvg(images, [n, h, w, c], 3, options);
  assert.deepEqual(size(svg), [layout.width, layout.height]);
  assert.equal(layout.height, layout.y[1] + 48 + 10);
  assert.ok(layout.x[0] >= 10 + textWidth("source 1", 13));
  assert.equal(count(svg, /<image /g), n - 1);
  assert.deepEqual(texts(svg), ["Swap", "source", "base 1", "base 2", "base", "source 1"]);
  assert.ok(pixelSpread(svg) > 10);
  // 28 px images get 56 px cells; no headers, no title: the grid alone with margins.
  const plain = labelledGridLayout([16, 28, 28, 3], 8);
  assert.equal(plain.cell, 56);
  assert.deepEqual([plain.width, plain.height], [10 + 8 * 56 + 7 * 4 + 10, 10 + 2 * 56 + 4 + 10]);
  assert.throws(() => labelledGridLayout([4, 8, 8, 1], 2, { rowHeaders: ["a"] }), /1 row headers/);
  assert.throws(() => labelledGridLayout([4, 64, 64, 1], 2, { cell: 32 }), />= 48/);
});
