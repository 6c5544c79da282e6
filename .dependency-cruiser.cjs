/**
 * Layer rules for src/, checked by `npm run lint` (docs/architecture.md describes the layers).
 * Run: npx depcruise src --config .dependency-cruiser.cjs
 */

/** Files that must run in a browser and in sweep workers: file and process access stays in src/run and src/data. */
const PLATFORM_FREE = [
  "^src/(nn|distributions|objectives|metrics|viz|train)/",
  "^src/run/(config|build|encode-dataset|held-out-triplets|run-files|held-out-bytes)[.]ts$",
  "^src/web/",
  "^src/run/config-errors[.]ts$",
  "^src/study/(schema|expand|aggregate|rank-correlation|headline-values)[.]ts$",
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "metrics-not-train",
      comment: "Metrics score a trained model's codes; they must not depend on how it was trained.",
      severity: "error",
      from: { path: "^src/metrics/" },
      to: { path: "^src/train/" },
    },
    {
      name: "train-not-metrics",
      comment: "Training must not pull in evaluation code (triplet accuracy lives in objectives).",
      severity: "error",
      from: { path: "^src/train/" },
      to: { path: "^src/metrics/" },
    },
    {
      name: "viz-not-train",
      comment: "Figures are drawn from a trained model and data, not from the training machinery.",
      severity: "error",
      from: { path: "^src/viz/" },
      to: { path: "^src/train/" },
    },
    {
      name: "platform-free-no-node-builtins",
      comment: "Browser and sweep-worker code: files and processes belong in src/run, src/data.",
      severity: "error",
      from: { path: PLATFORM_FREE },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "study-on-top",
      comment:
        "Studies drive training, metrics and plots; only the CLI and the study entry (src/study.ts) may depend on them.",
      severity: "error",
      from: { path: "^src/", pathNot: ["^src/(study|cli)/", "^src/study[.]ts$"] },
      to: { path: "^src/study/" },
    },
    {
      name: "server-on-top",
      comment:
        "The explorer's server (src/server) is driven by the CLI only; nothing below it serves pages.",
      severity: "error",
      from: { path: "^src/", pathNot: ["^src/(server|cli)/"] },
      to: { path: "^src/server/" },
    },
    {
      name: "no-circular",
      comment: "Cycles make load order fragile and layers inseparable; move the shared part down.",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "src-not-dev-folders",
      comment: "The package ships src/ alone: it must not import tests, tools or benchmarks.",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^(test|tools|bench)/" },
    },
    {
      name: "no-unresolvable",
      comment: "An import depcruise cannot resolve would escape every rule above.",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Cruise src only; packages are leaves.
    doNotFollow: { path: "node_modules" },
    // Keep type-only imports (`import type`) in the graph: they are dependencies between layers too.
    tsPreCompilationDeps: true,
    // Resolve through tsconfig.json (NodeNext, allowImportingTsExtensions: imports name `.ts` files).
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".d.ts"],
      mainFields: ["module", "main", "types", "typings"],
    },
    skipAnalysisNotInRules: true,
  },
};
