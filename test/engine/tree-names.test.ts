/**
 * conformTree: a tree read back from named leaves gets the template's structure (empty
 * subtrees restored), and any missing, extra or reshaped leaf is named in the error.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { conformTree, namedLeaves, treeFromNamed } from "../../src/engine/tree-names.ts";

class Leaf {
  constructor(readonly shape: number[]) {}
}

test("conformTree restores the empty subtrees a file cannot record", () => {
  const template = { vae: { w: new Leaf([2, 3]), layers: [new Leaf([4])] }, masks: {}, extra: [] };
  const loaded = treeFromNamed(namedLeaves(template));
  assert.deepEqual(Object.keys(loaded as object), ["vae"]);
  const conformed = conformTree(template, loaded, "ckpt") as typeof template;
  assert.deepEqual(conformed.masks, {});
  assert.deepEqual(conformed.extra, []);
  assert.equal(conformed.vae.w, (loaded as typeof template).vae.w);
  assert.equal(conformed.vae.layers[0], (loaded as typeof template).vae.layers[0]);
});

test("conformTree names a missing, an unexpected and a reshaped leaf", () => {
  const template = { a: new Leaf([2]), b: { c: new Leaf([3, 1]) } };
  assert.throws(() => conformTree(template, { a: new Leaf([2]) }, "f"), /^Error: f: missing b\.c$/);
  assert.throws(
    () =>
      conformTree(
        template,
        { a: new Leaf([2]), b: { c: new Leaf([3, 1]), d: new Leaf([1]) } },
        "f",
      ),
    /^Error: f: unexpected entry b\.d$/,
  );
  assert.throws(
    () => conformTree(template, { a: new Leaf([2]), b: { c: new Leaf([1, 3]) } }, "f"),
    /^Error: f: b\.c has shape \[1,3\], expected \[3,1\]$/,
  );
});
