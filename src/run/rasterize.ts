/** SVG pictures to PNG files in Node, with resvg and the system's fonts (DejaVu Sans on Debian). */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { Resvg } from "@resvg/resvg-js";

/** Renders `svg` to PNG bytes at `scale` times its size. */
export function rasterizeSvg(svg: string, scale = 1): Uint8Array {
  const resvg = new Resvg(svg, {
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" },
    fitTo: scale === 1 ? { mode: "original" } : { mode: "zoom", value: scale },
  });
  return resvg.render().asPng();
}

/** Writes bytes to `path`, creating its folder. */
export function writeBytes(path: string, bytes: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
}
