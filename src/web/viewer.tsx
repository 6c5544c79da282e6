/**
 * One opened run: sliders per latent dimension (sorted by KL, inactive ones folded, grouped by
 * query subspace, labelled with the factor each informs most) driving an image decoded in the
 * page, the starting points (held-out strip, a dropped image, prior median, random sample), the
 * traversal strip of the selected dimension, the subspace map, image arithmetic, an attribute
 * vector, and the run's curves and metrics.
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { OKABE_ITO, viridis } from "../viz/subspace-map.ts";
import { subspaceDims, swapSubspace } from "../viz/swap.ts";
import { tsne } from "../viz/tsne.ts";
import { umap } from "../viz/umap.ts";
import { encodeImages, type OpenRun, priorSample, row } from "./run-model.ts";
import { ImageCanvas, LineChart, StripCanvas } from "./widgets.tsx";

/** What tests and benchmarks read of a viewer (window.__explorer.viewers[id]). */
export interface ViewerProbe {
  code: number[];
  pixels: number[];
  ms: number;
  decodes: number;
  selected: number;
  mapPoints: number;
  neighbours: number[];
}

type Probes = { viewers: Record<string, ViewerProbe> };
const probes = (): Probes => {
  const w = window as unknown as { __explorer?: Probes };
  w.__explorer ??= { viewers: {} } as Probes;
  w.__explorer.viewers ??= {};
  return w.__explorer;
};

const pixelsOf = ([h, w, c]: readonly number[]) => h * w * c;
const STRIP_COLUMNS = 9;

/** Decodes the latest requested code, one at a time, dropping codes overtaken while busy. */
function useLiveDecode(open: OpenRun, code: Float32Array) {
  const [result, setResult] = useState<{
    pixels: Float32Array;
    ms: number;
    median: number;
    first: boolean;
  }>();
  const state = useRef({
    busy: false,
    pending: undefined as Float32Array | undefined,
    times: [] as number[],
    decodes: 0,
  });
  useEffect(() => {
    const s = state.current;
    s.pending = code;
    if (s.busy) return;
    s.busy = true;
    (async () => {
      while (s.pending) {
        const next = s.pending;
        s.pending = undefined;
        const started = performance.now();
        const pixels = await open.decoder.decode(next, 1);
        const ms = performance.now() - started;
        // The first decode traces and compiles the decoder: it is not counted in the median.
        if (s.decodes > 0) s.times = [...s.times.slice(-19), ms];
        s.decodes++;
        const median = [...s.times].sort((a, b) => a - b)[Math.floor(s.times.length / 2)];
        setResult({ pixels, ms, median, first: s.decodes === 1 });
        const probe = probes().viewers[open.summary.id];
        if (probe)
          Object.assign(probe, {
            code: Array.from(next),
            pixels: Array.from(pixels),
            ms,
            decodes: s.decodes,
          });
      }
      s.busy = false;
    })();
  }, [code, open]);
  return result;
}

function DimensionLabel({ open, j }: { open: OpenRun; j: number }) {
  const informed = open.informed?.[j];
  return (
    <span>
      <b>z{j}</b> <span class="dim">KL {open.kl[j].toFixed(2)}</span>
      {informed && informed.mi > 0.05 ? (
        <span
          class="factor"
          title="the factor this dimension informs most: MI(z; factor) / H(factor) over the held-out images"
        >
          {" "}
          {informed.factor} {informed.mi.toFixed(2)}
        </span>
      ) : null}
    </span>
  );
}

function Sliders(props: {
  open: OpenRun;
  code: Float32Array;
  selected: number;
  onChange: (j: number, value: number) => void;
  onSelect: (j: number) => void;
}) {
  const { open } = props;
  const byKl = (dims: number[]) => [...dims].sort((a, b) => open.kl[b] - open.kl[a]);
  const slider = (j: number) => (
    <div class={`slider ${props.selected === j ? "selected" : ""}`} key={j}>
      <button
        type="button"
        class="link"
        onClick={() => props.onSelect(j)}
        title="show this dimension's traversal"
      >
        <DimensionLabel open={open} j={j} />
      </button>
      <input
        type="range"
        min={open.range.low[j]}
        max={open.range.high[j]}
        step={(open.range.high[j] - open.range.low[j]) / 600}
        value={props.code[j]}
        aria-label={`z${j}`}
        data-dim={j}
        onInput={(event) => props.onChange(j, Number((event.target as HTMLInputElement).value))}
        onFocus={() => props.onSelect(j)}
      />
      <span class="value">{props.code[j].toFixed(2)}</span>
    </div>
  );
  const inactive = byKl(open.kl.map((_, j) => j).filter((j) => !open.active[j]));
  return (
    <div class="sliders">
      {open.groups.map((group) => {
        const active = byKl(group.dims.filter((j) => open.active[j]));
        return (
          <div key={group.name ?? "all"}>
            {group.header ? <h4>{group.header}</h4> : null}
            {active.map(slider)}
            {group.header && active.length === 0 && group.dims.length > 0 ? (
              <p class="note">no active dimension here</p>
            ) : null}
          </div>
        );
      })}
      {inactive.length > 0 ? (
        <details>
          <summary>
            {inactive.length} inactive dimension{inactive.length === 1 ? "" : "s"} (KL &lt; 0.01
            nats: the decoder ignores them)
          </summary>
          {inactive.map(slider)}
        </details>
      ) : null}
      {open.active.every((a) => !a) ? (
        <p class="note">
          Every dimension is inactive: this run has not learned a code yet (train it longer).
        </p>
      ) : null}
    </div>
  );
}

/** Resizes a dropped image file to the run's shape: floats in [0, 1], HWC. */
async function imageFromFile(
  file: File,
  [h, w, c]: readonly [number, number, number],
): Promise<Float32Array> {
  const bitmap = await createImageBitmap(file);
  const canvas = new OffscreenCanvas(w, h);
  const context = canvas.getContext("2d") as OffscreenCanvasRenderingContext2D;
  context.drawImage(bitmap, 0, 0, w, h);
  const rgba = context.getImageData(0, 0, w, h).data;
  const out = new Float32Array(h * w * c);
  for (let p = 0; p < h * w; p++) {
    if (c === 1)
      out[p] = (0.299 * rgba[p * 4] + 0.587 * rgba[p * 4 + 1] + 0.114 * rgba[p * 4 + 2]) / 255;
    else for (let k = 0; k < c; k++) out[p * c + k] = rgba[p * 4 + k] / 255;
  }
  return out;
}

function factorColour(open: OpenRun, f: number, i: number): string {
  const { dataset } = open.heldOut;
  const k = dataset.factors.length;
  const factor = dataset.factors[f];
  const level = dataset.factorIndices?.[i * k + f] ?? -1;
  if (level < 0) return "#8c8c8c";
  if (factor.kind === "categorical" && factor.values.length <= OKABE_ITO.length)
    return OKABE_ITO[level];
  return viridis(level / Math.max(1, factor.values.length - 1));
}

function factorText(open: OpenRun, i: number): string {
  const { dataset } = open.heldOut;
  const k = dataset.factors.length;
  return dataset.factors
    .map((factor, f) => {
      const level = dataset.factorIndices?.[i * k + f] ?? -1;
      const value = dataset.factorValues?.[i * k + f];
      const shown =
        factor.labels?.[level] ?? (value === undefined ? "?" : Number(value.toPrecision(3)));
      return `${factor.name} ${shown}`;
    })
    .join(", ");
}

/** What the map's colours mean: one swatch per value, or a low-to-high bar for many values. */
function Legend({ open, f }: { open: OpenRun; f: number }) {
  const factor = open.heldOut.dataset.factors[f];
  const label = (l: number) =>
    factor.labels?.[l] ?? String(Number(factor.values[l].toPrecision(3)));
  if (factor.kind === "categorical" && factor.values.length <= OKABE_ITO.length) {
    return (
      <p class="legend">
        {factor.values.map((_, l) => (
          <span key={l}>
            <span class="swatch" style={{ background: OKABE_ITO[l] }} /> {label(l)}{" "}
          </span>
        ))}
      </p>
    );
  }
  const stops = Array.from({ length: 9 }, (_, i) => viridis(i / 8)).join(", ");
  return (
    <p class="legend">
      {factor.name} {label(0)}{" "}
      <span class="bar" style={{ background: `linear-gradient(to right, ${stops})` }} />{" "}
      {label(factor.values.length - 1)}
    </p>
  );
}

/** The subspaces a map or a swap can use: a triplet run's queries, else the whole latent space. */
function subspaces(open: OpenRun): { name: string; dims: number[] }[] {
  const masks = open.run.masks;
  if (masks) {
    return masks.names.map((name, q) => ({
      name,
      dims: subspaceDims(masks.data.subarray(q * masks.dims, (q + 1) * masks.dims)),
    }));
  }
  return [{ name: "latent", dims: open.kl.map((_, j) => j) }];
}

function MapView(props: { open: OpenRun; onPick: (i: number) => void }) {
  const { open } = props;
  const spaces = useMemo(() => subspaces(open), [open]);
  const [space, setSpace] = useState(spaces[0].name);
  const [method, setMethod] = useState<"tsne" | "umap">("tsne");
  const factorNamed = (name: string) =>
    Math.max(
      0,
      open.heldOut.dataset.factors.findIndex((f) => f.name === name),
    );
  const [factor, setFactor] = useState(() => factorNamed(spaces[0].name));
  const [embedding, setEmbedding] = useState<{ key: string; xy: Float64Array; dims: number[] }>();
  const [busy, setBusy] = useState<string>();
  const [hover, setHover] = useState<number>();
  const [picked, setPicked] = useState<{
    i: number;
    neighbours: { j: number; distance: number }[];
  }>();
  const n = open.heldOut.dataset.count;
  const d = open.config.z;
  const shape = open.heldOut.dataset.imageShape;
  const compute = async () => {
    const dims = spaces.find((s) => s.name === space)?.dims ?? [];
    if (dims.length === 0) {
      setBusy(`the ${space} subspace has no dimensions`);
      return;
    }
    const points = new Float32Array(n * dims.length);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < dims.length; k++) points[i * dims.length + k] = open.mu[i * d + dims[k]];
    }
    setBusy(`${method === "tsne" ? "t-SNE" : "UMAP"} of ${n} held-out codes...`);
    const started = performance.now();
    const result =
      method === "tsne"
        ? await tsne(points, n, dims.length, {
            perplexity: Math.min(30, Math.floor((n - 1) / 3)),
            maxIter: 500,
            onProgress: (done, total) => {
              if (done % 50 === 0) setBusy(`t-SNE iteration ${done} of ${total}...`);
            },
          })
        : await umap(points, n, dims.length, { nNeighbors: Math.min(15, n - 1) });
    setEmbedding({ key: `${space}/${method}`, xy: result.embedding, dims });
    setBusy(
      `${method === "tsne" ? "t-SNE" : "UMAP"} took ${((performance.now() - started) / 1000).toFixed(1)} s in the page`,
    );
    probes().viewers[open.summary.id].mapPoints = n;
  };
  const size = 320;
  const positions = useMemo(() => {
    if (!embedding) return undefined;
    const xy = embedding.xy;
    let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
    for (let i = 0; i < n; i++) {
      [x0, x1] = [Math.min(x0, xy[2 * i]), Math.max(x1, xy[2 * i])];
      [y0, y1] = [Math.min(y0, xy[2 * i + 1]), Math.max(y1, xy[2 * i + 1])];
    }
    const scale = (size - 20) / Math.max(x1 - x0, y1 - y0, 1e-9);
    // The longer axis fills the square; the shorter one is centred.
    const [dx, dy] = [(size - 20 - (x1 - x0) * scale) / 2, (size - 20 - (y1 - y0) * scale) / 2];
    return Array.from({ length: n }, (_, i) => [
      10 + dx + (xy[2 * i] - x0) * scale,
      10 + dy + (xy[2 * i + 1] - y0) * scale,
    ]);
  }, [embedding, n]);
  const pick = (i: number) => {
    const dims = embedding?.dims ?? [];
    const distance = (j: number) =>
      Math.sqrt(dims.reduce((sum, h) => sum + (open.mu[i * d + h] - open.mu[j * d + h]) ** 2, 0));
    const neighbours = Array.from({ length: n }, (_, j) => ({ j, distance: distance(j) }))
      .filter(({ j }) => j !== i)
      .sort((a, b) => a.distance - b.distance)
      .slice(0, 6);
    setPicked({ i, neighbours });
    probes().viewers[open.summary.id].neighbours = neighbours.map(({ j }) => j);
    props.onPick(i);
  };
  const factors = open.heldOut.dataset.factors;
  return (
    <div class="map">
      <div class="controls">
        {spaces.length > 1 ? (
          <label>
            subspace{" "}
            <select
              value={space}
              onChange={(e) => {
                const name = (e.target as HTMLSelectElement).value;
                setSpace(name);
                setFactor(factorNamed(name));
              }}
            >
              {spaces.map((s) => (
                <option key={s.name} value={s.name}>
                  {s.name} ({s.dims.map((h) => `z${h}`).join(", ")})
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <label>
          method{" "}
          <select
            value={method}
            onChange={(e) => setMethod((e.target as HTMLSelectElement).value as "tsne" | "umap")}
          >
            <option value="tsne">t-SNE</option>
            <option value="umap">UMAP</option>
          </select>
        </label>
        {factors.length > 0 ? (
          <label>
            colour by{" "}
            <select
              value={factor}
              onChange={(e) => setFactor(Number((e.target as HTMLSelectElement).value))}
            >
              {factors.map((f, k) => (
                <option key={f.name} value={k}>
                  {f.name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <button type="button" onClick={compute} id={`map-${open.summary.id}`}>
          {embedding ? "Recompute map" : "Compute map"}
        </button>
        {busy ? <span class="note"> {busy}</span> : null}
      </div>
      {positions ? (
        <div class="map-body">
          <svg width={size} height={size} class="map-plot" role="img" aria-label="subspace map">
            {positions.map(([x, y], i) => (
              // biome-ignore lint/a11y/noStaticElementInteractions: a scatter plot's points; the nearest-neighbour list offers the same by click
              <circle
                key={i}
                cx={x}
                cy={y}
                r={picked?.i === i ? 6 : 3.5}
                fill={factors.length > 0 ? factorColour(open, factor, i) : "#0072B2"}
                stroke={
                  picked?.i === i
                    ? "#000"
                    : picked?.neighbours.some((nb) => nb.j === i)
                      ? "#d00"
                      : "none"
                }
                stroke-width={2}
                data-index={i}
                onMouseEnter={() => setHover(i)}
                onMouseLeave={() => setHover(undefined)}
                onClick={() => pick(i)}
              />
            ))}
          </svg>
          <div class="map-side">
            {factors.length > 0 ? <Legend open={open} f={factor} /> : null}
            {hover !== undefined ? (
              <div>
                <ImageCanvas
                  pixels={open.images}
                  offset={hover * pixelsOf(shape)}
                  shape={shape}
                  scale={Math.max(2, Math.round(96 / shape[1]))}
                />
                <p class="note">
                  held-out image {hover}: {factorText(open, hover)}
                </p>
              </div>
            ) : (
              <p class="note">
                Hover a point to see its image; click it to load its code into the sliders and list
                its nearest neighbours in this subspace.
              </p>
            )}
            {picked ? (
              <div>
                <h4>nearest to image {picked.i}</h4>
                <div class="thumbs">
                  {picked.neighbours.map(({ j, distance }) => (
                    <ImageCanvas
                      key={j}
                      pixels={open.images}
                      offset={j * pixelsOf(shape)}
                      shape={shape}
                      scale={Math.max(1, Math.round(40 / shape[1]))}
                      title={`image ${j}, distance ${distance.toFixed(2)}: ${factorText(open, j)}`}
                      onClick={() => pick(j)}
                    />
                  ))}
                </div>
              </div>
            ) : null}
          </div>
        </div>
      ) : null}
    </div>
  );
}

function Arithmetic(props: { open: OpenRun; onUse: (code: Float32Array) => void }) {
  const { open } = props;
  const n = open.heldOut.dataset.count;
  const d = open.config.z;
  const shape = open.heldOut.dataset.imageShape;
  const factors = open.heldOut.dataset.factors;
  // Subspaces: a triplet run's queries; otherwise the active dimensions that inform each factor most.
  const choices = useMemo(() => {
    if (open.run.masks) return subspaces(open);
    return factors
      .map((f) => ({
        name: f.name,
        dims: open.kl
          .map((_, j) => j)
          .filter((j) => open.active[j] && open.informed?.[j]?.factor === f.name),
      }))
      .filter((c) => c.dims.length > 0);
  }, [open]);
  const [a, setA] = useState(0);
  const [b, setB] = useState(Math.min(1, n - 1));
  const [choice, setChoice] = useState(choices[0]?.name ?? "");
  const [result, setResult] = useState<Float32Array>();
  const dims = choices.find((c) => c.name === choice)?.dims ?? [];
  const swapped = useMemo(
    () => swapSubspace(row(open.mu, a, d), row(open.mu, b, d), dims, d),
    [a, b, dims.join(","), open],
  );
  useEffect(() => {
    open.decoder.decode(swapped, 1).then(setResult);
  }, [swapped]);

  // Attribute vector: mean code of the images with factor value `high` minus that with `low`.
  const [af, setAf] = useState(0);
  const levels = factors[af]?.values ?? [];
  const [low, setLow] = useState(0);
  const [high, setHigh] = useState(Math.max(0, levels.length - 1));
  const [t, setT] = useState(1);
  const vector = useMemo(() => {
    const k = factors.length;
    const sums = [new Float64Array(d), new Float64Array(d)];
    const counts = [0, 0];
    for (let i = 0; i < n; i++) {
      const level = open.heldOut.dataset.factorIndices?.[i * k + af];
      [low, high].forEach((want, s) => {
        if (level !== want) return;
        counts[s]++;
        for (let j = 0; j < d; j++) sums[s][j] += open.mu[i * d + j];
      });
    }
    if (counts[0] === 0 || counts[1] === 0) return { v: undefined, counts };
    return {
      v: Float32Array.from(
        { length: d },
        (_, j) => sums[1][j] / counts[1] - sums[0][j] / counts[0],
      ),
      counts,
    };
  }, [af, low, high, open]);
  const base = row(open.mu, b, d);
  const moved = useMemo(
    () => (vector.v ? base.map((z, j) => z + t * (vector.v as Float32Array)[j]) : undefined),
    [vector, t, b],
  );
  const [movedImage, setMovedImage] = useState<Float32Array>();
  useEffect(() => {
    if (moved) open.decoder.decode(moved, 1).then(setMovedImage);
  }, [moved]);
  const scale = Math.max(2, Math.round(64 / shape[1]));
  const pickImage = (label: string, value: number, set: (v: number) => void) => (
    <label>
      {label}{" "}
      <input
        type="number"
        min={0}
        max={n - 1}
        value={value}
        onChange={(e) =>
          set(Math.min(n - 1, Math.max(0, Number((e.target as HTMLInputElement).value) || 0)))
        }
      />
      <ImageCanvas
        pixels={open.images}
        offset={value * pixelsOf(shape)}
        shape={shape}
        scale={scale}
        title={factorText(open, value)}
      />
    </label>
  );
  const label = (f: number, l: number) =>
    factors[f].labels?.[l] ?? String(Number(factors[f].values[l].toPrecision(3)));
  return (
    <div class="arithmetic">
      <h4>B with A's subspace</h4>
      {choices.length === 0 ? (
        <p class="note">
          No subspace to swap: the run has no query subspaces and no active dimension informs a
          factor.
        </p>
      ) : (
        <div class="row">
          {pickImage("A", a, setA)}
          {pickImage("B", b, setB)}
          <label>
            {open.run.masks ? "query" : "factor's dimensions"}{" "}
            <select
              value={choice}
              onChange={(e) => setChoice((e.target as HTMLSelectElement).value)}
            >
              {choices.map((c) => (
                <option key={c.name} value={c.name}>
                  {c.name} ({c.dims.map((h) => `z${h}`).join(", ")})
                </option>
              ))}
            </select>
          </label>
          <div>
            <span>= B with A's {choice}</span>
            <ImageCanvas pixels={result} shape={shape} scale={scale} />
            <button type="button" onClick={() => props.onUse(swapped)}>
              open in sliders
            </button>
          </div>
        </div>
      )}
      {factors.length > 0 ? (
        <div>
          <h4>Attribute vector</h4>
          <p class="note">
            The mean code of the held-out images with one value of a factor minus the mean code of
            those with another, added to B's code t times (latent space cartography).
          </p>
          <div class="row">
            <label>
              factor{" "}
              <select
                value={af}
                onChange={(e) => {
                  const f = Number((e.target as HTMLSelectElement).value);
                  setAf(f);
                  setLow(0);
                  setHigh(factors[f].values.length - 1);
                }}
              >
                {factors.map((f, k) => (
                  <option key={f.name} value={k}>
                    {f.name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              from{" "}
              <select
                value={low}
                onChange={(e) => setLow(Number((e.target as HTMLSelectElement).value))}
              >
                {levels.map((_, l) => (
                  <option key={l} value={l}>
                    {label(af, l)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              to{" "}
              <select
                value={high}
                onChange={(e) => setHigh(Number((e.target as HTMLSelectElement).value))}
              >
                {levels.map((_, l) => (
                  <option key={l} value={l}>
                    {label(af, l)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              t {t.toFixed(2)}{" "}
              <input
                type="range"
                min={-2}
                max={2}
                step={0.05}
                value={t}
                onInput={(e) => setT(Number((e.target as HTMLInputElement).value))}
              />
            </label>
            {vector.v ? (
              <div>
                <ImageCanvas pixels={movedImage} shape={shape} scale={scale} />
                <button type="button" onClick={() => moved && props.onUse(moved)}>
                  open in sliders
                </button>
              </div>
            ) : (
              <span class="note">
                no held-out image has one of these values ({vector.counts[0]} and {vector.counts[1]}{" "}
                images)
              </span>
            )}
          </div>
        </div>
      ) : null}
    </div>
  );
}

function CurvesAndMetrics({ open }: { open: OpenRun }) {
  const fields = useMemo(() => {
    const names = new Set<string>();
    for (const r of open.log)
      for (const k of Object.keys(r)) if (k !== "step" && k !== "imagesPerSecond") names.add(k);
    return [...names];
  }, [open]);
  const metrics = Object.entries(open.summary.metrics);
  return (
    <div>
      {fields.length === 0 ? <p class="note">No log.jsonl rows.</p> : null}
      <div class="charts">
        {fields.map((field) => (
          <LineChart key={field} rows={open.log} field={field} />
        ))}
      </div>
      {metrics.length > 0 ? (
        <table class="metrics">
          <thead>
            <tr>
              <th>metric (eval.json)</th>
              <th>value</th>
            </tr>
          </thead>
          <tbody>
            {metrics.map(([name, value]) => (
              <tr key={name}>
                <td>{name}</td>
                <td>{value.toFixed(4)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="note">
          No eval.json: score the run with <code>disentangle eval {open.summary.path}</code>.
        </p>
      )}
    </div>
  );
}

export function Viewer(props: { open: OpenRun; onClose: () => void; compact: boolean }) {
  const { open } = props;
  const d = open.config.z;
  const shape = open.heldOut.dataset.imageShape;
  const n = open.heldOut.dataset.count;
  const [code, setCode] = useState(() => row(open.mu, 0, d));
  const [origin, setOrigin] = useState("held-out image 0");
  const firstActive = useMemo(() => {
    const order = open.kl.map((_, j) => j).sort((x, y) => open.kl[y] - open.kl[x]);
    return order[0] ?? 0;
  }, [open]);
  const [selected, setSelected] = useState(firstActive);
  const [strip, setStrip] = useState<Float32Array>();
  const [dropNote, setDropNote] = useState<string>();
  const [seed, setSeed] = useState(1);
  useMemo(() => {
    probes().viewers[open.summary.id] = {
      code: [],
      pixels: [],
      ms: 0,
      decodes: 0,
      selected: firstActive,
      mapPoints: 0,
      neighbours: [],
    };
  }, [open]);
  const live = useLiveDecode(open, code);

  // The traversal strip of the selected dimension around the current code.
  useEffect(() => {
    let cancelled = false;
    const codes = new Float32Array(STRIP_COLUMNS * d);
    for (let c = 0; c < STRIP_COLUMNS; c++) {
      codes.set(code, c * d);
      const [low, high] = [open.range.low[selected], open.range.high[selected]];
      codes[c * d + selected] = low + ((high - low) * c) / (STRIP_COLUMNS - 1);
    }
    const timer = setTimeout(() => {
      open.decoder.decode(codes, STRIP_COLUMNS).then((images) => !cancelled && setStrip(images));
    }, 80);
    probes().viewers[open.summary.id].selected = selected;
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [selected, code, open]);

  const setDim = (j: number, value: number) => {
    const next = Float32Array.from(code);
    next[j] = value;
    setCode(next);
  };
  const startFrom = (i: number) => {
    setCode(row(open.mu, i, d));
    setOrigin(`held-out image ${i}`);
  };
  const onDrop = async (event: DragEvent) => {
    event.preventDefault();
    const file = event.dataTransfer?.files[0];
    if (!file) return;
    try {
      const image = await imageFromFile(file, shape);
      const { mu } = await encodeImages(open.run, image, 1);
      setCode(Float32Array.from(mu));
      setOrigin(`${file.name}, resized to ${shape[1]}x${shape[0]}${shape[2] === 1 ? " grey" : ""}`);
      setDropNote(undefined);
    } catch (error) {
      setDropNote(
        `could not read ${file.name}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };
  const scale = Math.max(2, Math.floor(192 / shape[1]));
  const thumbScale = Math.max(1, Math.round(32 / shape[1]));
  const s = open.summary;
  return (
    <section class="viewer" id={`viewer-${s.id}`}>
      <header>
        <h2>{s.path}</h2>
        <span class="dim">
          {open.config.model} on {open.config.data} · z {d} · step {open.run.step} · {n}{" "}
          {open.heldOut.pool} images · loaded in {open.loadSeconds.toFixed(1)} s
        </span>
        <button type="button" class="close" onClick={props.onClose} title="close this run">
          ×
        </button>
      </header>
      <div class={`viewer-body ${props.compact ? "compact" : ""}`}>
        <div class="decoded">
          {/* biome-ignore lint/a11y/noStaticElementInteractions: dropping a file is the one way in besides the buttons below */}
          <div
            class="drop"
            onDragOver={(e) => e.preventDefault()}
            onDrop={onDrop}
            title="drop an image here to start from its code"
          >
            <ImageCanvas id={`decoded-${s.id}`} pixels={live?.pixels} shape={shape} scale={scale} />
          </div>
          <p class="dim">
            from {origin}
            <br />
            {live === undefined
              ? "decoding..."
              : live.first
                ? `first decode ${live.ms.toFixed(0)} ms (it compiles the decoder; move a slider)`
                : `${live.ms.toFixed(1)} ms per decode (median ${live.median.toFixed(1)} ms)`}
          </p>
          <div class="buttons">
            <button
              type="button"
              onClick={() => {
                setCode(Float32Array.from(open.range.median));
                setOrigin("the prior's median");
              }}
            >
              prior median
            </button>
            <button
              type="button"
              onClick={async () => {
                setCode(await priorSample(open, seed));
                setOrigin(`a prior sample (seed ${seed})`);
                setSeed(seed + 1);
              }}
            >
              random sample
            </button>
          </div>
          <p class="note">Or drop an image on the picture.{dropNote ? ` ${dropNote}` : ""}</p>
        </div>
        <div class="controls-column">
          <Sliders
            open={open}
            code={code}
            selected={selected}
            onChange={setDim}
            onSelect={setSelected}
          />
        </div>
      </div>
      <h3>
        Traversal of z{selected}{" "}
        <span class="dim">
          over the {open.range.prior} prior's central {(100 * open.range.mass).toFixed(1)}% (
          {open.range.low[selected].toFixed(2)} to {open.range.high[selected].toFixed(2)}), the
          other dimensions as in the picture (click a dimension's name to choose)
        </span>
      </h3>
      <StripCanvas
        id={`strip-${s.id}`}
        images={strip}
        count={STRIP_COLUMNS}
        shape={shape}
        scale={Math.max(1, Math.floor(64 / shape[1]))}
      />
      <h3>
        Held-out images <span class="dim">(click one to start from its code)</span>
      </h3>
      <div class="thumbs" id={`heldout-${s.id}`}>
        {Array.from({ length: Math.min(n, 32) }, (_, i) => (
          <ImageCanvas
            key={i}
            pixels={open.images}
            offset={i * pixelsOf(shape)}
            shape={shape}
            scale={thumbScale}
            title={`image ${i}: ${factorText(open, i)}`}
            onClick={() => startFrom(i)}
          />
        ))}
      </div>
      <details>
        <summary>Subspace map (t-SNE / UMAP of the held-out codes, computed in the page)</summary>
        <MapView open={open} onPick={(i) => startFrom(i)} />
      </details>
      <details>
        <summary>Image arithmetic and attribute vectors</summary>
        <Arithmetic
          open={open}
          onUse={(c) => {
            setCode(Float32Array.from(c));
            setOrigin("image arithmetic");
          }}
        />
      </details>
      <details>
        <summary>Training curves and metrics</summary>
        <CurvesAndMetrics open={open} />
      </details>
    </section>
  );
}
