/**
 * The C compiler and the on-disk cache of built programs (src/engine/native/compiler.ts),
 * in a fresh cache folder: cache hits, a corrupt cached object rebuilt on load, a failed
 * compile naming the C file it kept, a missing compiler, and concurrent builds of one program.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import koffi from "koffi";
import { NativeBackend } from "../../../src/engine/native/backend.ts";
import {
  buildSharedObject,
  cacheDirectory,
  findCompiler,
  NativeCompileError,
  shippedSource,
} from "../../../src/engine/native/compiler.ts";

const scratch = mkdtempSync(join(tmpdir(), "disentangle-compiler-test-"));
const cache = join(scratch, "cache");
// cacheDirectory() reads this on every call.
process.env.DISENTANGLE_NATIVE_CACHE = cache;
after(() => rmSync(scratch, { recursive: true, force: true }));

const found = findCompiler();
if ("missing" in found) throw new Error(found.missing);
const compiler = found;

/** A tiny program; `tag` keeps the sources of different tests (and so their objects) apart. */
const program = (tag: string, value: number) =>
  `/* ${tag} */\nint answer(void) { return ${value}; }\n`;

const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
const isElf = (path: string) => readFileSync(path).subarray(0, 4).equals(ELF_MAGIC);

/** The files of the cache folder that belong to the object at `path` (same key). */
const filesOf = (path: string) => {
  const key = basename(path).split(".")[0];
  return readdirSync(dirname(path))
    .filter((name) => name.startsWith(key))
    .sort();
};

test("the cache folder is $DISENTANGLE_NATIVE_CACHE", () => {
  assert.equal(cacheDirectory(), cache);
});

test("findCompiler finds the system compiler and its version", () => {
  assert.equal(compiler.command, process.env.CC || "cc");
  assert.ok(compiler.version.length > 0, "the first line of `cc --version`");
});

test("a second build of the same source is a cache hit", () => {
  const source = program("cache hit", 42);
  const first = buildSharedObject(compiler, source);
  assert.equal(first.compiled, true, "the first build compiles");
  assert.ok(first.ms > 0);
  assert.equal(dirname(first.path), cache);
  assert.ok(isElf(first.path), "a shared object");
  assert.equal(readFileSync(first.sourcePath, "utf8"), source, "the C source is kept beside it");

  const second = buildSharedObject(compiler, source);
  assert.deepEqual(second, {
    path: first.path,
    sourcePath: first.sourcePath,
    compiled: false,
    ms: 0,
  });
  assert.equal(koffi.load(second.path).func("int answer(void)")(), 42);
  assert.deepEqual(
    filesOf(first.path),
    [basename(first.sourcePath), basename(first.path)].sort(),
    "no temporary files are left",
  );

  const other = buildSharedObject(compiler, program("cache hit", 43));
  assert.equal(other.compiled, true, "another source is another object");
  assert.notEqual(other.path, first.path);
  const linked = buildSharedObject(compiler, source, ["-lm"]);
  assert.equal(linked.compiled, true, "other libraries are another object");
  assert.notEqual(linked.path, first.path);

  const rebuilt = buildSharedObject(compiler, source, [], true);
  assert.equal(rebuilt.compiled, true, "rebuild ignores the cached object");
  assert.equal(rebuilt.path, first.path);
});

test("a corrupt cached object is rebuilt when the backend loads it", () => {
  // The backend's runtime (memory, threads) is its first program, loaded through the same
  // path as kernel programs. This process has not loaded it yet (dlopen would keep serving a
  // copy it had loaded under that path).
  const runtime = buildSharedObject(compiler, shippedSource("runtime.c"));
  writeFileSync(runtime.path, "not a shared object\n");
  assert.throws(() => koffi.load(runtime.path), "the corrupt file does not load");

  const backend = new NativeBackend(compiler, 1);
  const bytes = Uint8Array.from({ length: 12 }, (_, i) => i * 7);
  const slot = backend.malloc(bytes.byteLength, bytes);
  assert.deepEqual(backend.readSync(slot), bytes, "the rebuilt runtime moves memory");
  backend.decRef(slot);
  assert.ok(isElf(runtime.path), "the cached object was replaced by a good one");
  assert.deepEqual(
    filesOf(runtime.path),
    [basename(runtime.sourcePath), basename(runtime.path)].sort(),
  );
});

test("a C syntax error throws NativeCompileError naming the C file it kept", () => {
  const broken = "/* compile error */\nint broken(void) { return 1 }\n";
  let kept = "";
  assert.throws(
    () => buildSharedObject(compiler, broken),
    (error: Error) => {
      assert.ok(error instanceof NativeCompileError);
      assert.equal(error.name, "NativeCompileError");
      const named = error.message.match(/compile (\S+\.c) \(kept/);
      assert.ok(named, `the message names the C file: ${error.message}`);
      kept = named[1];
      assert.match(error.message, /error/, "with the compiler's diagnostics");
      return true;
    },
  );
  assert.equal(dirname(kept), cache);
  assert.equal(readFileSync(kept, "utf8"), broken, "the kept file holds the source");
  assert.deepEqual(filesOf(kept), [basename(kept)], "no object and no temporary files are left");
});

test("findCompiler with CC set to a missing command says so and how to fix it", () => {
  const saved = process.env.CC;
  process.env.CC = "disentangle-no-such-compiler";
  try {
    const result = findCompiler();
    assert.ok("missing" in result, "no compiler");
    assert.match(result.missing, /disentangle-no-such-compiler --version/);
    assert.match(result.missing, /ENOENT/, "the reason");
    assert.match(result.missing, /install one .* or set CC/);
  } finally {
    if (saved === undefined) delete process.env.CC;
    else process.env.CC = saved;
  }
});

const builder = fileURLToPath(new URL("./helpers/build-once.ts", import.meta.url));

test("two processes building the same source at once both succeed", async (t) => {
  const source = program("concurrent builds", 7);
  const sourceFile = join(scratch, "concurrent.c");
  writeFileSync(sourceFile, source);
  const barrier = join(scratch, "barrier");
  const build = () =>
    promisify(execFile)(process.execPath, ["--import", "tsx", builder, sourceFile, barrier, "2"], {
      env: process.env,
      timeout: 60_000,
    });
  const results = (await Promise.all([build(), build()])).map(
    ({ stdout }) =>
      JSON.parse(stdout.trim()) as { compiled: boolean; path: string; answer: number },
  );
  for (const result of results)
    assert.equal(result.answer, 7, "each process loads a working object");
  assert.equal(results[0].path, results[1].path);
  assert.ok(existsSync(results[0].path));
  assert.deepEqual(
    filesOf(results[0].path),
    [basename(results[0].path).replace(/\.so$/, ".c"), basename(results[0].path)].sort(),
    "one object and its source, no temporary files",
  );
  t.diagnostic(
    `compiled: ${results.map((r) => r.compiled).join(", ")} (true, true: the builds overlapped)`,
  );
});
