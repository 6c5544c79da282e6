import assert from "node:assert/strict";
import { test } from "node:test";
import { initEngine } from "../../src/engine/device.ts";
import { type Array as JaxArray, numpy as np } from "../../src/engine/jax.ts";
import { subspaceDims, swapGrid, swapSubspace } from "../../src/viz/swap.ts";

await initEngine();

test("subspace dims: a block mask gives its block, a learned mask its dominant dims", () => {
  assert.deepEqual(subspaceDims([0, 1, 1, 0]), [1, 2]);
  assert.deepEqual(subspaceDims([0.1, 2, 0.9, 1.2]), [1, 3]);
  assert.deepEqual(subspaceDims([0.1, 2, 0.9, 1.2], 0.4), [1, 2, 3]);
  assert.deepEqual(subspaceDims([0, 0]), []);
  assert.throws(() => subspaceDims([1, -1]), /mask\[1\] is -1, expected a finite number >= 0/);
});

test("swapSubspace replaces B's Q-coordinates with A's, row a / column b", () => {
  const zA = [1, 2, 3, 10, 20, 30];
  const zB = [-1, -2, -3];
  assert.deepEqual(Array.from(swapSubspace(zA, zB, [0, 2], 3)), [1, -2, 3, 10, -2, 30]);
  assert.throws(() => swapSubspace(zA, zB, [3], 3), /dimension 3 is outside \[0, 3\)/);
  assert.throws(
    () => swapSubspace([1, 2], zB, [0], 3),
    /zA holds 2 values, expected a non-zero multiple of latentDim 3/,
  );
});

test("swapGrid decodes the swapped codes in grid order through the given decoder", async () => {
  // A toy decoder: a 1x1 "image" with 2 channels = (z0 + 10 z1, z2).
  const decode = (z: JaxArray) =>
    np
      .matmul(
        z,
        np.array([
          [1, 0],
          [10, 0],
          [0, 1],
        ]),
      )
      .reshape([-1, 1, 1, 2]);
  const grid = await swapGrid(decode, [1, 2, 3, 4, 5, 6], [0, 0, 9, 7, 7, 7], [0, 1, 0]);
  assert.equal(grid.rows, 2);
  assert.equal(grid.columns, 2);
  assert.deepEqual(grid.dims, [1]);
  // (a=0,b=0): (0,2,9) -> (20, 9); (0,1): (7,2,7) -> (27, 7); (1,0): (0,5,9) -> (50, 9); (1,1): (7,5,7) -> (57, 7).
  assert.deepEqual(Array.from(grid.images), [20, 9, 27, 7, 50, 9, 57, 7]);
});
