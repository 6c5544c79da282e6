/**
 * The explorer page: the run list, up to two runs open side by side (viewer.tsx), and
 * training in the page (train-panel.tsx). Models are decoded here, by jax-js: WebGPU when the
 * browser offers an adapter, otherwise Wasm (`?device=wasm` or `?device=webgpu` asks for one).
 */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { initEngine } from "../engine/device.ts";
import { listRuns, type OpenRun, openRun, type RunSummary } from "./run-model.ts";
import { TrainPanel } from "./train-panel.tsx";
import { startTrainingWorker } from "./train-worker.ts";
import { Viewer } from "./viewer.tsx";
import { setWorkerUrl } from "./worker-url.ts";

interface Engine {
  device: string;
  note: string;
}

async function startEngine(): Promise<Engine> {
  const wanted = new URLSearchParams(location.search).get("device");
  if (wanted === "wasm") {
    await initEngine("wasm");
    return { device: "wasm", note: "Wasm (asked for with ?device=wasm)" };
  }
  let reason = "this browser has no navigator.gpu";
  if ("gpu" in navigator || wanted === "webgpu") {
    try {
      await initEngine("webgpu");
      return { device: "webgpu", note: "WebGPU" };
    } catch (error) {
      if (wanted === "webgpu") throw error;
      reason = "the browser offers no WebGPU adapter";
    }
  }
  await initEngine("wasm");
  return { device: "wasm", note: `Wasm (${reason})` };
}

const KEY_METRICS = ["mig-dlib", "mig", "sap", "dci.disentanglement", "modularity"];

function RunList(props: {
  runs: RunSummary[];
  opened: string[];
  onOpen: (id: string, compare: boolean) => void;
}) {
  if (props.runs.length === 0) {
    return (
      <p class="note">
        No runs. Start the server with run folders: <code>disentangle serve runs/my-run</code>, or
        train one in the page.
      </p>
    );
  }
  const metricNames = KEY_METRICS.filter((m) => props.runs.some((r) => m in r.metrics));
  return (
    <table class="runs" id="run-list">
      <thead>
        <tr>
          <th>run</th>
          <th>model</th>
          <th>data</th>
          <th>z</th>
          <th>step</th>
          {metricNames.map((m) => (
            <th key={m}>{m}</th>
          ))}
          <th />
        </tr>
      </thead>
      <tbody>
        {props.runs.map((run) => (
          <tr key={run.id}>
            <td>{run.path}</td>
            <td>{run.model ?? "?"}</td>
            <td>{run.data ?? "?"}</td>
            <td>{run.z ?? "?"}</td>
            <td>
              {run.step ?? "?"}
              {run.steps && run.step !== undefined && run.step < run.steps
                ? ` of ${run.steps}`
                : ""}
            </td>
            {metricNames.map((m) => (
              <td key={m}>{m in run.metrics ? run.metrics[m].toFixed(3) : ""}</td>
            ))}
            <td class="actions">
              {run.problem ? (
                <span class="problem">{run.problem}</span>
              ) : (
                <>
                  <button
                    type="button"
                    data-open={run.id}
                    onClick={() => props.onOpen(run.id, false)}
                    disabled={props.opened.includes(run.id)}
                  >
                    open
                  </button>
                  {props.opened.length === 1 && !props.opened.includes(run.id) ? (
                    <button
                      type="button"
                      data-compare={run.id}
                      onClick={() => props.onOpen(run.id, true)}
                    >
                      open beside
                    </button>
                  ) : null}
                </>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function App() {
  const [engine, setEngine] = useState<Engine>();
  const [engineError, setEngineError] = useState<string>();
  const [runs, setRuns] = useState<RunSummary[]>();
  const [runsError, setRunsError] = useState<string>();
  const [open, setOpen] = useState<OpenRun[]>([]);
  const [loading, setLoading] = useState<string>();
  const [tab, setTab] = useState<"runs" | "train">(
    new URLSearchParams(location.search).get("tab") === "train" ? "train" : "runs",
  );

  useEffect(() => {
    startEngine()
      .then((e) => {
        setEngine(e);
        const w = window as unknown as { __explorer?: object };
        w.__explorer = { ...w.__explorer, device: e.device };
      })
      .catch((error: unknown) =>
        setEngineError(error instanceof Error ? error.message : String(error)),
      );
    listRuns()
      .then(setRuns)
      .catch((error: unknown) =>
        setRunsError(error instanceof Error ? error.message : String(error)),
      );
  }, []);

  const openOne = async (id: string, compare: boolean) => {
    const summary = runs?.find((r) => r.id === id);
    if (!summary || !engine) return;
    setLoading(`opening ${summary.path}...`);
    try {
      const opened = await openRun(summary, (stage) => setLoading(`${summary.path}: ${stage}...`));
      setOpen((current) => {
        const kept = compare ? current.slice(0, 1) : [];
        for (const old of current) if (!kept.includes(old)) old.decoder.dispose();
        return [...kept, opened];
      });
      setLoading(undefined);
    } catch (error) {
      setLoading(
        `could not open ${summary.path}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };

  return (
    <>
      <header class="top">
        <h1>disentangle explorer</h1>
        <span class="engine" id="engine">
          {engine
            ? `decoding in this page on ${engine.note}`
            : engineError
              ? `no engine: ${engineError}`
              : "starting the engine..."}
        </span>
        <nav>
          <button
            type="button"
            class={tab === "runs" ? "active" : ""}
            onClick={() => setTab("runs")}
            id="tab-runs"
          >
            Runs
          </button>
          <button
            type="button"
            class={tab === "train" ? "active" : ""}
            onClick={() => setTab("train")}
            id="tab-train"
          >
            Train in the page
          </button>
        </nav>
      </header>
      <main>
        <div hidden={tab !== "runs"}>
          {runsError ? <p class="problem">Could not list the runs: {runsError}</p> : null}
          {runs ? (
            <RunList runs={runs} opened={open.map((o) => o.summary.id)} onOpen={openOne} />
          ) : (
            <p class="note">Listing the runs...</p>
          )}
          {loading ? (
            <p class="status" id="loading">
              {loading}
            </p>
          ) : null}
          {open.length === 0 && runs && runs.length > 0 && !loading ? (
            <p class="note">
              Open a run to decode its latent space here: one slider per latent dimension, sorted by
              KL. "open beside" compares two runs.
            </p>
          ) : null}
          <div class={`viewers n${open.length}`}>
            {open.map((o) => (
              <Viewer
                key={o.summary.id}
                open={o}
                compact={open.length > 1}
                onClose={() => {
                  o.decoder.dispose();
                  setOpen((current) => current.filter((c) => c !== o));
                }}
              />
            ))}
          </div>
        </div>
        <div hidden={tab !== "train"}>
          <TrainPanel />
        </div>
      </main>
    </>
  );
}

if (typeof document === "undefined") {
  // This bundle, loaded as the training worker (train-panel.tsx starts it from this URL).
  startTrainingWorker();
} else {
  setWorkerUrl(import.meta.url);
  const root = document.getElementById("app") as HTMLElement;
  root.textContent = "";
  render(<App />, root);
}
