/** Puts the explorer's app on a socket (@hono/node-server). */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { explorerApp } from "./app.ts";
import { pageFolder } from "./page.ts";
import { findRuns } from "./runs.ts";

export interface ExplorerServer {
  url: string;
  close(): Promise<void>;
}

export interface StartOptions {
  runs: string[];
  port: number;
  /** Default 127.0.0.1; another address is reachable by others, and a warning says so. */
  host?: string;
  /** A built page to serve (default: {@link pageFolder}). */
  pageDir?: string;
  log?: (line: string) => void;
}

export async function startExplorer(options: StartOptions): Promise<ExplorerServer> {
  const log = options.log ?? (() => {});
  const runs = findRuns(options.runs);
  const pageDir = options.pageDir ?? pageFolder(log);
  const host = options.host ?? "127.0.0.1";
  if (options.host !== undefined && !["127.0.0.1", "localhost", "::1"].includes(host)) {
    log(
      `warning: listening on ${host}: anyone who can reach this address can read these runs' configs, checkpoints and images (no authentication)`,
    );
  }
  const app = explorerApp({ runs, pageDir });
  const { server, address } = await new Promise<{
    server: ReturnType<typeof serve>;
    address: AddressInfo;
  }>((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port, hostname: host }, (info) =>
      resolve({ server, address: info }),
    );
    server.once("error", reject);
  });
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  log(
    `serving ${runs.length} run${runs.length === 1 ? "" : "s"}: ${runs.map((r) => r.given).join(", ")}`,
  );
  return {
    url: `http://${shownHost}:${address.port}/`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
