#!/usr/bin/env node
// The `disentangle` command. An installed package runs the compiled CLI in dist/; a checkout of
// the repository (tsconfig.json beside src/, neither shipped) runs the TypeScript sources
// through tsx, so development needs no build step.
import { existsSync } from "node:fs";

if (existsSync(new URL("../tsconfig.json", import.meta.url))) {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/cli/main.ts");
} else {
  await import("../dist/cli/main.js");
}
