/**
 * The `disentangle` entry point. The engine reads its thread count when it is first imported,
 * so `--threads` (and with it `--device`) is applied here, through the environment, before the
 * program (which imports the engine) is loaded.
 */
const argv = process.argv;
for (const [flag, variable] of [
  ["--threads", "DISENTANGLE_THREADS"],
  ["--device", "DISENTANGLE_DEVICE"],
]) {
  const at = argv.findIndex((arg) => arg === flag || arg.startsWith(`${flag}=`));
  if (at < 0) continue;
  const value = argv[at].includes("=") ? argv[at].slice(flag.length + 1) : argv[at + 1];
  if (value !== undefined) process.env[variable] = value;
}
const { runCli } = await import("./program.ts");
await runCli(argv);
