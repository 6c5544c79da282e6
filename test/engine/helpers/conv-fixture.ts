/** The PyTorch conv fixtures (tools/golden/engine_conv.py): inputs, outputs and both gradients per case. */
import { readFileSync } from "node:fs";

export interface ConvCase {
  name: string;
  kind: "conv" | "convT";
  stride: number;
  padding: number;
  outputPadding: number;
  xShape: number[];
  wShape: number[];
  yShape: number[];
  x: number[];
  w: number[];
  r: number[];
  y: number[];
  gx: number[];
  gw: number[];
}

/** The cases of test/engine/fixtures/conv.json. */
export function convFixtureCases(): ConvCase[] {
  const text = readFileSync(new URL("../fixtures/conv.json", import.meta.url), "utf8");
  return (JSON.parse(text) as { cases: ConvCase[] }).cases;
}
