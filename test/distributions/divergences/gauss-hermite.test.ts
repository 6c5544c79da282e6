import assert from "node:assert/strict";
import { test } from "node:test";
import { gaussHermiteRule } from "../../../src/distributions/divergences/gauss-hermite.ts";

/** Γ(k + 1/2) = ∫ x^(2k) exp(-x²) dx, by Γ(1/2) = √π and Γ(s + 1) = s Γ(s). */
function evenMoment(k: number): number {
  let g = Math.sqrt(Math.PI);
  for (let j = 0; j < k; j++) g *= j + 0.5;
  return g;
}

test("2- and 3-point rules equal their closed forms", () => {
  const two = gaussHermiteRule(2);
  assert.ok(
    Math.abs(two.nodes[0] - Math.SQRT1_2) < 1e-15 && Math.abs(two.nodes[1] + Math.SQRT1_2) < 1e-15,
  );
  for (const w of two.weights) assert.ok(Math.abs(w - Math.sqrt(Math.PI) / 2) < 1e-15);
  const three = gaussHermiteRule(3);
  const expected = [Math.sqrt(1.5), 0, -Math.sqrt(1.5)];
  for (let i = 0; i < 3; i++)
    assert.ok(Math.abs(three.nodes[i] - expected[i]) < 1e-15, `node ${i}`);
  assert.ok(Math.abs(three.weights[1] - (2 * Math.sqrt(Math.PI)) / 3) < 1e-15);
  assert.ok(Math.abs(three.weights[0] - Math.sqrt(Math.PI) / 6) < 1e-15);
});

test("10-point rule matches Abramowitz & Stegun Table 25.10", () => {
  const { nodes, weights } = gaussHermiteRule(10);
  const tableNodes = [
    0.342901327223705, 1.036610829789514, 1.756683649299882, 2.53273167423279, 3.436159118837738,
  ];
  const tableWeights = [
    6.108626337353e-1, 2.401386110823e-1, 3.387439445548e-2, 1.343645746781e-3, 7.640432855233e-6,
  ];
  for (let i = 0; i < 5; i++) {
    assert.ok(Math.abs(nodes[5 + i] + tableNodes[i]) < 1e-13, `node ${i}`);
    assert.ok(Math.abs(nodes[4 - i] - tableNodes[i]) < 1e-13, `node ${i}`);
    assert.ok(Math.abs(weights[4 - i] / tableWeights[i] - 1) < 1e-11, `weight ${i}`);
  }
});

test("n-point rules integrate x^(2k) exp(-x²) exactly for 2k <= 2n - 1, and odd moments to 0", () => {
  for (const n of [1, 5, 16, 24, 32, 64, 100]) {
    const { nodes, weights } = gaussHermiteRule(n);
    for (let k = 0; 2 * k <= 2 * n - 1; k++) {
      let even = 0;
      let odd = 0;
      for (let i = 0; i < n; i++) {
        even += weights[i] * nodes[i] ** (2 * k);
        odd += weights[i] * nodes[i] ** (2 * k + 1);
      }
      const exact = evenMoment(k);
      assert.ok(
        Math.abs(even / exact - 1) < 1e-10 * Math.max(1, k),
        `n ${n}, moment ${2 * k}: ${even} vs ${exact}`,
      );
      assert.ok(Math.abs(odd) <= 1e-12 * evenMoment(k + 1), `n ${n}, moment ${2 * k + 1}: ${odd}`);
    }
    for (let i = 1; i < n; i++) assert.ok(nodes[i] < nodes[i - 1], "nodes decrease");
    for (const w of weights) assert.ok(w > 0);
  }
});

test("rejects point counts outside [1, 100]", () => {
  assert.throws(() => gaussHermiteRule(0), /points is 0, expected a whole number in \[1, 100\]/);
  assert.throws(() => gaussHermiteRule(2.5), /points is 2.5/);
  assert.throws(() => gaussHermiteRule(101), /points is 101/);
});
