/**
 * The `disentangle` entry point. The engine reads its thread count when it is first imported,
 * so `--threads` is applied here, before the program (which imports the engine) is loaded.
 */
const argv = process.argv;
const at = argv.findIndex((arg) => arg === "--threads" || arg.startsWith("--threads="));
if (at >= 0) {
  const value = argv[at].includes("=") ? argv[at].slice("--threads=".length) : argv[at + 1];
  if (value !== undefined) process.env.DISENTANGLE_THREADS = value;
}
const { runCli } = await import("./program.ts");
await runCli(argv);
