import { test } from "node:test";
import {
  digammaArray,
  logBetaFunction,
  logGammaArray,
} from "../../src/distributions/gamma-functions.ts";
import { initEngine } from "../../src/engine/device.ts";
import { grad, numpy as np } from "../../src/engine/jax.ts";
import { assertClose, logGammaRef } from "./reference.ts";
import { STICK_BREAKING } from "./stick-breaking-fixture.ts";

await initEngine();

const f32 = (v: number[]) => np.array(Float32Array.from(v));

test("log Γ and ψ match SciPy from 0.01 to 500", async () => {
  const { points, gammaln, digamma } = STICK_BREAKING;
  assertClose(await logGammaArray(f32(points)).data(), gammaln, 2e-6, 2e-5, "log Γ");
  assertClose(await digammaArray(f32(points)).data(), digamma, 2e-6, 2e-5, "ψ");
});

test("the gradient of log Γ is ψ, and log B(p, q) = log Γ(p) + log Γ(q) - log Γ(p + q) (SciPy values)", async () => {
  const { points, gammaln, digamma } = STICK_BREAKING;
  const slope = grad((x) => np.sum(logGammaArray(x)))(f32(points));
  assertClose(await slope.data(), digamma, 1e-4, 1e-3, "d log Γ / dx");
  // B(0.37, 2.5) and B(7, 30) from the fixture's log Γ values at those points.
  const at = (x: number) => gammaln[points.indexOf(x)];
  const expected = [at(0.37) + at(2.5), at(7) + at(30)];
  const got = await logBetaFunction(f32([0.37, 7]), f32([2.5, 30])).data();
  // log Γ(p + q) at 2.87 and 37 in float64 (Stirling's series, an independent check).
  assertClose(
    got,
    [expected[0] - logGammaRef(2.87), expected[1] - logGammaRef(37)],
    1e-5,
    1e-4,
    "log B",
  );
});
