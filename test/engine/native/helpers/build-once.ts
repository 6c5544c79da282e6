/**
 * Child process for test/engine/native/compiler.test.ts: builds the C file argv[2] with
 * buildSharedObject (cache: $DISENTANGLE_NATIVE_CACHE) as soon as every one of argv[4]
 * processes sharing the barrier folder argv[3] is ready, so that the builds overlap. Loads the
 * object and calls its `int answer(void)`. Prints one JSON line: whether this process
 * compiled (false: cache hit), the object's path and the answer.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import koffi from "koffi";
import { buildSharedObject, findCompiler } from "../../../../src/engine/native/compiler.ts";

const [sourceFile, barrier, parties] = process.argv.slice(2);
const source = readFileSync(sourceFile, "utf8");
const compiler = findCompiler();
if ("missing" in compiler) throw new Error(compiler.missing);

mkdirSync(barrier, { recursive: true });
writeFileSync(join(barrier, `ready.${process.pid}`), "");
const deadline = Date.now() + 30_000;
while (readdirSync(barrier).length < Number(parties)) {
  if (Date.now() > deadline) throw new Error("build-once: the other builders never became ready");
  await new Promise((resolve) => setTimeout(resolve, 2));
}
const built = buildSharedObject(compiler, source);
const answer = koffi.load(built.path).func("int answer(void)")() as number;
process.stdout.write(`${JSON.stringify({ compiled: built.compiled, path: built.path, answer })}\n`);
