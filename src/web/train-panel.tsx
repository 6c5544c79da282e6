/**
 * Train in the page: a small VAE or beta-TCVAE on the built-in sprites in a Web Worker
 * (train-worker.ts), with live loss curves, a traversal that refreshes every few seconds, a
 * stop button, and the result as a zip of a run folder that `disentangle` reads once unzipped.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { LogRow } from "../train/loop.ts";
import type { FromWorker, TrainRequest } from "./train-protocol.ts";
import { LineChart, StripCanvas } from "./widgets.tsx";
import { workerUrl } from "./worker-url.ts";

export interface TrainingProbe {
  step: number;
  rows: number;
  stepsPerSecond: number;
  done: boolean;
  traversals: number;
  device?: string;
  error?: string;
  seconds?: number;
}

function probe(): TrainingProbe {
  const w = window as unknown as { __explorer?: { training?: TrainingProbe } };
  w.__explorer ??= {};
  w.__explorer.training ??= { step: 0, rows: 0, stepsPerSecond: 0, done: false, traversals: 0 };
  return w.__explorer.training;
}

const DEFAULTS: TrainRequest = {
  model: "beta-tcvae",
  size: 16,
  z: 6,
  steps: 1000,
  batch: 32,
  beta: 4,
  lr: 1e-3,
  seed: 0,
  traversalEvery: 3,
};

function fromQuery(): Partial<TrainRequest> {
  const q = new URLSearchParams(location.search);
  const out: Partial<TrainRequest> = {};
  for (const key of ["z", "steps", "batch", "beta", "lr", "seed", "traversalEvery"] as const) {
    const v = q.get(`train.${key}`);
    if (v !== null && Number.isFinite(Number(v))) out[key] = Number(v);
  }
  const size = q.get("train.size");
  if (size === "16" || size === "32") out.size = Number(size) as 16 | 32;
  const model = q.get("train.model");
  if (model === "vae" || model === "beta-tcvae") out.model = model;
  return out;
}

export function TrainPanel() {
  const [request, setRequest] = useState<TrainRequest>(() => ({ ...DEFAULTS, ...fromQuery() }));
  const [status, setStatus] = useState("Not started.");
  const [rows, setRows] = useState<LogRow[]>([]);
  const [traversal, setTraversal] = useState<Extract<FromWorker, { type: "traversal" }>>();
  const [download, setDownload] = useState<{ url: string; name: string }>();
  const [running, setRunning] = useState(false);
  const worker = useRef<Worker | undefined>(undefined);
  useEffect(() => () => worker.current?.terminate(), []);

  const start = () => {
    worker.current?.terminate();
    const w = new Worker(workerUrl(), { type: "module" });
    worker.current = w;
    setRows([]);
    setTraversal(undefined);
    if (download) URL.revokeObjectURL(download.url);
    setDownload(undefined);
    setRunning(true);
    setStatus("Starting the worker's engine...");
    Object.assign(probe(), {
      step: 0,
      rows: 0,
      stepsPerSecond: 0,
      done: false,
      traversals: 0,
      error: undefined,
    });
    const collected: LogRow[] = [];
    w.onmessage = (event: MessageEvent<FromWorker>) => {
      const m = event.data;
      const p = probe();
      if (m.type === "started") {
        p.device = m.device;
        setStatus(
          `Training on ${m.device} in a worker: ${m.images} sprites of ${m.imageShape[0]}x${m.imageShape[1]}...`,
        );
      } else if (m.type === "progress") {
        p.step = m.step;
        p.stepsPerSecond = m.stepsPerSecond;
        setStatus(
          `step ${m.step} of ${request.steps}: loss ${m.loss.toFixed(2)}, ${m.stepsPerSecond.toFixed(1)} steps/s`,
        );
      } else if (m.type === "log") {
        collected.push(m.row);
        p.rows = collected.length;
        setRows([...collected]);
      } else if (m.type === "traversal") {
        p.traversals++;
        setTraversal(m);
      } else if (m.type === "done") {
        const blob = new Blob([m.zip as Uint8Array<ArrayBuffer>], { type: "application/zip" });
        setDownload({ url: URL.createObjectURL(blob), name: `${m.name}.zip` });
        Object.assign(p, {
          done: true,
          step: m.step,
          stepsPerSecond: m.stepsPerSecond,
          seconds: m.seconds,
        });
        setStatus(
          `${m.stoppedBy === "completed" ? "Finished" : "Stopped"} at step ${m.step}: ${m.seconds.toFixed(1)} s, ${m.stepsPerSecond.toFixed(1)} steps/s.`,
        );
        setRunning(false);
      } else if (m.type === "error") {
        p.error = m.message;
        setStatus(`Training failed: ${m.message}`);
        setRunning(false);
      }
    };
    w.onerror = (event) => {
      probe().error = event.message;
      setStatus(`The training worker failed: ${event.message}`);
      setRunning(false);
    };
    w.postMessage({ type: "start", request });
  };
  const stop = () => worker.current?.postMessage({ type: "stop" });
  const field = (key: keyof TrainRequest, label: string, attrs: Record<string, number>) => (
    <label>
      {label}{" "}
      <input
        type="number"
        name={key}
        value={request[key] as number}
        {...attrs}
        disabled={running}
        onChange={(e) =>
          setRequest({ ...request, [key]: Number((e.target as HTMLInputElement).value) })
        }
      />
    </label>
  );
  return (
    <section class="train">
      <p>
        Trains a small model on the built-in sprites (3 shapes x 3 scales x 8 orientations x 8x8
        positions) in a Web Worker, with the same training loop as <code>disentangle train</code>.
        When it ends or you stop it, download the run: unzip it and use it like any run folder (
        <code>disentangle report FOLDER</code>, <code>disentangle serve FOLDER</code>).
      </p>
      <div class="form">
        <label>
          model{" "}
          <select
            name="model"
            value={request.model}
            disabled={running}
            onChange={(e) =>
              setRequest({
                ...request,
                model: (e.target as HTMLSelectElement).value as TrainRequest["model"],
              })
            }
          >
            <option value="beta-tcvae">beta-TCVAE</option>
            <option value="vae">VAE</option>
          </select>
        </label>
        <label>
          size{" "}
          <select
            name="size"
            value={request.size}
            disabled={running}
            onChange={(e) =>
              setRequest({
                ...request,
                size: Number((e.target as HTMLSelectElement).value) as 16 | 32,
              })
            }
          >
            <option value={16}>16x16</option>
            <option value={32}>32x32</option>
          </select>
        </label>
        {field("z", "z", { min: 1, max: 32 })}
        {field("steps", "steps", { min: 1, max: 100000 })}
        {field("batch", "batch", { min: 2, max: 256 })}
        {request.model === "beta-tcvae" ? field("beta", "beta", { min: 0, step: 0.5 }) : null}
        {field("lr", "lr", { min: 0, step: 0.0001 })}
        <button type="button" id="train-start" onClick={start} disabled={running}>
          Train
        </button>
        <button type="button" id="train-stop" onClick={stop} disabled={!running}>
          Stop
        </button>
        {download ? (
          <a class="button" id="train-download" href={download.url} download={download.name}>
            Download the run (.zip)
          </a>
        ) : null}
      </div>
      <p class="status" id="train-status">
        {status}
      </p>
      {download ? (
        <p class="note">
          The zip holds one run folder ({download.name.replace(/[.]zip$/, "")}/: config.json,
          checkpoint.safetensors, log.jsonl). Unzip it, then{" "}
          <code>disentangle report {download.name.replace(/[.]zip$/, "")}</code> or{" "}
          <code>disentangle serve {download.name.replace(/[.]zip$/, "")}</code>.
        </p>
      ) : null}
      <div class="train-body">
        <div class="charts">
          <LineChart rows={rows} field="loss" width={300} />
          {rows.some((r) => "tc" in r) ? (
            <LineChart rows={rows} field="tc" width={300} />
          ) : (
            <LineChart rows={rows} field="kl" width={300} />
          )}
        </div>
        {traversal ? (
          <div>
            <h4>
              Traversals at step {traversal.step}{" "}
              <span class="dim">
                (one row per dimension, −2 to 2, the others at 0; refreshes every{" "}
                {request.traversalEvery} s)
              </span>
            </h4>
            {Array.from({ length: traversal.z }, (_, j) => {
              const per =
                traversal.imageShape[0] * traversal.imageShape[1] * traversal.imageShape[2];
              return (
                <div key={j} class="traversal-row">
                  <span class="dim">z{j}</span>
                  <StripCanvas
                    images={traversal.images.subarray(
                      j * traversal.columns * per,
                      (j + 1) * traversal.columns * per,
                    )}
                    count={traversal.columns}
                    shape={traversal.imageShape}
                    scale={Math.max(1, Math.floor(48 / traversal.imageShape[1]))}
                  />
                </div>
              );
            })}
          </div>
        ) : null}
      </div>
    </section>
  );
}
