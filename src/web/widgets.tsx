/** Small pieces the explorer's views share: an image canvas, a thumbnail, a line chart. */
import { useEffect, useRef } from "preact/hooks";
import { drawImage } from "./run-model.ts";

type Shape = readonly [number, number, number];

/** An HWC float image drawn at `scale` times its size, pixelated. */
export function ImageCanvas(props: {
  pixels: Float32Array | undefined;
  shape: Shape;
  scale: number;
  offset?: number;
  title?: string;
  id?: string;
  class?: string;
  onClick?: () => void;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (ref.current && props.pixels)
      drawImage(ref.current, props.pixels, props.shape, props.offset ?? 0);
  }, [props.pixels, props.offset, props.shape]);
  const [h, w] = props.shape;
  return (
    <canvas
      ref={ref}
      id={props.id}
      class={`pixels ${props.class ?? ""}`}
      width={w}
      height={h}
      title={props.title}
      style={{ width: `${w * props.scale}px`, height: `${h * props.scale}px` }}
      onClick={props.onClick}
    />
  );
}

/** A row of images [count] drawn side by side on one canvas (a traversal strip). */
export function StripCanvas(props: {
  images: Float32Array | undefined;
  count: number;
  shape: Shape;
  scale: number;
  id?: string;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  const [h, w, c] = props.shape;
  useEffect(() => {
    const canvas = ref.current;
    const images = props.images;
    if (!canvas || !images) return;
    const context = canvas.getContext("2d");
    if (!context) return;
    const data = context.createImageData(w * props.count, h);
    for (let i = 0; i < props.count; i++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const at = (y * w * props.count + i * w + x) * 4;
          for (let k = 0; k < 3; k++) {
            const v = images[i * h * w * c + (y * w + x) * c + (c === 1 ? 0 : k)];
            data.data[at + k] = Math.round(255 * Math.min(1, Math.max(0, v)));
          }
          data.data[at + 3] = 255;
        }
      }
    }
    context.putImageData(data, 0, 0);
  }, [props.images, props.count, h, w, c]);
  return (
    <canvas
      ref={ref}
      id={props.id}
      class="pixels"
      width={w * props.count}
      height={h}
      style={{ width: `${w * props.count * props.scale}px`, height: `${h * props.scale}px` }}
    />
  );
}

/** A small line chart of `key` over `step` (log scale when the values span 100x or more). */
export function LineChart(props: {
  rows: readonly Record<string, number>[];
  field: string;
  width?: number;
  height?: number;
}) {
  const width = props.width ?? 260;
  const height = props.height ?? 120;
  const points = props.rows
    .map((row) => [row.step, row[props.field]] as const)
    .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (points.length === 0) {
    return <p class="note">no {props.field} logged yet</p>;
  }
  const xs = points.map(([x]) => x);
  const ys = points.map(([, y]) => y);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const logScale = y0 > 0 && y1 / y0 >= 100;
  const fy = (y: number) => (logScale ? Math.log10(y) : y);
  const [ly0, ly1] = [fy(y0), fy(y1)];
  const pad = { left: 44, right: 8, top: 16, bottom: 18 };
  const px = (x: number) =>
    pad.left + ((x - x0) / Math.max(1e-12, x1 - x0)) * (width - pad.left - pad.right);
  const py = (y: number) =>
    height -
    pad.bottom -
    ((fy(y) - ly0) / Math.max(1e-12, ly1 - ly0)) * (height - pad.top - pad.bottom);
  const path = points
    .map(([x, y], i) => `${i === 0 ? "M" : "L"}${px(x).toFixed(1)},${py(y).toFixed(1)}`)
    .join("");
  const fmt = (v: number) =>
    Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : v.toPrecision(3);
  return (
    <svg
      class="chart"
      width={width}
      height={height}
      role="img"
      aria-label={`${props.field} over training steps`}
    >
      <text x={pad.left} y={11} class="chart-title">
        {props.field}
        {logScale ? " (log scale)" : ""}: {fmt(ys[ys.length - 1])}
      </text>
      <line
        x1={pad.left}
        y1={height - pad.bottom}
        x2={width - pad.right}
        y2={height - pad.bottom}
        class="axis"
      />
      <line x1={pad.left} y1={pad.top} x2={pad.left} y2={height - pad.bottom} class="axis" />
      <text x={pad.left - 4} y={pad.top + 8} class="tick" text-anchor="end">
        {fmt(y1)}
      </text>
      <text x={pad.left - 4} y={height - pad.bottom} class="tick" text-anchor="end">
        {fmt(y0)}
      </text>
      <text x={pad.left} y={height - 4} class="tick">
        step {x0}
      </text>
      <text x={width - pad.right} y={height - 4} class="tick" text-anchor="end">
        {x1}
      </text>
      <path d={path} class="line" />
    </svg>
  );
}
