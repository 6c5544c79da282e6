/** Building factor tables (values, indices, grid) for the `Dataset` interface. */
import type { Dataset, FactorInfo } from "./dataset.ts";

export interface FactorSpec {
  name: string;
  kind: FactorInfo["kind"];
  /** Label of a value (categorical factors), e.g. subject number -> "yaleB07". */
  label?: (value: number) => string;
}

export type FactorTables = Pick<Dataset, "factors" | "factorValues" | "factorIndices">;

/**
 * Factor tables from per-image values ([count * specs.length], row-major): the distinct
 * values of each factor, sorted, and each image's index into them.
 */
export function factorsFromValues(
  specs: FactorSpec[],
  values: Float32Array,
): Required<FactorTables> {
  const k = specs.length;
  const count = k === 0 ? 0 : values.length / k;
  const indices = new Int32Array(values.length);
  const factors = specs.map((spec, f): FactorInfo => {
    const distinct = new Set<number>();
    for (let i = 0; i < count; i++) distinct.add(values[i * k + f]);
    const sorted = [...distinct].sort((a, b) => a - b);
    const position = new Map(sorted.map((v, j) => [v, j]));
    for (let i = 0; i < count; i++) indices[i * k + f] = position.get(values[i * k + f]) as number;
    return withLabels(spec, sorted);
  });
  return { factors, factorValues: values, factorIndices: indices };
}

/**
 * Factor tables for the full product of `levels` (one array of values per factor), in
 * row-major order, last factor fastest.
 */
export function gridFactors(
  specs: FactorSpec[],
  levels: number[][],
): Required<FactorTables> & { grid: number[]; count: number } {
  const grid = levels.map((values) => values.length);
  const count = grid.reduce((a, b) => a * b, 1);
  const k = specs.length;
  const factorValues = new Float32Array(count * k);
  const factorIndices = new Int32Array(count * k);
  for (let i = 0; i < count; i++) {
    let rest = i;
    for (let f = k - 1; f >= 0; f--) {
      const j = rest % grid[f];
      rest = (rest - j) / grid[f];
      factorIndices[i * k + f] = j;
      factorValues[i * k + f] = levels[f][j];
    }
  }
  const factors = specs.map((spec, f) => withLabels(spec, levels[f].map(Math.fround)));
  return { factors, factorValues, factorIndices, grid, count };
}

/** True when image i's factor indices are the row-major mixed-radix digits of i for `grid`. */
export function isGridOrder(factorIndices: Int32Array, grid: number[]): boolean {
  const k = grid.length;
  const count = grid.reduce((a, b) => a * b, 1);
  if (factorIndices.length !== count * k) return false;
  for (let i = 0; i < count; i++) {
    let rest = i;
    for (let f = k - 1; f >= 0; f--) {
      const j = rest % grid[f];
      rest = (rest - j) / grid[f];
      if (factorIndices[i * k + f] !== j) return false;
    }
  }
  return true;
}

/** Evenly spaced values from `start` to `stop` inclusive (numpy.linspace). */
export function linspace(start: number, stop: number, n: number): number[] {
  if (n === 1) return [start];
  const step = (stop - start) / (n - 1);
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? stop : start + i * step));
}

function withLabels(spec: FactorSpec, values: number[]): FactorInfo {
  const info: FactorInfo = { name: spec.name, kind: spec.kind, values };
  if (spec.label !== undefined) info.labels = values.map(spec.label);
  return info;
}
