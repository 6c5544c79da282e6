// The page: the browser entry, resolved by vite through the package's `browser` condition.
import * as lib from "disentangle";
import { decodeOne, IMAGE_SHAPE } from "./decode.js";

const engine = await lib.initEngine("wasm");
const started = performance.now();
const pixels = await decodeOne(lib);
const ms = performance.now() - started;

const [height, width] = IMAGE_SHAPE;
const canvas = document.querySelector("canvas");
const context = canvas.getContext("2d");
const rgba = context.createImageData(width, height);
pixels.forEach((value, i) => {
  const grey = Math.round(value * 255);
  rgba.data.set([grey, grey, grey, 255], i * 4);
});
context.putImageData(rgba, 0, 0);
document.querySelector("output").textContent = `decoded on ${engine.device} in ${ms.toFixed(0)} ms`;
window.decoded = { device: engine.device, pixels };
