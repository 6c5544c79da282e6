/**
 * The package as a user gets it: `npm pack` (after the build prepack runs), installed from the
 * tarball into a fresh project in a temporary folder, and used there as a user would: plain
 * Node ESM (10 training steps through the Node entry, on native and on Wasm), the `disentangle`
 * command (`--version`, a 20-step `train`), a TypeScript file type-checked against the shipped
 * declarations, and a vite page that imports the browser entry and decodes one image in
 * headless Chromium, pixel for pixel like Node. One tarball serves every check.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { PACKAGE_ROOT, packPackage } from "../../tools/package/pack.ts";
import { withPage } from "../helpers/browser.ts";
import { serveFolder } from "../helpers/static-server.ts";

const FIXTURES = join(import.meta.dirname, "consumer");
const TOOLS = join(PACKAGE_ROOT, "node_modules");
const version = JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")).version;

/** The tarball is the same whatever device the suite runs on: it is checked in the default pass only, on both devices. */
const skip =
  process.env.DISENTANGLE_DEVICE === "wasm" ? "checked once, in the default (native) pass" : false;

describe("the packed package in a fresh project", { skip, timeout: 600_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), "disentangle-consumer-"));
  const project = join(work, "project");
  /**
   * Runs a command in the consumer project; the environment is the user's, without the suite's
   * device. A failure's message carries the command's output.
   */
  const run = (command: string, args: string[]) => {
    const { DISENTANGLE_DEVICE: _suiteDevice, ...userEnv } = process.env;
    const env = { ...userEnv, DISENTANGLE_THREADS: "1" };
    try {
      return execFileSync(command, args, {
        cwd: project,
        env,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(`${command} ${args.join(" ")} failed:\n${stdout ?? ""}${stderr ?? ""}`);
    }
  };

  before(() => {
    const { tarball, pack } = packPackage(work);
    console.log(`packed ${pack.filename}: ${pack.size} bytes, ${pack.entryCount} files`);
    cpSync(FIXTURES, project, { recursive: true });
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "consumer", private: true, type: "module" }),
    );
    run("npm", [
      "install",
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      tarball,
    ]);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test("plain Node ESM imports it and trains 10 steps, on native and on Wasm alike; the study entry loads", () => {
    const native = JSON.parse(run("node", ["train.mjs", "native"]));
    const wasm = JSON.parse(run("node", ["train.mjs", "wasm"]));
    assert.equal(native.device, "native");
    assert.equal(wasm.device, "wasm");
    for (const result of [native, wasm]) {
      assert.equal(result.step, 10);
      assert.equal(result.rows, 2);
      assert.equal(result.rho, 0.5);
      assert.ok(Number.isFinite(result.loss) && result.loss > 0, `loss ${result.loss}`);
    }
    assert.ok(
      Math.abs(native.loss - wasm.loss) < 1e-3 * wasm.loss,
      `native ${native.loss} vs wasm ${wasm.loss}`,
    );
  });

  test("npx disentangle --version prints the package's version; train runs 20 steps", () => {
    assert.equal(run("npx", ["disentangle", "--version"]).trim(), version);
    writeFileSync(
      join(project, "run.json"),
      JSON.stringify({ dataOptions: { size: 16, positions: 4, scales: 2, orientations: 4 } }),
    );
    run("npx", [
      "disentangle",
      "train",
      "--config",
      "run.json",
      "--model",
      "vae",
      "--steps",
      "20",
      "--z",
      "4",
      "--batch",
      "16",
      "--out",
      "runs/cli",
    ]);
    assert.ok(existsSync(join(project, "runs/cli/checkpoint.safetensors")));
    const rows = readFileSync(join(project, "runs/cli/log.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    assert.equal(rows.at(-1).step, 20);
  });

  test("a TypeScript consumer type-checks against the shipped declarations", () => {
    // skipLibCheck off: the package's own .d.ts files are checked too. No @types/node: the
    // declarations must not need Node's types.
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          lib: ["ESNext", "DOM"],
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: [],
        },
        files: ["consumer.ts", "webgpu-types.d.ts"],
      }),
    );
    run("node", [join(TOOLS, "typescript/bin/tsc"), "-p", "."]);
  });

  test("a vite page imports the browser entry and decodes an image in Chromium as Node does", async () => {
    const built = join(work, "web-dist");
    run("node", [
      join(TOOLS, "vite/bin/vite.js"),
      "build",
      "web",
      "--outDir",
      built,
      "--emptyOutDir",
      "--logLevel",
      "warn",
    ]);
    const fromNode: number[] = JSON.parse(run("node", ["decode.mjs", "wasm"]));
    const server = await serveFolder(built);
    try {
      await withPage(server.url, async (page, problems) => {
        await page.waitForFunction(() => "decoded" in window, undefined, { timeout: 60_000 });
        const decoded = await page.evaluate(
          () => (window as unknown as { decoded: { device: string; pixels: number[] } }).decoded,
        );
        assert.equal(decoded.device, "wasm");
        assert.equal(decoded.pixels.length, fromNode.length);
        const worst = Math.max(...decoded.pixels.map((value, i) => Math.abs(value - fromNode[i])));
        assert.ok(worst < 1e-6, `page and Node differ by up to ${worst}`);
        const drawn = await page.evaluate(() => {
          const canvas = document.querySelector("canvas") as HTMLCanvasElement;
          const data =
            canvas.getContext("2d")?.getImageData(0, 0, canvas.width, canvas.height).data ?? [];
          return new Set(Array.from(data).filter((_, i) => i % 4 === 0)).size;
        });
        assert.ok(drawn > 1, "the canvas shows an image, not one flat grey");
        assert.deepEqual(problems, { consoleErrors: [], failedRequests: [] });
      });
    } finally {
      await server.close();
    }
  });
});
