/**
 * The scikit-learn fixture of tools/golden/metrics_sklearn.py: 2000 rows, 5 discrete factors
 * (2-6 values), 6 codes, a fixed 1400/600 split, with disentanglement_lib's SAP and DCI
 * computed by sklearn 1.2.1; as the metrics take it.
 */
import { readFileSync } from "node:fs";
import type { CodeMatrix, FactorMatrix } from "../../src/metrics/arrays.ts";

interface SapDciFixture {
  count: number;
  dims: number;
  factors: number;
  codes: number[];
  factorValues: number[];
  train: number[];
  test: number[];
  sap: { score: number; scores: number[][] };
  dci: {
    importance: number[][];
    disentanglement: number;
    completeness: number;
    informativenessTrain: number;
    informativenessTest: number;
  };
}

export const fixture = JSON.parse(
  readFileSync(new URL("fixtures/sap-dci.json", import.meta.url), "utf8"),
) as SapDciFixture;

export const fixtureCodes: CodeMatrix = {
  data: Float32Array.from(fixture.codes),
  count: fixture.count,
  dims: fixture.dims,
};
export const fixtureFactors: FactorMatrix = {
  data: fixture.factorValues,
  count: fixture.count,
  factors: fixture.factors,
};
/** The fixture's own train/test split. */
export const fixtureSplit = {
  train: Int32Array.from(fixture.train),
  test: Int32Array.from(fixture.test),
};
