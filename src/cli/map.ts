/** `disentangle map`: t-SNE / UMAP maps of a run's subspaces, coloured by factor (PNG). */
import { join } from "node:path";
import type { Command } from "commander";
import type { MapMethod } from "../viz/map-subspace.ts";

/** The embeddings (checked before the engine loads; the same list as viz/map-subspace.ts). */
const MAP_METHOD_NAMES = ["tsne", "umap"] as const satisfies readonly MapMethod[];

function wholeNumber(flag: string, text: string, minimum: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < minimum) {
    throw new Error(`${flag} ${JSON.stringify(text)}: expected a whole number >= ${minimum}`);
  }
  return n;
}

/** "map.png" with several maps -> "map-color.png", "map-shape.png". */
function outPath(runDir: string, out: string | undefined, name: string, several: boolean): string {
  const safe = name.replace(/[^A-Za-z0-9_+.-]/g, "_");
  if (out === undefined) return join(runDir, `map-${safe}.png`);
  if (!several) return out;
  const dot = out.toLowerCase().endsWith(".png") ? out.length - 4 : out.length;
  return `${out.slice(0, dot)}-${safe}.png`;
}

/** Progress on stderr: a bar on a terminal, a line per quarter otherwise. */
function progressReporter(cliProgress: typeof import("cli-progress")) {
  let stage = "";
  let lastQuarter = -1;
  let lastDone = 0;
  let bar: { update(done: number): void; stop(): void } | undefined;
  const labels: Record<string, string> = { encoding: "encoding", tsne: "t-SNE", umap: "UMAP" };
  return {
    update(name: string, done: number, total: number) {
      if (name !== stage || done < lastDone) {
        bar?.stop();
        bar = undefined;
        stage = name;
        lastQuarter = -1;
        if (process.stderr.isTTY) {
          const b = new cliProgress.SingleBar(
            {
              format: `${labels[name] ?? name} [{bar}] {value}/{total} | eta {eta_formatted}`,
              stream: process.stderr,
              hideCursor: true,
            },
            cliProgress.Presets.shades_classic,
          );
          b.start(total, 0);
          bar = { update: (d) => b.update(d), stop: () => b.stop() };
        }
      }
      lastDone = done;
      if (bar) bar.update(done);
      else {
        const quarter = Math.floor((4 * done) / total);
        if (quarter > lastQuarter) {
          lastQuarter = quarter;
          process.stderr.write(`${labels[name] ?? name} ${done}/${total}\n`);
        }
      }
      if (done >= total) {
        bar?.stop();
        bar = undefined;
      }
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}

export function registerMap(program: Command): void {
  program
    .command("map")
    .description(
      "t-SNE/UMAP map of a run's subspaces (triplet-vae: each query's; others: the latent space), one panel per factor, with image thumbnails (PNG)",
    )
    .argument("<run>", "run folder written by `disentangle train`")
    .option("--query <name>", "triplet-vae runs: the query to map (default: every query in turn)")
    .option("--method <name>", `embedding: ${MAP_METHOD_NAMES.join(" or ")}`, "tsne")
    .option("--points <n>", "images embedded (held-out ones when there are enough)", "2000")
    .option("--thumbnails <n>", "images drawn on the map (0: none)", "40")
    .option("--seed <n>", "seed of the sample and the embedding", "0")
    .option(
      "--out <file>",
      "PNG to write (default: RUN/map-<query or latent>.png; with several queries, -<query> is added)",
    )
    .action(
      async (
        runDir: string,
        opts: {
          query?: string;
          method: string;
          points: string;
          thumbnails: string;
          seed: string;
          out?: string;
        },
      ) => {
        const method = opts.method as MapMethod;
        if (!MAP_METHOD_NAMES.includes(method)) {
          throw new Error(
            `--method ${JSON.stringify(opts.method)}: expected ${MAP_METHOD_NAMES.join(" or ")}`,
          );
        }
        const points = wholeNumber("--points", opts.points, 3);
        const thumbnails = wholeNumber("--thumbnails", opts.thumbnails, 0);
        const seed = wholeNumber("--seed", opts.seed, 0);
        const { initEngine } = await import("../engine/device.ts");
        await initEngine();
        const { loadTrainedRun } = await import("../run/load-trained-run.ts");
        const run = await loadTrainedRun(runDir);
        const { describeSample, encodeMapSample, METHOD_NAMES, mapTargets, subspaceMap } =
          await import("../viz/map-subspace.ts");
        const { rasterizeSvg, writeBytes } = await import("../run/rasterize.ts");
        const targets = mapTargets(run, opts.query);
        if (run.dataset.factors.length === 0 || !run.dataset.factorValues) {
          console.log(
            `${run.dataset.name} has no factors: the map is drawn uncoloured, with image thumbnails`,
          );
        }
        const progress = progressReporter((await import("cli-progress")).default);
        const options = {
          method,
          points,
          seed,
          thumbnails,
          onProgress: (stage: string, done: number, total: number) => {
            progress.update(stage, done, total);
          },
        };
        try {
          const sample = await encodeMapSample(run, options);
          for (const target of targets) {
            const started = performance.now();
            const map = await subspaceMap(run, sample, target, options);
            progress.stop();
            const path = outPath(runDir, opts.out, target.name, targets.length > 1);
            writeBytes(path, rasterizeSvg(map.svg, 2));
            const seconds = ((performance.now() - started) / 1000).toFixed(1);
            const kl = map.kl === undefined ? "" : `, KL ${map.kl.toFixed(3)}`;
            console.log(
              `wrote ${path}: ${METHOD_NAMES[method]} map of ${!run.masks ? "the latent space" : `the '${target.name}' subspace`} (dims ${target.dims.join(", ")}), ${describeSample(sample)}${kl}, ${seconds} s`,
            );
          }
        } finally {
          progress.stop();
        }
      },
    );
}
