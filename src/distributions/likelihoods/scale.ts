/**
 * The scale of a Gaussian or Laplace likelihood: fixed, learned per channel, or learned per
 * pixel and channel (a free parameter of the model, as the per-channel one; not a function of
 * z). Learned scales start at log-scale 0.
 */
import { z } from "zod";
import { type Array, numpy as np } from "../../engine/jax.ts";
import type { ImageShape } from "../../nn/architecture.ts";
import type { ScaleSetting } from "./pixel-likelihood.ts";

/** The zod field of a scale setting: a positive number, "learned" or "learned-pixel". */
export const scaleField = () =>
  z.union([z.number().positive(), z.enum(["learned", "learned-pixel"])]);

/** Fresh zero log-scales: [C] for "learned", [H,W,C] for "learned-pixel"; undefined when fixed. */
export function initLogScale(setting: ScaleSetting, [h, w, c]: ImageShape): Array | undefined {
  if (setting === "learned") return np.zeros([c]);
  if (setting === "learned-pixel") return np.zeros([h, w, c]);
  return undefined;
}

/**
 * The log-scale to broadcast against images: log(setting) when fixed, else the learned array
 * (consumed). `what` names the parameter in the error for a learned scale with no parameter.
 */
export function logScaleOf(setting: ScaleSetting, learned: Array | undefined, what: string): Array {
  if (typeof setting === "number") {
    learned?.dispose();
    return np.array(Math.log(setting));
  }
  if (learned === undefined) {
    throw new RangeError(
      `${what}: the scale is ${setting} but the parameters hold no ${what} (initialise them with the model's init)`,
    );
  }
  return learned;
}
