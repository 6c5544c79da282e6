/**
 * The explorer's HTTP routes (hono): the run list, each run's files and held-out images, and
 * the built page. It serves only the run folders it was given and the page's folder; every
 * path goes through `safe-path.ts` (decoded segments, no `..`, no hidden files, realpath kept
 * inside the folder). Unknown routes are 404, bad parameters 400 with a message, and files are
 * streamed from disk, never read whole into a string.
 *
 *   GET /api/runs.json                          {"runs": RunSummary[]}
 *   GET /api/runs/:id/config.json               the run's files, streamed
 *   GET /api/runs/:id/checkpoint.safetensors
 *   GET /api/runs/:id/log.jsonl
 *   GET /api/runs/:id/eval.json
 *   GET /api/runs/:id/held-out.safetensors?count=N   N held-out images (default 256, 1..2000)
 *   GET /*                                      the page (index.html for /)
 */
import { createReadStream, statSync } from "node:fs";
import { extname } from "node:path";
import { Readable } from "node:stream";
import { type Context, Hono } from "hono";
import { readRunConfig } from "../run/checkpoint.ts";
import {
  HELD_OUT_DEFAULT,
  HELD_OUT_MAX,
  heldOutBytes,
  type RunEntry,
  summariseRun,
} from "./runs.ts";
import { checkedSegments, PathRefused, resolveInside } from "./safe-path.ts";

/** The run files a page may fetch. */
export const RUN_FILES = [
  "config.json",
  "checkpoint.safetensors",
  "log.jsonl",
  "eval.json",
] as const;
export const HELD_OUT_FILE = "held-out.safetensors";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".jsonl": "application/jsonl; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".safetensors": "application/octet-stream",
};

export interface ExplorerOptions {
  runs: RunEntry[];
  /** The built page's folder (index.html and its assets). */
  pageDir: string;
}

function refusal(c: Context, error: unknown): Response {
  if (error instanceof PathRefused) return c.json({ error: error.message }, error.status);
  throw error;
}

/** Streams the regular file `path` (already checked) with its content type and length. */
function streamFile(c: Context, path: string): Response {
  const { size } = statSync(path);
  const headers = {
    "content-type": CONTENT_TYPES[extname(path)] ?? "application/octet-stream",
    "content-length": String(size),
    "x-content-type-options": "nosniff",
    "cache-control": "no-cache",
  };
  if (c.req.method === "HEAD") return c.body(null, 200, headers);
  const body = Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>;
  return c.body(body, 200, headers);
}

/**
 * The raw request target as the client sent it (before URL normalisation turned `a/../b`
 * into `b`): a `..` or `.` segment, even percent-encoded, is refused rather than resolved.
 */
function rawTargetProblem(c: Context): PathRefused | undefined {
  const raw = (c.env as { incoming?: { url?: string } } | undefined)?.incoming?.url;
  if (raw === undefined) return undefined;
  if (!raw.startsWith("/"))
    return new PathRefused("absolute-form request targets are not served", 400);
  const path = raw.split("?")[0];
  for (const segment of path.split("/")) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return new PathRefused(
        `path segment ${JSON.stringify(segment)} is not valid percent-encoding`,
        400,
      );
    }
    if (decoded === "." || decoded === ".." || /[\\\0]/.test(decoded) || decoded.includes("/")) {
      return new PathRefused(`path segment ${JSON.stringify(segment)} is not allowed`, 400);
    }
  }
  return undefined;
}

/** The explorer's app; `createExplorerServer` (serve.ts) puts it on a socket. */
export function explorerApp({ runs, pageDir }: ExplorerOptions): Hono {
  const app = new Hono();
  const byId = new Map(runs.map((run) => [run.id, run]));
  const heldOutCache = new Map<string, Promise<Uint8Array>>();

  app.use("*", async (c, next) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      return c.json(
        { error: `method ${c.req.method} is not allowed (the explorer is read-only)` },
        405,
      );
    }
    const problem = rawTargetProblem(c);
    if (problem) return refusal(c, problem);
    await next();
  });

  app.get("/api/runs.json", (c) => {
    c.header("cache-control", "no-cache");
    return c.json({ runs: runs.map(summariseRun) });
  });

  app.get("/api/runs/:id/:file", async (c) => {
    const id = c.req.param("id");
    const file = c.req.param("file");
    const run = byId.get(id);
    if (run === undefined) {
      return c.json(
        { error: `no run ${JSON.stringify(id)} (runs: ${[...byId.keys()].join(", ") || "none"})` },
        404,
      );
    }
    try {
      if (file === HELD_OUT_FILE) {
        const countText = c.req.query("count");
        const count = countText === undefined ? HELD_OUT_DEFAULT : Number(countText);
        if (!Number.isInteger(count) || count < 1 || count > HELD_OUT_MAX) {
          return c.json(
            {
              error: `count ${JSON.stringify(countText)}: expected a whole number from 1 to ${HELD_OUT_MAX}`,
            },
            400,
          );
        }
        for (const key of Object.keys(c.req.queries())) {
          if (key !== "count")
            return c.json(
              { error: `unknown parameter ${JSON.stringify(key)} (known: count)` },
              400,
            );
        }
        const key = `${id}\0${count}`;
        let bytes = heldOutCache.get(key);
        if (bytes === undefined) {
          bytes = heldOutBytes(readRunConfig(run.dir), count);
          heldOutCache.set(key, bytes);
          bytes.catch(() => heldOutCache.delete(key));
        }
        const body = await bytes;
        return c.body(body as Uint8Array<ArrayBuffer>, 200, {
          "content-type": "application/octet-stream",
          "cache-control": "no-cache",
        });
      }
      if (!(RUN_FILES as readonly string[]).includes(file)) {
        return c.json(
          {
            error: `no file ${JSON.stringify(file)} (a run serves ${[...RUN_FILES, HELD_OUT_FILE].join(", ")})`,
          },
          404,
        );
      }
      return streamFile(c, resolveInside(run.dir, file));
    } catch (error) {
      if (error instanceof PathRefused) return refusal(c, error);
      return c.json({ error: error instanceof Error ? error.message : String(error) }, 500);
    }
  });

  app.all("/api/*", (c) => c.json({ error: `no route ${c.req.path}` }, 404));

  app.get("*", (c) => {
    const rawPath = new URL(c.req.url).pathname.slice(1);
    try {
      if (rawPath !== "") checkedSegments(rawPath);
      return streamFile(c, resolveInside(pageDir, rawPath === "" ? "index.html" : rawPath));
    } catch (error) {
      return refusal(c, error);
    }
  });
  return app;
}
