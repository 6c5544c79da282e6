/**
 * The system C compiler behind the native backend, and the on-disk cache of what it built.
 *
 * A shared object is cached under the SHA-256 of its source, the flags, the compiler's version
 * and the CPU model, so a second run (or a second process) loads it without compiling. Each
 * build writes to a temporary name and is renamed into place, which is atomic: two processes
 * compiling the same program at once both succeed and one file wins. The C source is kept
 * beside the object, so a failed build names a file a person can read and report.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { cpus, homedir } from "node:os";
import { join } from "node:path";

/**
 * Compiler flags: native ISA, OpenMP threads, no FMA contraction beyond explicit fma() calls.
 * Not -fwrapv: with it GCC cannot prove that an int32 index such as `v0 * 1200 + v1` walks
 * memory contiguously, and a plain copy kernel ran 6x slower (7.0 vs 1.2 ms for 4.9M floats).
 * Not -fno-trapping-math either: it lets GCC fold (float)(int32_t)x into truncf(x) in scalar
 * code only, so a loop's tail gave -0 where its vector body gave +0.
 */
export const COMPILE_FLAGS = [
  "-O3",
  "-march=native",
  "-fopenmp",
  "-fPIC",
  "-shared",
  "-std=gnu11",
  "-ffp-contract=fast",
  "-fno-math-errno",
];

/** Raised when no C compiler can be run, or a program does not compile. */
export class NativeCompileError extends Error {
  override name = "NativeCompileError";
}

export interface Compiler {
  /** The command, `$CC` or `cc`. */
  command: string;
  /** First line of `cc --version`. */
  version: string;
}

/** The C compiler, or the reason there is none. */
export function findCompiler(): Compiler | { missing: string } {
  const command = process.env.CC || "cc";
  const probe = spawnSync(command, ["--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    return {
      missing: `no C compiler: \`${command} --version\` failed (${probe.error?.message ?? probe.stderr.trim()}); install one (Debian: apt-get install gcc) or set CC`,
    };
  }
  return { command, version: probe.stdout.split("\n")[0].trim() };
}

/** Where compiled programs are kept: $DISENTANGLE_NATIVE_CACHE, else the user's cache folder. */
export function cacheDirectory(): string {
  if (process.env.DISENTANGLE_NATIVE_CACHE) return process.env.DISENTANGLE_NATIVE_CACHE;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "disentangle", "native");
}

/** The cache key of `source` built by `compiler` on this CPU. */
function cacheKey(compiler: Compiler, source: string, libraries: string[]): string {
  return createHash("sha256")
    .update(compiler.version)
    .update("\0")
    .update(COMPILE_FLAGS.join(" "))
    .update("\0")
    .update(libraries.join(" "))
    .update("\0")
    .update(cpus()[0]?.model ?? "")
    .update("\0")
    .update(source)
    .digest("hex")
    .slice(0, 32);
}

export interface BuiltObject {
  /** Path of the shared object. */
  path: string;
  /** Path of the C source kept beside it. */
  sourcePath: string;
  /** Whether this call compiled it (false: found in the cache). */
  compiled: boolean;
  /** Compile time in ms (0 from the cache). */
  ms: number;
}

/**
 * Builds `source` into a shared object, or finds it in the cache. `rebuild` ignores a cached
 * object (used when loading it failed: a corrupt entry is rebuilt, never trusted).
 */
export function buildSharedObject(
  compiler: Compiler,
  source: string,
  libraries: string[] = [],
  rebuild = false,
): BuiltObject {
  const dir = cacheDirectory();
  mkdirSync(dir, { recursive: true });
  const key = cacheKey(compiler, source, libraries);
  const path = join(dir, `${key}.so`);
  const sourcePath = join(dir, `${key}.c`);
  if (!rebuild && existsSync(path)) return { path, sourcePath, compiled: false, ms: 0 };
  const unique = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  const tmpSource = join(dir, `${key}.${unique}.c`);
  const tmpObject = join(dir, `${key}.${unique}.so`);
  writeFileSync(tmpSource, source);
  renameSync(tmpSource, sourcePath);
  const start = performance.now();
  const result = spawnSync(
    compiler.command,
    [...COMPILE_FLAGS, "-o", tmpObject, sourcePath, ...libraries, "-lm"],
    { encoding: "utf8" },
  );
  if (result.error || result.status !== 0) {
    rmSync(tmpObject, { force: true });
    const output = (result.stderr || result.error?.message || "").trim().split("\n");
    const excerpt = output.slice(0, 20).join("\n");
    throw new NativeCompileError(
      `native backend: ${compiler.command} could not compile ${sourcePath} (kept for the report):\n${excerpt}${output.length > 20 ? `\n... (${output.length - 20} more lines)` : ""}`,
    );
  }
  renameSync(tmpObject, path);
  return { path, sourcePath, compiled: true, ms: performance.now() - start };
}

/** Reads a C file shipped beside this module. */
export function shippedSource(name: string): string {
  return readFileSync(new URL(`./${name}`, import.meta.url), "utf8");
}
