/**
 * Train in the page: any model, prior and likelihood of the library's registries on the
 * built-in sprites in a Web Worker (train-worker.ts), with live loss curves, a traversal over
 * the prior's range that refreshes every few seconds, a stop button, and the result as a zip
 * of a run folder that `disentangle` reads once unzipped. The form's lists and fields come
 * from the registries (train-form.ts); settings the library's config parsing refuses are
 * shown with its message, and training cannot start until they are changed.
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { FieldDoc } from "../objectives/descriptor.ts";
import type { LogRow } from "../train/loop.ts";
import type { PriorRange } from "./prior.ts";
import {
  type Choice,
  checkForm,
  configInput,
  defaultForm,
  FORM_SOURCE,
  formFromQuery,
  isLearnedPrior,
  LIKELIHOOD_CHOICES,
  likelihoodFields,
  MODEL_CHOICES,
  modelFields,
  PRIOR_CHOICES,
  type TrainForm,
} from "./train-form.ts";
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
  /** The last traversal's range (the prior's central quantiles). */
  range?: PriorRange;
}

function probe(): TrainingProbe {
  const w = window as unknown as { __explorer?: { training?: TrainingProbe } };
  w.__explorer ??= {};
  w.__explorer.training ??= { step: 0, rows: 0, stepsPerSecond: 0, done: false, traversals: 0 };
  return w.__explorer.training;
}

/** A value as the page prints it: two decimals, a true minus sign. */
function formatValue(v: number): string {
  return (Math.abs(v) < 0.005 ? 0 : v).toFixed(2).replace("-", "−");
}

/** What a traversal's rows sweep, in words (as `disentangle traverse` says it). */
function rangeText(range: PriorRange, radius = 2): string {
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const same = (values: number[]) => values.every((v) => Math.abs(v - values[0]) < 1e-6);
  // Quantiles from prior draws (Student-t, Beta) differ a little between dimensions.
  const about = same(range.low) && same(range.high) && same(range.median) ? "" : "about ";
  // Two significant digits near 0 (a stick fraction's lower quantile is about 0.005).
  const end = (v: number) =>
    Math.abs(v) < 0.1 && v !== 0 ? v.toPrecision(2).replace("-", "−") : formatValue(v);
  const span = `${about}${end(mean(range.low))} to ${end(mean(range.high))}`;
  const sweep =
    range.family === "normal"
      ? `±${radius} prior standard deviations (${span})`
      : `the ${range.prior} prior's central ${(100 * range.mass).toFixed(1)}%, the mass of ±${radius}σ of a normal (${span})`;
  return `each row sweeps ${sweep}; the other dimensions stay at the prior's median (${about}${formatValue(mean(range.median))})`;
}

/** A registry's one-line text, its `code` spans (markdown backticks) set as code. */
function Summary(props: { text: string }) {
  return (
    <>
      {props.text.split("`").map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part))}
    </>
  );
}

/** A select of a registry's names, each with its one-line summary as a tooltip. */
function ChoiceSelect<N extends string>(props: {
  name: string;
  choices: Choice<N>[];
  value: N;
  disabled: boolean;
  invalid: boolean;
  onChange: (value: N) => void;
}) {
  const chosen = props.choices.find((c) => c.name === props.value);
  return (
    <label title={chosen?.summary}>
      {props.name}{" "}
      <select
        name={props.name}
        value={props.value}
        disabled={props.disabled}
        class={props.invalid ? "invalid" : undefined}
        onChange={(e) => props.onChange((e.target as HTMLSelectElement).value as N)}
      >
        {props.choices.map((c) => (
          <option key={c.name} value={c.name} title={c.summary}>
            {c.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * An input for a descriptor's field: a select for an enum, a number input for a number, a
 * text input offering the words for a field that takes a number or a word (a likelihood's
 * "learned" scale). The field's description (and default) is its tooltip and its caption.
 */
function FieldInput(props: {
  owner: string;
  field: FieldDoc;
  value: string;
  disabled: boolean;
  invalid: boolean;
  onChange: (text: string) => void;
}) {
  const { field } = props;
  const hint = `${field.description}${field.default === undefined ? "" : ` (default ${String(field.default)})`}`;
  const id = `train-${props.owner}-${field.name}`;
  const listId = `${id}-values`;
  const common = {
    name: field.name,
    value: props.value,
    disabled: props.disabled,
    id,
    "aria-describedby": `${id}-hint`,
    class: props.invalid ? "invalid" : undefined,
    // As typed (a select fires input too), so the config check follows each key.
    onInput: (e: Event) => props.onChange((e.target as HTMLInputElement).value),
  };
  let input = <input type="text" {...common} />;
  if (field.values && field.type === "string") {
    input = (
      <select {...common}>
        {field.values.map((v) => (
          <option key={String(v)} value={String(v)}>
            {String(v)}
          </option>
        ))}
      </select>
    );
  } else if (field.values) {
    input = (
      <>
        <input type="text" list={listId} {...common} />
        <datalist id={listId}>
          {field.values.map((v) => (
            <option key={String(v)} value={String(v)} />
          ))}
        </datalist>
      </>
    );
  } else if (field.type === "number" || field.type === "integer") {
    input = <input type="number" step={field.type === "integer" ? 1 : "any"} {...common} />;
  }
  return (
    <div class="field" title={hint}>
      <label for={id}>{field.name}</label>
      {input}
      <small class="dim" id={`${id}-hint`}>
        <Summary text={field.description} />
      </small>
    </div>
  );
}

export function TrainPanel() {
  const [form, setForm] = useState<TrainForm>(() =>
    formFromQuery(defaultForm(), new URLSearchParams(location.search)),
  );
  const check = useMemo(() => checkForm(form), [form]);
  const [status, setStatus] = useState("Not started.");
  const [rows, setRows] = useState<LogRow[]>([]);
  const [traversal, setTraversal] = useState<Extract<FromWorker, { type: "traversal" }>>();
  const [download, setDownload] = useState<{ url: string; name: string }>();
  const [running, setRunning] = useState(false);
  const [divergence, setDivergence] = useState<string>();
  const worker = useRef<Worker | undefined>(undefined);
  useEffect(() => () => worker.current?.terminate(), []);

  const start = () => {
    if (check.config === undefined) return;
    worker.current?.terminate();
    const w = new Worker(workerUrl(), { type: "module" });
    worker.current = w;
    const steps = check.config.steps;
    const request: TrainRequest = {
      config: configInput(form),
      traversalEvery: form.traversalEvery,
    };
    setDivergence(check.config.priorDivergence);
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
      range: undefined,
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
          `step ${m.step} of ${steps}: loss ${m.loss.toFixed(2)}, ${m.stepsPerSecond.toFixed(1)} steps/s`,
        );
      } else if (m.type === "log") {
        collected.push(m.row);
        p.rows = collected.length;
        setRows([...collected]);
      } else if (m.type === "traversal") {
        p.traversals++;
        p.range = m.range;
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
  const invalid = (name: string) => check.refusal !== undefined && check.fields.includes(name);
  const field = (
    key: "z" | "steps" | "batch" | "lr" | "seed" | "betaWarmupSteps",
    attrs: Record<string, number>,
    title?: string,
  ) => (
    <label title={title}>
      {key}{" "}
      <input
        type="number"
        name={key}
        value={form[key]}
        {...attrs}
        disabled={running}
        class={invalid(key) ? "invalid" : undefined}
        // As typed where the text is a number; an empty box counts once it is left.
        onInput={(e) => {
          const text = (e.target as HTMLInputElement).value;
          if (text !== "") setForm({ ...form, [key]: Number(text) });
        }}
        onChange={(e) => setForm({ ...form, [key]: Number((e.target as HTMLInputElement).value) })}
      />
    </label>
  );
  const descriptorFields = (
    owner: string,
    fields: FieldDoc[],
    group: "hyperparameters" | "likelihoodOptions",
  ) =>
    fields.map((f) => (
      <FieldInput
        key={`${owner}.${f.name}`}
        owner={owner}
        field={f}
        value={form[group][owner]?.[f.name] ?? ""}
        disabled={running}
        invalid={invalid(f.name)}
        onChange={(text) =>
          setForm({
            ...form,
            [group]: { ...form[group], [owner]: { ...form[group][owner], [f.name]: text } },
          })
        }
      />
    ));
  const hyperparameters = modelFields(form.model);
  const options = likelihoodFields(form.likelihood);
  const summaryOf = <N extends string>(choices: Choice<N>[], name: N) =>
    choices.find((c) => c.name === name)?.summary ?? "";
  const name = download?.name.replace(/[.]zip$/, "");
  return (
    <section class="train">
      <p>
        Trains a model on the built-in sprites (3 shapes x 3 scales x 8 orientations x 8x8
        positions) in a Web Worker, with the same training loop as <code>disentangle train</code>.
        Every model, prior and likelihood of the library is offered, with the hyperparameters of its
        descriptor. When it ends or you stop it, download the run: unzip it and use it like any run
        folder (<code>disentangle report FOLDER</code>, <code>disentangle serve FOLDER</code>).
      </p>
      <div class="form">
        <ChoiceSelect
          name="model"
          choices={MODEL_CHOICES}
          value={form.model}
          disabled={running}
          invalid={invalid("model")}
          onChange={(model) => setForm({ ...form, model })}
        />
        <ChoiceSelect
          name="prior"
          choices={PRIOR_CHOICES}
          value={form.prior}
          disabled={running}
          invalid={invalid("prior")}
          onChange={(prior) => setForm({ ...form, prior })}
        />
        <ChoiceSelect
          name="likelihood"
          choices={LIKELIHOOD_CHOICES}
          value={form.likelihood}
          disabled={running}
          invalid={invalid("likelihood")}
          onChange={(likelihood) => setForm({ ...form, likelihood })}
        />
        <label>
          size{" "}
          <select
            name="size"
            value={form.size}
            disabled={running}
            onChange={(e) =>
              setForm({ ...form, size: Number((e.target as HTMLSelectElement).value) as 16 | 32 })
            }
          >
            <option value={16}>16x16</option>
            <option value={32}>32x32</option>
          </select>
        </label>
      </div>
      <ul class="summaries dim" id="train-summaries">
        <li>
          <b>{form.model}</b>: <Summary text={summaryOf(MODEL_CHOICES, form.model)} />
        </li>
        <li>
          prior <b>{form.prior}</b>: <Summary text={summaryOf(PRIOR_CHOICES, form.prior)} />
        </li>
        <li>
          likelihood <b>{form.likelihood}</b>:{" "}
          <Summary text={summaryOf(LIKELIHOOD_CHOICES, form.likelihood)} />
        </li>
      </ul>
      {hyperparameters.length + options.length > 0 ? (
        <div class="form fields" id="train-hyperparameters">
          {descriptorFields(form.model, hyperparameters, "hyperparameters")}
          {descriptorFields(form.likelihood, options, "likelihoodOptions")}
        </div>
      ) : null}
      <div class="form">
        {field("z", { min: 1, max: 32 })}
        {field("steps", { min: 1, max: 100000 })}
        {field("batch", { min: 2, max: 256 })}
        {field("lr", { min: 0, step: 0.0001 })}
        {field("seed", { min: 0, step: 1 })}
        {isLearnedPrior(form.prior) ? (
          <label title="the learned prior's components K: mixture components, or the VampPrior's pseudo-inputs (the CLI's --prior-components)">
            priorComponents{" "}
            <input
              type="number"
              name="priorComponents"
              min={1}
              step={1}
              value={form.priorComponents[form.prior]}
              disabled={running}
              class={invalid("priorComponents") ? "invalid" : undefined}
              onChange={(e) =>
                setForm({
                  ...form,
                  priorComponents: {
                    ...form.priorComponents,
                    [form.prior]: Number((e.target as HTMLInputElement).value),
                  },
                })
              }
            />
          </label>
        ) : null}
        {field(
          "betaWarmupSteps",
          { min: 0, step: 1 },
          "linear warm-up of the annealed weight (beta; capacity-vae's capacity C) over this many steps, 0: off (the CLI's --beta-warmup)",
        )}
        <button
          type="button"
          id="train-start"
          onClick={start}
          disabled={running || check.config === undefined}
        >
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
      {check.refusal !== undefined ? (
        <div class="problem refusal" id="train-refusal">
          <strong>These settings cannot be trained; the config check says:</strong>
          <ul>
            {check.refusal.split("\n").map((line) => (
              <li key={line}>{line.replace(`${FORM_SOURCE}: `, "")}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <p class="status" id="train-status">
        {status}
      </p>
      {name ? (
        <p class="note">
          The zip holds one run folder ({name}/: config.json, checkpoint.safetensors, log.jsonl).
          Unzip it, then <code>disentangle report {name}</code> or{" "}
          <code>disentangle serve {name}</code>.
        </p>
      ) : null}
      <div class="train-body">
        <div class="charts">
          <LineChart rows={rows} field="loss" width={300} />
          <LineChart rows={rows} field={rows.some((r) => "tc" in r) ? "tc" : "kl"} width={300} />
          {divergence && divergence !== "kl" && rows.some((r) => divergence in r) ? (
            <LineChart rows={rows} field={divergence} width={300} />
          ) : null}
        </div>
        {traversal ? (
          <div id="train-traversal">
            <h4>
              Traversals at step {traversal.step}{" "}
              <span class="dim" id="train-traversal-range">
                ({rangeText(traversal.range)}; refreshes every {form.traversalEvery} s)
              </span>
            </h4>
            {Array.from({ length: traversal.z }, (_, j) => {
              const per =
                traversal.imageShape[0] * traversal.imageShape[1] * traversal.imageShape[2];
              return (
                <div key={j} class="traversal-row">
                  <span
                    class="dim"
                    title={`z${j}: ${formatValue(traversal.range.low[j])} to ${formatValue(traversal.range.high[j])}`}
                  >
                    z{j}
                  </span>
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
