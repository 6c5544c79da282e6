/** Builds dist/ and packs the package into a tarball, as `npm publish` would (shared by the package lint and the end-to-end test). */
import { execFileSync } from "node:child_process";
import { join } from "node:path";

/** The repository root. */
export const PACKAGE_ROOT = join(import.meta.dirname, "../..");

/** What `npm pack --json` says of one tarball. */
export interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: { path: string; size: number }[];
  bundled: string[];
}

/**
 * Runs `npm run build` (what prepack does), then `npm pack` into `destination` without
 * lifecycle scripts, so that their output stays out of npm's JSON answer. Returns the
 * tarball's path and npm's description of it.
 */
export function packPackage(destination: string): { tarball: string; pack: PackResult } {
  execFileSync("npm", ["run", "--silent", "build"], { cwd: PACKAGE_ROOT, stdio: ["ignore", 2, 2] });
  const [pack] = JSON.parse(
    execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", destination], {
      cwd: PACKAGE_ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    }),
  ) as PackResult[];
  return { tarball: join(destination, pack.filename), pack };
}
