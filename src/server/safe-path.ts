/**
 * Resolving a request's path inside a folder the server was given, and nothing else: every
 * segment is percent-decoded once and then refused if it is empty, `.` or `..`, hidden (starts
 * with a dot), or holds a slash, a backslash or a NUL (an encoded separator); the joined path
 * must stay under the folder both as written and after symlinks are resolved (realpath), so a
 * link that points out of the folder is refused too.
 */
import { realpathSync, statSync } from "node:fs";
import { isAbsolute, join, relative, sep } from "node:path";

/** Why a path was refused, with the HTTP status it maps to (400 bad request, 403, 404). */
export class PathRefused extends Error {
  override name = "PathRefused";
  constructor(
    message: string,
    readonly status: 400 | 403 | 404,
  ) {
    super(message);
  }
}

/** The decoded, checked segments of a raw (still percent-encoded) relative URL path. */
export function checkedSegments(rawPath: string): string[] {
  if (rawPath === "") throw new PathRefused("empty path", 404);
  return rawPath.split("/").map((raw) => {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      throw new PathRefused(
        `path segment ${JSON.stringify(raw)} is not valid percent-encoding`,
        400,
      );
    }
    if (segment === "" || segment === "." || segment === "..") {
      throw new PathRefused(`path segment ${JSON.stringify(raw)} is not allowed`, 400);
    }
    if (/[/\\\0]/.test(segment) || isAbsolute(segment) || /^[A-Za-z]:/.test(segment)) {
      throw new PathRefused(`path segment ${JSON.stringify(raw)} holds a separator`, 400);
    }
    if (segment.startsWith(".")) throw new PathRefused("hidden files are not served", 403);
    return segment;
  });
}

/** True when `child` is `parent` or lies inside it (both absolute, resolved). */
function inside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

/**
 * The real path of the regular file `rawPath` (relative, percent-encoded) under `root`, or a
 * {@link PathRefused}. `root` must exist; it is resolved to its real path first.
 */
export function resolveInside(root: string, rawPath: string): string {
  const realRoot = realpathSync(root);
  const segments = checkedSegments(rawPath);
  const joined = join(realRoot, ...segments);
  if (!inside(realRoot, joined)) throw new PathRefused("path leaves the served folder", 403);
  let real: string;
  try {
    real = realpathSync(joined);
  } catch {
    throw new PathRefused(`not found: ${segments.join("/")}`, 404);
  }
  if (!inside(realRoot, real)) {
    throw new PathRefused("path leads out of the served folder (a symbolic link)", 403);
  }
  if (!statSync(real).isFile()) throw new PathRefused(`not a file: ${segments.join("/")}`, 404);
  return real;
}
