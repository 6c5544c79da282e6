import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, test } from "node:test";
import { PNG } from "pngjs";
import { createPrior } from "../../src/distributions/priors.ts";
import { initEngine } from "../../src/engine/device.ts";
import { numpy as np, tree } from "../../src/engine/jax.ts";
import type { Vae } from "../../src/nn/vae.ts";
import { createVae } from "../../src/nn/vae.ts";
import { loadTrainedRun } from "../../src/run/load-trained-run.ts";
import { rasterizeSvg, writeBytes } from "../../src/run/rasterize.ts";
import type { TrainedRun } from "../../src/run/trained-run.ts";
import {
  gifFrameOrder,
  laplaceQuantile,
  normalCdf,
  normalQuantile,
  type TraversalFigure,
  traversalFigure,
  traversalGif,
} from "../../src/viz/traversal.ts";
import { runCli, trainTinyRun } from "../helpers/cli.ts";

await initEngine();

const dir = mkdtempSync(join(tmpdir(), "disentangle-traverse-"));
let runDir = "";
let run: TrainedRun;
/** Latent dimension that the wrapped encoder collapses onto the prior (KL exactly 0). */
const COLLAPSED = 3;

/** The run's model with dimension `j` of q(z|x) forced to N(0, 1): an inactive dimension. */
function collapse(model: Vae, j: number): Vae {
  const d = model.architecture.config.latentDim;
  const keep = Float32Array.from({ length: d }, (_, i) => (i === j ? 0 : 1));
  return {
    ...model,
    encode(params, x, schedule) {
      const { mu, logvar } = model.encode(params, x, schedule);
      return { mu: mu.mul(np.array(keep)), logvar: logvar.mul(np.array(keep)) };
    },
  };
}

before(async () => {
  const { run: path, result } = await trainTinyRun(dir, [
    "--model",
    "beta-vae",
    "--beta",
    "1",
    "--z",
    "4",
    "--batch",
    "16",
    "--steps",
    "60",
    "--lr",
    "3e-3",
    "--log-every",
    "60",
  ]);
  assert.equal(result.code, 0, result.stderr);
  runDir = path;
  run = await loadTrainedRun(runDir);
});

/** Counts a GIF's image descriptors by walking its blocks; checks the header and trailer. */
function gifFrames(bytes: Uint8Array): { width: number; height: number; frames: number } {
  assert.equal(new TextDecoder().decode(bytes.subarray(0, 6)), "GIF89a");
  const width = bytes[6] | (bytes[7] << 8);
  const height = bytes[8] | (bytes[9] << 8);
  let p = 13;
  if (bytes[10] & 0x80) p += 3 * (1 << ((bytes[10] & 7) + 1));
  const skipSubBlocks = () => {
    while (bytes[p] !== 0) p += bytes[p] + 1;
    p++;
  };
  let frames = 0;
  for (;;) {
    const block = bytes[p++];
    if (block === 0x3b) break;
    if (block === 0x21) {
      p++;
      skipSubBlocks();
    } else if (block === 0x2c) {
      const flags = bytes[p + 8];
      p += 9;
      if (flags & 0x80) p += 3 * (1 << ((flags & 7) + 1));
      p++; // LZW minimum code size
      skipSubBlocks();
      frames++;
    } else {
      assert.fail(`unexpected GIF block 0x${block?.toString(16)} at byte ${p - 1}`);
    }
  }
  assert.equal(p, bytes.length, "the trailer ends the file");
  return { width, height, frames };
}

test("normal and Laplace quantiles", () => {
  assert.ok(Math.abs(normalQuantile(0.975) - 1.959963985) < 1e-8);
  assert.ok(Math.abs(normalQuantile(0.01) + 2.326347874) < 1e-8);
  assert.ok(Math.abs(normalQuantile(normalCdf(2)) - 2) < 1e-5);
  assert.ok(Math.abs(normalCdf(-1) - 0.158655254) < 2e-7);
  assert.equal(laplaceQuantile(0.5), 0);
  assert.ok(Math.abs(laplaceQuantile(0.75) - Math.LN2) < 1e-12);
  assert.ok(Math.abs(laplaceQuantile(0.1, 1, 2) - (1 + 2 * Math.log(0.2))) < 1e-12);
  assert.deepEqual(gifFrameOrder(4), [0, 1, 2, 3, 2, 1]);
});

test("the figure: rows by KL, an inactive dimension folded, query groups, cells >= 48 px, GIF frames", async () => {
  const masks = { names: ["shape"], data: Float32Array.from([1, 1, 0, 0]), queries: 1, dims: 4 };
  const columns = 5;
  const seeds = 2;
  const figure: TraversalFigure = await traversalFigure(
    { ...run, model: collapse(run.model, COLLAPSED), masks },
    { seeds, columns, rows: 200 },
  );
  const { rows, frames, svg } = figure;
  // Every dimension once; the collapsed one inactive with KL 0 and listed last.
  assert.deepEqual(rows.map((r) => r.dimension).sort(), [0, 1, 2, 3]);
  const folded = rows.filter((r) => !r.active);
  assert.deepEqual(
    folded.map((r) => r.dimension),
    [COLLAPSED],
  );
  assert.ok(folded[0].kl < 1e-6, `collapsed KL ${folded[0].kl}`);
  const active = rows.filter((r) => r.active);
  assert.ok(active.length >= 2, `active dims ${active.map((r) => `${r.dimension}:${r.kl}`)}`);
  for (const row of active) {
    assert.ok(row.kl >= 0.01);
    assert.ok(row.factor !== undefined && row.mi !== undefined && row.mi >= 0 && row.mi <= 1);
    assert.equal(row.group, row.dimension < 2 ? "shape" : "unsupervised");
  }
  // Groups in query order, each sorted by KL.
  for (const group of ["shape", "unsupervised"]) {
    const kls = active.filter((r) => r.group === group).map((r) => r.kl);
    assert.deepEqual(
      kls,
      [...kls].sort((a, b) => b - a),
    );
  }
  assert.deepEqual(
    frames.dimensions,
    active.map((r) => r.dimension),
  );
  assert.ok(!frames.dimensions.includes(COLLAPSED));

  // Layout: cells of 48 px (16 px sprites x 3), seed images plus one cell per row, seed, column.
  assert.equal(figure.cellSize, 48);
  assert.match(svg, new RegExp(`^<svg [^>]*width="${figure.width}" height="${figure.height}"`));
  const images = [...svg.matchAll(/<image [^>]*width="(\d+)" height="(\d+)"/g)];
  assert.equal(images.length, seeds + active.length * seeds * columns);
  for (const [, w, h] of images) assert.ok(Number(w) >= 48 && Number(h) >= 48);
  assert.ok(figure.height > active.length * 48);
  // Labels: KL and factor of every row, the query headers, the inactive line; no z3 row.
  for (const row of active) {
    assert.ok(svg.includes(`KL ${row.kl.toFixed(2)} nats`));
    assert.ok(svg.includes(`${row.factor}: MI/H ${row.mi?.toFixed(2)}`));
    assert.ok(svg.includes(`>z${row.dimension}</text>`));
  }
  assert.ok(svg.includes("shape subspace: z0, z1"));
  assert.ok(svg.includes("unsupervised: z2, z3"));
  assert.ok(svg.includes(`z${COLLAPSED} inactive (KL &lt; 0.01 nats)`));
  assert.ok(!svg.includes(`>z${COLLAPSED}</text>`), "the inactive dimension has no row");

  // The top row sweeps: its first and last cells differ, and every cell is the decoder's image
  // of the seed's posterior mean with that dimension replaced.
  const [h, w, c] = frames.imageShape;
  const pixels = h * w * c;
  const top = active[0];
  const cell = (s: number, col: number) =>
    frames.images.subarray(
      (s * columns + col) * pixels,
      ((0 * seeds + s) * columns + col + 1) * pixels,
    );
  let change = 0;
  const [first, last] = [cell(0, 0), cell(0, columns - 1)];
  for (let i = 0; i < pixels; i++) change += Math.abs(first[i] - last[i]) / pixels;
  assert.ok(change > 1e-3, `mean pixel change along z${top.dimension}: ${change}`);
  const x = np.array(run.dataset.readBatch([frames.seeds[0]]), { shape: [1, h, w, c] });
  const model = collapse(run.model, COLLAPSED);
  const { mu, logvar } = model.encode(tree.ref(run.params.encoder), x, "inference");
  logvar.dispose();
  const code = (await mu.data()) as Float32Array;
  const latents = new Float32Array(columns * 4);
  for (let col = 0; col < columns; col++) {
    latents.set(code, col * 4);
    latents[col * 4 + top.dimension] = (top.values as number[][])[0][col];
  }
  const decoded = (await model
    .decodeMean(tree.ref(run.params.decoder), np.array(latents, { shape: [columns, 4] }))
    .data()) as Float32Array;
  for (let col = 0; col < columns; col++) {
    const expected = decoded.subarray(col * pixels, (col + 1) * pixels);
    const got = cell(0, col);
    for (let i = 0; i < pixels; i++) {
      assert.ok(
        Math.abs(Math.min(1, Math.max(0, expected[i])) - got[i]) < 1e-4,
        `cell ${col}, pixel ${i}`,
      );
    }
  }
  // Prior range: ±2 standard deviations of N(0, 1), the same for every seed.
  assert.deepEqual(
    (top.values as number[][])[0].map((v) => Number(v.toFixed(4))),
    [-2, -1, 0, 1, 2],
  );

  // The picture renders at its stated size.
  const png = PNG.sync.read(Buffer.from(rasterizeSvg(svg)));
  assert.equal(png.width, figure.width);
  assert.equal(png.height, figure.height);
  writeBytes(join(dir, "traversal.png"), rasterizeSvg(svg));

  // GIF: 2 * columns - 2 frames (forward, then back without repeating the ends).
  const gif = traversalGif(figure);
  const parsed = gifFrames(gif);
  assert.equal(parsed.frames, 2 * columns - 2);
  assert.ok(parsed.height > (active.length + 1) * 48 && parsed.width > seeds * 48);
});

test("posterior range: each seed's row is centred on its own code, ±3σ", async () => {
  const figure = await traversalFigure(run, {
    range: "posterior",
    seeds: 2,
    columns: 3,
    rows: 100,
  });
  const row = figure.rows.find((r) => r.active);
  assert.ok(row?.values);
  const [a, b] = row.values;
  assert.notDeepEqual(a, b);
  for (const [lo, mid, hi] of row.values) {
    assert.ok(Math.abs(mid - lo - (hi - mid)) < 1e-5 && hi > lo);
  }
  await assert.rejects(
    traversalFigure(run, { range: "sideways" as never }),
    /range "sideways": expected one of prior, posterior, empirical/,
  );
});

test("prior range under each prior: the exact quantiles, or sampled ones for the Student-t", async () => {
  // Phi(2) = 0.977250; its quantile is 2 for N(0, 1), -ln(2(1 - Phi(2))) = 3.09004 for
  // Laplace(0, 1), and 3.30682 for t with 3 degrees of freedom (scipy.stats.t.ppf).
  for (const [name, edge, tolerance] of [
    ["normal", 2, 1e-4],
    ["laplace", 3.09004, 1e-4],
    ["student-t", 3.30682, 0.15],
  ] as const) {
    const model = createVae(run.model.architecture, run.model.likelihood, createPrior(name));
    const figure = await traversalFigure({ ...run, model }, { seeds: 1, columns: 3, rows: 100 });
    const row = figure.rows.find((r) => r.active);
    assert.ok(row?.values, name);
    const [low, , high] = row.values[0];
    assert.ok(Math.abs(high - edge) < tolerance, `${name}: high end ${high}, expected ${edge}`);
    assert.ok(Math.abs(low + edge) < tolerance, `${name}: low end ${low}, expected ${-edge}`);
  }
});

test("the CLI writes the PNG and the GIF and prints the table; errors are clear", async () => {
  const out = join(dir, "cli.png");
  const gif = join(dir, "cli.gif");
  const noCheckpoint = join(dir, "no-checkpoint");
  mkdirSync(noCheckpoint);
  copyFileSync(join(runDir, "config.json"), join(noCheckpoint, "config.json"));
  const [ok, badRange, missing] = await Promise.all([
    runCli([
      "traverse",
      runDir,
      "--seeds",
      "1",
      "--columns",
      "3",
      "--rows",
      "100",
      "--out",
      out,
      "--gif",
      gif,
    ]),
    runCli(["traverse", runDir, "--range", "sideways"]),
    runCli(["traverse", noCheckpoint]),
  ]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.ok(ok.stdout.includes(`wrote ${out}`));
  assert.ok(ok.stdout.includes(`wrote ${gif}`));
  assert.match(ok.stdout, /dim\s+KL \(nats\)\s+status\s+informs most\s+MI\/H/);
  assert.match(
    ok.stdout,
    /z\d\s+\d+\.\d{3}\s+active\s+(shape|scale|orientation|posX|posY)\s+\d\.\d\d/,
  );
  const png = PNG.sync.read(readFileSync(out));
  assert.ok(png.width > 3 * 48 && png.height > 2 * 48);
  assert.equal(gifFrames(readFileSync(gif)).frames, 4);

  assert.equal(badRange.code, 1);
  assert.match(badRange.stderr, /--range "sideways": expected one of prior, posterior, empirical/);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no-checkpoint: no checkpoint yet \(checkpoint.safetensors\)/);
});
