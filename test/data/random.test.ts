import assert from "node:assert/strict";
import { test } from "node:test";
import { permutation, Rng } from "../../src/data/random.ts";

test("seeds and streams give different sequences; same seed the same", () => {
  const first = (rng: Rng) => Array.from({ length: 4 }, () => rng.nextUint32());
  assert.deepEqual(first(new Rng(5)), first(new Rng(5)));
  const seen = new Set(
    [
      first(new Rng(5)),
      first(new Rng(6)),
      first(new Rng(5, 1)),
      first(new Rng(5, 2)),
      first(new Rng(0)),
    ].map(String),
  );
  assert.equal(seen.size, 5);
});

test("nextInt is uniform (chi-square against the closed form) and permutations are permutations", () => {
  const rng = new Rng(11);
  const counts = new Array(7).fill(0);
  const n = 70000;
  for (let i = 0; i < n; i++) counts[rng.nextInt(7)]++;
  const chi2 = counts.reduce((s, c) => s + (c - n / 7) ** 2 / (n / 7), 0);
  assert.ok(chi2 < 22.46, `chi-square ${chi2} (6 dof, p = 0.001 bound 22.46)`);
  const p = permutation(50, new Rng(1));
  assert.deepEqual(
    [...p].sort((a, b) => a - b),
    Array.from({ length: 50 }, (_, i) => i),
  );
});
