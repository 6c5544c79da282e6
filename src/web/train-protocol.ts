/** Messages between the page and its training worker (train-worker.ts). */
import type { TrainConfigInput } from "../run/config.ts";
import type { LogRow } from "../train/loop.ts";
import type { PriorRange } from "./prior.ts";

/** What the page's form asks for (train-form.ts). */
export interface TrainRequest {
  /** The run's settings as a `--config` file holds them; the worker parses them with parseTrainConfig. */
  config: TrainConfigInput;
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
      /** The prior's range each row sweeps, and the values of the other dimensions. */
      range: PriorRange;
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
