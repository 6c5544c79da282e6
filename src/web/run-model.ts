/**
 * A run opened in the page: its config and checkpoint fetched and read by the same code Node
 * uses (src/run/run-files.ts, trained-run.ts), its held-out images encoded in the page, the
 * statistics the views need (KL per dimension, the factor each dimension informs most, query
 * subspaces), and a jitted decoder. No server computes anything here but the held-out images.
 */
import { type Array as JaxArray, jit, numpy as np, tree } from "../engine/jax.ts";
import { INACTIVE_KL, meanKlPerDimension } from "../metrics/elbo-decomposition.ts";
import type { DecoderParams, EncoderParams } from "../nn/architecture.ts";
import type { TrainConfig } from "../run/config.ts";
import { type HeldOutSet, heldOutFromBytes } from "../run/held-out-bytes.ts";
import { checkpointFromBytes, logRowsFromText, runConfigFromText } from "../run/run-files.ts";
import { type TrainedRun, trainedRunFromCheckpoint } from "../run/trained-run.ts";
import type { LogRow } from "../train/loop.ts";
import type { TaskParams } from "../train/task.ts";
import { type DimensionGroup, groupsOf, informedFactors } from "../viz/traversal.ts";
import { type PriorRange, priorDraw, priorRange } from "./prior.ts";

/** The viewer sweeps each dimension over the prior's mass of ±3 standard deviations of a normal. */
const VIEW_RADIUS = 3;

/** What the run list shows of a run (src/server/runs.ts's RunSummary). */
export interface RunSummary {
  id: string;
  path: string;
  model?: string;
  data?: string;
  z?: number;
  step?: number;
  steps?: number;
  hasCheckpoint: boolean;
  metrics: Record<string, number>;
  problem?: string;
}

/** GETs `url` (relative to the page) or throws an error saying what the server said. */
async function fetchOk(url: string): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) {
    let detail = response.statusText;
    try {
      detail = ((await response.json()) as { error?: string }).error ?? detail;
    } catch {
      // Not JSON: keep the status text.
    }
    throw new Error(`${url}: ${response.status} ${detail}`);
  }
  return response;
}

export async function listRuns(): Promise<RunSummary[]> {
  return ((await (await fetchOk("api/runs.json")).json()) as { runs: RunSummary[] }).runs;
}

/** A decoder jitted once per batch size: codes [n, d] in, images [n, H, W, C] in [0, 1] out. */
export class Decoder {
  readonly #fn = jit((params: DecoderParams, z: JaxArray) =>
    np.clip(this.run.model.decodeMean(params, z), 0, 1),
  );
  constructor(readonly run: TrainedRun) {}

  /** Decodes `n` codes (row-major [n, d]); borrows the run's parameters. */
  async decode(codes: Float32Array, n: number): Promise<Float32Array> {
    const d = this.run.config.z;
    const z = np.array(codes, { shape: [n, d] });
    const images = await this.#fn(tree.ref(this.run.params.decoder), z).data();
    return images as Float32Array;
  }

  dispose(): void {
    this.#fn.dispose();
  }
}

/** Posterior means and log-variances of `images` ([n, H, W, C] floats); borrows the encoder. */
export async function encodeImages(
  run: TrainedRun,
  images: Float32Array,
  n: number,
): Promise<{ mu: Float32Array; logvar: Float32Array }> {
  const [h, w, c] = run.dataset.imageShape;
  const encode = jit((params: EncoderParams, x: JaxArray) => {
    const { mu, logvar } = run.model.encode(params, x, "inference");
    return { mu, logvar };
  });
  try {
    const out = encode(tree.ref(run.params.encoder), np.array(images, { shape: [n, h, w, c] }));
    const [mu, logvar] = await Promise.all([out.mu.data(), out.logvar.data()]);
    return { mu: mu as Float32Array, logvar: logvar as Float32Array };
  } finally {
    encode.dispose();
  }
}

export interface OpenRun {
  summary: RunSummary;
  config: TrainConfig;
  run: TrainedRun;
  heldOut: HeldOutSet;
  /** The held-out images, [n, H, W, C] floats (image i at offset i * H * W * C). */
  images: Float32Array;
  /** [n, d] posterior means and log-variances of the held-out images. */
  mu: Float32Array;
  logvar: Float32Array;
  /** Mean KL(q(z_j|x) || p(z_j)) over the held-out images, nats. */
  kl: number[];
  active: boolean[];
  /** Per dimension: the factor it informs most (MI / H), when the dataset has factors. */
  informed?: { factor: string; mi: number }[];
  /** Query subspaces (triplet runs), else one group of every dimension. */
  groups: DimensionGroup[];
  /** The range the sliders and the traversal strip sweep: the prior's central ±3σ mass. */
  range: PriorRange;
  log: LogRow[];
  decoder: Decoder;
  /** Seconds the checkpoint, the images and the encoding took. */
  loadSeconds: number;
}

/** Fetches, reads and encodes run `summary.id`; `progress` hears each stage. */
export async function openRun(
  summary: RunSummary,
  progress: (stage: string) => void = () => {},
): Promise<OpenRun> {
  const started = performance.now();
  const base = `api/runs/${encodeURIComponent(summary.id)}/`;
  progress("reading config.json");
  const configText = await (await fetchOk(`${base}config.json`)).text();
  const config = runConfigFromText(configText, `${summary.path}/config.json`);
  progress("fetching the checkpoint");
  const [checkpointBuffer, heldOutBuffer, logText] = await Promise.all([
    fetchOk(`${base}checkpoint.safetensors`).then((r) => r.arrayBuffer()),
    fetchOk(`${base}held-out.safetensors`).then((r) => r.arrayBuffer()),
    fetch(`${base}log.jsonl`).then((r) => (r.ok ? r.text() : "")),
  ]);
  const heldOut = heldOutFromBytes(new Uint8Array(heldOutBuffer), `${summary.id} held-out images`);
  const checkpoint = checkpointFromBytes<TaskParams>(
    new Uint8Array(checkpointBuffer),
    `${summary.path}/checkpoint.safetensors`,
  );
  const run = await trainedRunFromCheckpoint(summary.path, config, heldOut.dataset, checkpoint);
  progress(`encoding ${heldOut.dataset.count} held-out images`);
  const n = heldOut.dataset.count;
  const all = heldOut.dataset.readBatch(Int32Array.from({ length: n }, (_, i) => i));
  const { mu, logvar } = await encodeImages(run, all, n);
  const d = config.z;
  const { klPerDim } = await meanKlPerDimension(
    { count: n, latentDim: d, mu, logvar },
    run.model.trainedPrior(run.params),
  );
  const rows = Int32Array.from({ length: n }, (_, i) => i);
  const informed =
    heldOut.dataset.factors.length > 0 ? informedFactors(heldOut.dataset, rows, mu, d) : undefined;
  return {
    summary,
    config,
    run,
    heldOut,
    images: all,
    mu,
    logvar,
    kl: klPerDim,
    active: klPerDim.map((kl) => kl >= INACTIVE_KL),
    informed,
    groups: groupsOf(run, d),
    range: await priorRange(run.model, run.params, VIEW_RADIUS),
    log: logText ? logRowsFromText(logText, `${summary.path}/log.jsonl`) : [],
    decoder: new Decoder(run),
    loadSeconds: (performance.now() - started) / 1000,
  };
}

/** A draw from the run's prior p(z) (seeded). */
export async function priorSample(open: OpenRun, seed: number): Promise<Float32Array> {
  return priorDraw(open.run.model, open.run.params, seed);
}

/** Row i of a row-major [n, d] matrix, copied. */
export function row(matrix: Float32Array, i: number, d: number): Float32Array {
  return matrix.slice(i * d, (i + 1) * d);
}

/** Copies an image of `shape` (HWC floats in [0, 1]) onto `canvas` at its native size. */
export function drawImage(
  canvas: HTMLCanvasElement,
  pixels: Float32Array,
  [h, w, c]: readonly [number, number, number],
  offset = 0,
): void {
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  const context = canvas.getContext("2d");
  if (!context) return;
  const image = context.createImageData(w, h);
  for (let p = 0; p < h * w; p++) {
    for (let k = 0; k < 3; k++) {
      const v = pixels[offset + p * c + (c === 1 ? 0 : k)];
      image.data[p * 4 + k] = Math.round(255 * Math.min(1, Math.max(0, v)));
    }
    image.data[p * 4 + 3] = 255;
  }
  context.putImageData(image, 0, 0);
}
