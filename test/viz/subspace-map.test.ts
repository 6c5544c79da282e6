import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { PNG } from "pngjs";
import { Rng } from "../../src/data/random.ts";
import { rasterizeSvg } from "../../src/run/rasterize.ts";
import type { TrainedRun } from "../../src/run/trained-run.ts";
import { mapTargets } from "../../src/viz/map-subspace.ts";
import {
  type MapFactor,
  OKABE_ITO,
  plotPositions,
  spreadSample,
  subspaceMapSvg,
  thumbnailPanelSize,
  viridis,
} from "../../src/viz/subspace-map.ts";
import { runCli, trainTinyRun } from "../helpers/cli.ts";
import { NATIVE_PASS_ONLY } from "../helpers/native-pass.ts";

// Run only in the native pass (NATIVE_PASS_ONLY): a command-line run over the run layer, which
// is device-independent: checked once, in the native pass.

/** Two clusters of 400 points; a categorical factor (3 values) and an ordered one. */
function synthetic(n = 800) {
  const rng = new Rng(7);
  const gauss = () =>
    Math.sqrt(-2 * Math.log(1 - rng.nextFloat())) * Math.cos(2 * Math.PI * rng.nextFloat());
  const embedding = new Float64Array(2 * n);
  const shape = new Float64Array(n);
  const size = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const cluster = i % 2;
    embedding[2 * i] = (cluster ? 10 : -10) + gauss();
    embedding[2 * i + 1] = gauss();
    shape[i] = cluster === 0 ? 0 : 1 + (i % 4 === 1 ? 1 : 0);
    size[i] = rng.nextFloat() * 2 + 1;
  }
  const factors: MapFactor[] = [
    { name: "shape", kind: "categorical", values: shape, labels: ["heart", "ellipse", "square"] },
    { name: "size", kind: "ordered", values: size },
  ];
  return { n, embedding, factors };
}

/** The SVG of one panel (the <g class="panel" ...> element up to the next panel). */
function panelOf(svg: string, factor: string): string {
  const start = svg.indexOf(`data-factor="${factor}"`);
  assert.ok(start >= 0, `panel of ${factor}`);
  const next = svg.indexOf(`class="panel`, start);
  return svg.slice(start, next < 0 ? undefined : next);
}

const fills = (svg: string) =>
  new Set([...svg.matchAll(/<circle [^>]*fill="([^"]+)"/g)].map((m) => m[1]));

test("viridis runs from dark purple to yellow through its control points", () => {
  assert.equal(viridis(0), "#440154");
  assert.equal(viridis(1), "#fde725");
  assert.equal(viridis(4 / 9), "#26828e");
  assert.equal(viridis(-1), viridis(0));
  assert.equal(viridis(Number.NaN), viridis(0));
  assert.equal(OKABE_ITO.length, 8);
});

test("a map: one panel per factor with its name and legend, Okabe-Ito and a viridis colour bar, thumbnails, not blank", () => {
  const { embedding, factors } = synthetic();
  const picked = spreadSample(embedding, 40);
  assert.ok(picked.length >= 10 && picked.length <= 40, `${picked.length} thumbnails`);
  // The picked thumbnails do not overlap in the thumbnail panel.
  const p = plotPositions(embedding, thumbnailPanelSize());
  for (const a of picked) {
    for (const b of picked) {
      if (a === b) continue;
      const d = Math.max(Math.abs(p[2 * a] - p[2 * b]), Math.abs(p[2 * a + 1] - p[2 * b + 1]));
      assert.ok(d >= 32, `thumbnails ${a} and ${b} are ${d} px apart`);
    }
  }
  const [h, w] = [8, 8];
  const images = new Float32Array(picked.length * h * w * 3);
  picked.forEach((point, t) => {
    for (let k = 0; k < h * w; k++) images[(t * h * w + k) * 3 + (point % 3)] = (k % 8) / 8;
  });
  const svg = subspaceMapSvg({
    embedding,
    factors,
    title: "t-SNE map of the 'shape' subspace",
    subtitle: "synthetic",
    thumbnails: { points: picked, images, shape: [h, w, 3] },
  });
  assert.equal([...svg.matchAll(/class="panel" data-factor=/g)].length, factors.length);
  assert.equal([...svg.matchAll(/class="panel thumbnails"/g)].length, 1);
  assert.equal([...svg.matchAll(/<image /g)].length, picked.length);
  assert.match(svg, new RegExp(`images at ${picked.length} of the points`));

  const shape = panelOf(svg, "shape");
  assert.match(shape, /<tspan font-weight="bold">shape<\/tspan>/);
  assert.match(shape, /categorical, 3 values/);
  for (const label of ["heart", "ellipse", "square"]) assert.match(shape, new RegExp(`>${label}<`));
  assert.deepEqual(fills(shape), new Set(OKABE_ITO.slice(0, 3)));
  assert.doesNotMatch(shape, /colorbar/);

  const size = panelOf(svg, "size");
  assert.match(size, /<tspan font-weight="bold">size<\/tspan>/);
  assert.match(size, /class="colorbar"/);
  assert.match(size, />low → high</);
  for (const tick of ["1", "2", "3"]) assert.match(size, new RegExp(`>${tick}(\\.\\d+)?<`));
  const sizeFills = fills(size);
  assert.ok(sizeFills.size > 50, `${sizeFills.size} shades of viridis`);
  for (const fill of sizeFills) assert.ok(!(OKABE_ITO as readonly string[]).includes(fill));

  const png = PNG.sync.read(Buffer.from(rasterizeSvg(svg)));
  assert.ok(png.width > 900 && png.height > 500, `${png.width}x${png.height}`);
  let sum = 0;
  let sumSq = 0;
  const count = png.width * png.height;
  for (let i = 0; i < count; i++) {
    const v = png.data[4 * i] + png.data[4 * i + 1] + png.data[4 * i + 2];
    sum += v;
    sumSq += v * v;
  }
  const variance = sumSq / count - (sum / count) ** 2;
  assert.ok(variance > 1000, `pixel variance ${variance}`);
  // The shape panel's orange (Okabe-Ito's first colour) is drawn.
  let orange = 0;
  for (let i = 0; i < count; i++) {
    const [r, g, b] = [png.data[4 * i], png.data[4 * i + 1], png.data[4 * i + 2]];
    if (Math.abs(r - 0xe6) < 12 && Math.abs(g - 0x9f) < 12 && b < 40) orange++;
  }
  assert.ok(orange > 200, `${orange} orange pixels`);
});

test("many categories get a ramp and say so; no factors give one uncoloured panel", () => {
  const { n, embedding } = synthetic(200);
  const many = Float64Array.from({ length: n }, (_, i) => i % 12);
  const svg = subspaceMapSvg({
    embedding,
    title: "t",
    factors: [{ name: "object", kind: "categorical", values: many }],
  });
  const panel = panelOf(svg, "object");
  assert.match(panel, /12 values: more than/);
  assert.match(panel, /class="colorbar"/);
  assert.ok(fills(panel).has(viridis(0)) && fills(panel).has(viridis(1)));
  const bare = subspaceMapSvg({ embedding, title: "t", factors: [] });
  assert.match(bare, /no factors: points uncoloured/);
  assert.throws(
    () =>
      subspaceMapSvg({
        embedding,
        title: "t",
        factors: [{ name: "x", kind: "ordered", values: [1] }],
      }),
    /factor 'x' has 1 values for 200 points/,
  );
});

test("map targets: a triplet run's queries, the latent space of other runs, clear errors", () => {
  const triplet = {
    runDir: "runs/t",
    config: { model: "triplet-vae", z: 4 },
    masks: {
      names: ["color", "shape"],
      data: Float32Array.from([1, 1, 0, 0, 0, 0, 1, 1]),
      queries: 2,
      dims: 4,
    },
  } as unknown as TrainedRun;
  assert.deepEqual(mapTargets(triplet), [
    { name: "color", dims: [0, 1] },
    { name: "shape", dims: [2, 3] },
  ]);
  assert.deepEqual(mapTargets(triplet, "shape"), [{ name: "shape", dims: [2, 3] }]);
  assert.throws(() => mapTargets(triplet, "hue"), /has no query 'hue' \(queries: color, shape\)/);
  const plain = { runDir: "runs/b", config: { model: "beta-vae", z: 3 } } as unknown as TrainedRun;
  assert.deepEqual(mapTargets(plain), [{ name: "latent", dims: [0, 1, 2] }]);
  assert.throws(
    () => mapTargets(plain, "color"),
    /beta-vae run without query subspaces: leave out --query/,
  );
});

test("disentangle map on a tiny triplet run (UMAP, 200 points), and its errors", {
  skip: NATIVE_PASS_ONLY,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "disentangle-map-"));
  // --method is checked before the run is read, so that error is asked while training.
  const [{ run, result }, method] = await Promise.all([
    trainTinyRun(
      dir,
      [
        ...["--model", "triplet-vae", "--data", "colored-shapes", "--queries", "color"],
        ...["--z", "4", "--dims-per-query", "2", "--batch", "8", "--triplets-per-query", "4"],
        ...["--steps", "2", "--log-every", "2", "--eval-triplets", "10"],
      ],
      { size: 16, positions: 3 },
    ),
    runCli(["map", join(dir, "run"), "--method", "pca"]),
  ]);
  assert.equal(result.code, 0, result.stderr);
  const out = join(dir, "map.png");
  const [map, query] = await Promise.all([
    runCli(["map", run, "--method", "umap", "--points", "200", "--out", out]),
    runCli(["map", run, "--query", "hue"]),
  ]);
  assert.equal(map.code, 0, map.stderr);
  assert.match(map.stdout, /UMAP map of the 'color' subspace \(dims 0, 1\), 200 of all \d+ images/);
  assert.match(map.stderr, /UMAP \d+\/\d+/);
  const png = PNG.sync.read(readFileSync(out));
  assert.ok(png.width > 1500, `${png.width} px wide (drawn at 2x)`);
  assert.equal(existsSync(join(run, "map-color.png")), false);
  assert.equal(method.code, 1);
  assert.match(method.stderr, /--method "pca": expected tsne or umap/);
  assert.equal(query.code, 1);
  assert.match(query.stderr, /has no query 'hue' \(queries: color\)/);
});
