/** Messages between the page and its training worker (train-worker.ts). */
import type { LogRow } from "../train/loop.ts";

/** What the page's form asks for. */
export interface TrainRequest {
  model: "vae" | "beta-tcvae";
  size: 16 | 32;
  z: number;
  steps: number;
  batch: number;
  beta: number;
  lr: number;
  seed: number;
  /** Seconds between traversal refreshes. */
  traversalEvery: number;
}

export type ToWorker = { type: "start"; request: TrainRequest } | { type: "stop" };

export type FromWorker =
  | { type: "started"; device: string; images: number; imageShape: [number, number, number] }
  | { type: "progress"; step: number; loss: number; stepsPerSecond: number }
  | { type: "log"; row: LogRow }
  | {
      type: "traversal";
      step: number;
      /** [z][columns] images, HWC floats. */
      images: Float32Array;
      columns: number;
      z: number;
      imageShape: [number, number, number];
    }
  | {
      type: "done";
      step: number;
      stoppedBy: "completed" | "interrupted";
      seconds: number;
      stepsPerSecond: number;
      /** A zip holding `<name>/config.json`, `checkpoint.safetensors`, `log.jsonl`. */
      zip: Uint8Array;
      name: string;
    }
  | { type: "error"; message: string };
