// In this repository the example imports the sources; a project of its own imports the package.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  resolve: {
    alias: {
      "disentangle/browser": fileURLToPath(new URL("../../src/browser.ts", import.meta.url)),
    },
  },
});
