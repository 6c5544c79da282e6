/**
 * `disentangle report RUN`: writes RUN/report/ (index.html and one PNG per picture), a folder
 * that opens offline in any browser. The metrics come from RUN/eval.json, or the fast ones
 * are computed (and eval.json written) when it is missing. Long steps report progress.
 */

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { isJointFamily } from "../distributions/distribution.ts";

/** Metrics computed for the report when the run has no eval.json: the ones that take seconds. */
export const FAST_METRICS = ["mig-dlib", "sap", "modularity", "decomposition", "triplet"];

export interface ReportCommandOptions {
  out?: string;
  points?: string;
  method?: string;
  progress?: boolean;
}

export interface WrittenReport {
  /** RUN/report/index.html */
  index: string;
  /** The traversal picture beside it. */
  traversal: string;
  metrics: Record<string, { values: Record<string, number | null> }>;
}

export async function runReportCommand(
  runDir: string,
  opts: ReportCommandOptions,
): Promise<WrittenReport> {
  const { initEngine } = await import("../engine/device.ts");
  await initEngine();
  const { loadTrainedRun } = await import("../run/load-trained-run.ts");
  const { applicableRunMetrics, evaluateRun, factorMatrix } = await import(
    "../metrics/evaluate-run.ts"
  );
  const { writeFileAtomic } = await import("../engine/atomic-write.ts");
  const { readLog } = await import("../run/log.ts");
  const { rasterizeSvg, writeBytes } = await import("../run/rasterize.ts");
  const { reportHtml } = await import("../viz/report.ts");
  const { traversalFigure, traversalGif } = await import("../viz/traversal.ts");
  const { trainingCurvesSvg } = await import("../viz/plots/training-curves.ts");
  const { klPerDimensionSvg } = await import("../viz/plots/kl-per-dimension.ts");
  const { latentVsFactorSvg } = await import("../viz/plots/latent-vs-factor.ts");
  const { labelledGridSvg } = await import("../viz/labelled-grid.ts");
  const { sampleImages, reconstructValidationImages } = await import("../viz/samples.ts");
  const { subspaceMaps, METHOD_NAMES } = await import("../viz/map-subspace.ts");
  const { wholeNumber } = await import("./metric-flags.ts");
  type Section = import("../viz/report.ts").ReportSection;
  type FactorMatrix = import("../metrics/arrays.ts").FactorMatrix;

  const say = (line: string) => {
    if (opts.progress !== false) process.stderr.write(`${line}\n`);
  };
  const run = await loadTrainedRun(runDir);
  const outDir = opts.out ?? join(runDir, "report");
  const [h, w, c] = run.dataset.imageShape;
  const sections: Section[] = [];
  const picture = (file: string, svg: string) => {
    writeBytes(join(outDir, file), rasterizeSvg(svg));
    return file;
  };

  // Metrics: eval.json, or the fast ones now.
  const evalPath = join(runDir, "eval.json");
  let metrics: Record<string, { values: Record<string, number | null> }>;
  if (existsSync(evalPath)) {
    metrics = JSON.parse(readFileSync(evalPath, "utf8")).metrics;
    say(`metrics from ${evalPath}`);
  } else {
    say("no eval.json: computing the fast metrics");
    const applicable = new Set<string>(applicableRunMetrics(run));
    const report = await evaluateRun(
      run,
      { metrics: FAST_METRICS.filter((m) => applicable.has(m)) },
      (line) => say(`  ${line}`),
    );
    writeFileAtomic(evalPath, `${JSON.stringify(report, null, 2)}\n`);
    metrics = report.metrics;
  }

  say("latent traversals...");
  const traversal = await traversalFigure(run, {});
  sections.push({
    title: "Latent traversals",
    caption:
      "Each row sweeps one latent dimension (sorted by its KL to the prior) while the others stay at a seed image's code; each block is one seed image. Rows are labelled with the dimension's KL and the factor it informs most. Dimensions with KL below 0.01 nats are folded into one line.",
    pictures: [{ file: picture("traversal.png", traversal.svg), alt: "latent traversals" }],
  });
  writeBytes(join(outDir, "traversal.gif"), traversalGif(traversal));
  sections.push({
    title: "Traversal animation",
    caption:
      "The same sweeps as an animation: each row is an active dimension (in the order above), each column a seed image (the top row), each frame one step of the sweep, forward and back.",
    pictures: [{ file: "traversal.gif", alt: "animated latent traversals" }],
  });

  say("reconstructions and samples...");
  const recon = await reconstructValidationImages(run, 16);
  const reconRows = recon.tiles / recon.columns;
  sections.push({
    title: "Reconstructions",
    caption:
      "Held-out images (odd rows) above their reconstructions from the posterior mean (even rows).",
    pictures: [
      {
        file: picture(
          "reconstructions.png",
          labelledGridSvg(recon.grid, [recon.tiles, h, w, c], recon.columns, {
            rowHeaders: Array.from({ length: reconRows }, (_, r) =>
              r % 2 === 0 ? "input" : "reconstruction",
            ),
            separators: {
              afterRow: Array.from({ length: reconRows / 2 - 1 }, (_, r) => 2 * r + 1),
            },
          }),
        ),
        alt: "reconstructions",
      },
    ],
  });
  const samples = await sampleImages(run.model, run.params, 32, 0);
  sections.push({
    title: "Samples from the prior",
    caption: `Images decoded from z drawn from the model's ${run.model.prior.name} prior.`,
    pictures: [
      {
        file: picture("samples.png", labelledGridSvg(samples, [32, h, w, c], 8, {})),
        alt: "samples from the prior",
      },
    ],
  });

  const decomposition = metrics.decomposition as
    | { values: Record<string, number | null>; details?: { klPerDim?: number[] } }
    | undefined;
  const klPerDim =
    decomposition?.details?.klPerDim ??
    traversal.rows
      .slice()
      .sort((a, b) => a.dimension - b.dimension)
      .map((r) => r.kl);
  sections.push({
    title: "KL per dimension",
    caption: `Mean KL(q(z_j|x) || p(z_j)) of each latent dimension over the data; the dashed line is the 0.01-nat threshold below which a dimension counts as inactive.${isJointFamily(run.model.prior.family) ? ` The ${run.model.prior.name} prior does not factorise: p(z_j) is its marginal in dimension j, which a Gaussian posterior cannot match exactly, so unused dimensions keep a little KL and these do not sum to the KL.` : ""}`,
    pictures: [
      {
        file: picture("kl-per-dimension.png", await klPerDimensionSvg(klPerDim)),
        alt: "KL per dimension",
      },
    ],
  });

  const log = readLog(join(runDir, "log.jsonl"));
  if (log.length > 0) {
    sections.push({
      title: "Training curves",
      caption:
        "Every logged term against the step (log scale where a term spans more than two decades).",
      pictures: [
        {
          file: picture("training-curves.png", await trainingCurvesSvg(log)),
          alt: "training curves",
        },
      ],
    });
  }

  const factors = run.dataset.factors;
  if (factors.length > 0 && run.dataset.factorIndices !== undefined) {
    say("latent vs factor...");
    const { encodeDataset } = await import("../run/encode-dataset.ts");
    const { migDlib } = await import("../metrics/mig.ts");
    const { permutation, Rng } = await import("../data/random.ts");
    const rows = permutation(run.dataset.count, new Rng(0, 0x5e7)).slice(
      0,
      Math.min(5000, run.dataset.count),
    );
    const posteriors = await encodeDataset(run.model, run.params.encoder, run.dataset, rows);
    const codes = { data: posteriors.mu, count: posteriors.count, dims: posteriors.latentDim };
    const factorRows = factorMatrix(run.dataset, rows) as FactorMatrix;
    const mig = migDlib(codes, factorRows, {});
    // The plot's x axes show each factor's values (scale 0.5-1, orientation in radians).
    const factorValues = factorMatrix(run.dataset, rows, "factorValues") as FactorMatrix;
    sections.push({
      title: "Latent vs factor",
      caption:
        "Chen et al. 2018's figure: for each factor, the mean code of the dimensions that carry most information about it, against the factor's value.",
      pictures: [
        {
          file: picture(
            "latent-vs-factor.png",
            await latentVsFactorSvg(
              codes,
              factorValues,
              factors.map((f) => f.name),
              { mutualInformation: mig, valueLabels: factors.map((f) => f.labels) },
            ),
          ),
          alt: "latent vs factor",
        },
      ],
    });
  }

  if (run.masks) {
    say("image arithmetic...");
    const { heldOutOrder } = await import("../run/build.ts");
    const { subspaceSwapFigure, swapFigureSvg } = await import("../viz/subspace-swap-figure.ts");
    const order = heldOutOrder(run.config, run.dataset);
    const [a, b] = [order.slice(0, 4), order.slice(4, 10)];
    for (const query of run.masks.names) {
      const figure = await subspaceSwapFigure(run, query, a, b);
      const file = `arithmetic-${query.replace(/[^a-z0-9]+/gi, "_")}.png`;
      sections.push({
        title: `Image arithmetic: ${query}`,
        caption: `Each cell decodes the base image B (top row) with its ${query} subspace taken from the source image A (left column) (Karaletsos et al. 2016, Sec. 5): B's other notions of similarity, A's ${query}.`,
        pictures: [
          {
            file: picture(file, swapFigureSvg(figure, query, a, b, run.dataset.imageShape)),
            alt: `image arithmetic on ${query}`,
          },
        ],
      });
    }
  }

  const method = (opts.method ?? "tsne") as "tsne" | "umap";
  const points = wholeNumber("--points", opts.points, 10) ?? 1000;
  say(`subspace maps (${METHOD_NAMES[method]}, ${points} points)...`);
  let lastLine = "";
  const maps = await subspaceMaps(run, {
    method,
    points,
    onProgress: (stage, done, total) => {
      const line = `  ${stage} ${Math.floor((100 * done) / total)}%`;
      if (line !== lastLine && (done === total || done % Math.max(1, Math.floor(total / 4)) === 0))
        say(line);
      lastLine = line;
    },
  });
  for (const map of maps) {
    sections.push({
      title: map.name === "latent" ? "Map of the latent space" : `Map of the ${map.name} subspace`,
      caption: `${METHOD_NAMES[map.method]} embedding of the posterior means of ${map.indices.length} images (dimensions ${map.dims.map((d) => `z${d}`).join(", ")}), one panel per factor, coloured by it, with image thumbnails at a sample of points.`,
      pictures: [{ file: picture(`map-${map.name}.png`, map.svg), alt: `map of ${map.name}` }],
    });
  }

  const subtitle = `${run.config.model} on ${run.dataset.name}, step ${run.step}, z ${run.config.z}, prior ${run.config.prior}`;
  const html = reportHtml({
    title: `Report: ${runDir}`,
    subtitle,
    config: run.config as unknown as Record<string, unknown>,
    metrics,
    sections,
  });
  const index = join(outDir, "index.html");
  writeBytes(index, html);
  return { index, traversal: join(outDir, "traversal.png"), metrics };
}

export function registerReport(program: Command): void {
  program
    .command("report")
    .description("write RUN/report/index.html: metrics, traversals, maps, curves and grids")
    .argument("<run>", "run folder written by `disentangle train`")
    .option("--out <dir>", "report folder (default RUN/report)")
    .option("--method <name>", "subspace maps: tsne | umap (default tsne)")
    .option("--points <n>", "subspace maps: images embedded (default 1000)")
    .option("--no-progress", "no progress lines")
    .action(async (runDir: string, opts: ReportCommandOptions) => {
      const { index } = await runReportCommand(runDir, opts);
      console.log(`wrote ${index} (open it in a browser; the folder works offline)`);
    });
}
