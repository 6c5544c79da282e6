/** The SciPy/PyTorch fixture of the stick-breaking distributions (tools/golden/distributions_stick_breaking.py). */
import { readFileSync } from "node:fs";

export interface StickBreakingFixture {
  points: number[];
  gammaln: number[];
  digamma: number[];
  density: {
    a: number;
    b: number;
    alpha: number;
    beta: number;
    x: number[];
    kumaraswamy: number[];
    kumaraswamyMean: number;
    betaLogDensity: number[];
  }[];
  kl: {
    a: number;
    b: number;
    alpha: number;
    beta: number;
    quadrature: number;
    series10: number;
    exact: number;
  }[];
}

export const STICK_BREAKING: StickBreakingFixture = JSON.parse(
  readFileSync(new URL("./fixtures/stick-breaking.json", import.meta.url), "utf8"),
);
