/**
 * Where the explorer's built page is. An installed package ships it in `dist/web/` (built by
 * `npm run build`). In a checkout, running from the sources, it is built by vite into
 * `node_modules/.cache/disentangle/web/` on first use and again whenever a file under `src/`,
 * the vite config or the installed `@jax-js/jax` (its patch re-applied, say) changed since (no
 * network: vite and the sources are local). `DISENTANGLE_WEB_DIR` names a
 * folder holding a built page to use instead.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const fromSources = import.meta.url.endsWith(".ts");
const root = join(here, "../..");

/** The newest modification time under `dir` (ms). */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Builds the page from `src/web` into `outDir` with the checkout's vite. */
export function buildPage(outDir: string, log: (line: string) => void = () => {}): void {
  const vite = join(root, "node_modules/vite/bin/vite.js");
  if (!existsSync(vite)) {
    throw new Error(
      `cannot build the explorer page: ${vite} is missing (run npm install in ${root})`,
    );
  }
  log(`building the explorer page with vite into ${outDir} ...`);
  const started = performance.now();
  execFileSync(
    process.execPath,
    [
      vite,
      "build",
      "--config",
      join(root, "tools/web/vite.config.ts"),
      "--outDir",
      outDir,
      "--emptyOutDir",
      "--logLevel",
      "warn",
    ],
    { cwd: root, stdio: ["ignore", "inherit", "inherit"] },
  );
  log(`built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * The folder of the built page, building it first when running from a checkout's sources and
 * it is missing or stale (see the module comment). `log` hears what happens.
 */
export function pageFolder(log: (line: string) => void = () => {}): string {
  const override = process.env.DISENTANGLE_WEB_DIR;
  if (override) {
    if (!existsSync(join(override, "index.html"))) {
      throw new Error(
        `DISENTANGLE_WEB_DIR=${override} holds no index.html (a built explorer page)`,
      );
    }
    return override;
  }
  if (!fromSources) {
    const shipped = join(here, "../web");
    if (!existsSync(join(shipped, "index.html"))) {
      throw new Error(
        `the explorer page is missing from ${shipped}: the package ships it prebuilt (reinstall disentangle, or run npm run build in a checkout)`,
      );
    }
    return shipped;
  }
  const out = join(root, "node_modules/.cache/disentangle/web");
  const stampFile = join(out, ".source-mtime");
  const config = join(root, "tools/web/vite.config.ts");
  const jax = join(root, "node_modules/@jax-js/jax/dist");
  // One stamp per input, so that an input going back in time (a copy of an older build of
  // jax-js put in place) also rebuilds the page.
  const sources = [
    newestMtime(join(root, "src")),
    statSync(config).mtimeMs,
    existsSync(jax) ? newestMtime(jax) : 0,
  ].join(" ");
  const built =
    existsSync(join(out, "index.html")) && existsSync(stampFile)
      ? readFileSync(stampFile, "utf8")
      : undefined;
  if (built !== sources) {
    buildPage(out, log);
    writeFileSync(stampFile, sources);
  }
  return out;
}
