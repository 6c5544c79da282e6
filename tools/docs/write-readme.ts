/** `npm run docs`: rewrites README.md's generated tables from the registries. */
import { readFileSync, writeFileSync } from "node:fs";
import { withTables } from "./readme-tables.ts";

const path = new URL("../../README.md", import.meta.url);
writeFileSync(path, withTables(readFileSync(path, "utf8")));
console.log(
  "README.md: objective, prior, prior-divergence and metric tables rewritten from the registries",
);
