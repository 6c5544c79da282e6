/** The README's tables are the registries' (regenerate with `npm run docs`). */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { withTables } from "../../tools/docs/readme-tables.ts";

test("README's objective, prior and metric tables match the descriptors", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  assert.equal(readme, withTables(readme), "README.md is out of date: run `npm run docs`");
});
