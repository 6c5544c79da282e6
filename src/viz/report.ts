/**
 * The run report as one self-contained HTML page: the run's config, its metrics table and
 * every picture (files beside the page, so the folder opens offline in any browser). Pure:
 * strings in, a string out; `disentangle report` (src/cli/report.ts) makes the pictures and
 * writes the folder.
 */
import { escapeXml as escapeHtml } from "./svg.ts";

export interface ReportPicture {
  /** File name beside index.html. */
  file: string;
  alt: string;
}

export interface ReportSection {
  title: string;
  /** One paragraph saying what the picture shows and how to read it. */
  caption: string;
  pictures: ReportPicture[];
}

export interface ReportMetric {
  values: Record<string, number | null>;
  options?: Record<string, unknown>;
}

export interface ReportInput {
  title: string;
  /** One line under the title: model, dataset, step. */
  subtitle: string;
  config: Record<string, unknown>;
  metrics: Record<string, ReportMetric>;
  sections: ReportSection[];
}

const STYLE = `
body { font-family: "DejaVu Sans", system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #111; line-height: 1.45; }
h1 { margin-bottom: 0.2rem; } .subtitle { color: #444; margin-top: 0; }
h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; margin-top: 2.2rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; } td, th { padding: 0.25rem 0.8rem; border-bottom: 1px solid #eee; text-align: left; }
td.value { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 0.8rem 0 1.6rem; } figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #333; font-size: 0.95rem; max-width: 70ch; }
nav a { margin-right: 1rem; } details pre { background: #f6f6f6; padding: 0.8rem; overflow-x: auto; }
`;

function metricRows(metrics: Record<string, ReportMetric>): string {
  const rows: string[] = [];
  for (const [name, metric] of Object.entries(metrics)) {
    for (const [key, value] of Object.entries(metric.values)) {
      const shown = value === null ? "n/a" : value.toFixed(4);
      rows.push(
        `<tr><td>${escapeHtml(name)}</td><td>${escapeHtml(key)}</td><td class="value">${shown}</td></tr>`,
      );
    }
  }
  return rows.join("\n");
}

const anchor = (title: string) => title.toLowerCase().replace(/[^a-z0-9]+/g, "-");

export function reportHtml(input: ReportInput): string {
  const metrics = Object.keys(input.metrics).length
    ? `<table><thead><tr><th>metric</th><th>value</th><th></th></tr></thead><tbody>\n${metricRows(input.metrics)}\n</tbody></table>`
    : "<p>No metrics were computed.</p>";
  const sections = input.sections.map(
    (section) => `<section id="${anchor(section.title)}">
<h2>${escapeHtml(section.title)}</h2>
${section.pictures
  .map(
    (p) =>
      `<figure><img src="${escapeHtml(p.file)}" alt="${escapeHtml(p.alt)}"><figcaption>${escapeHtml(section.caption)}</figcaption></figure>`,
  )
  .join("\n")}
</section>`,
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(input.title)}</h1>
<p class="subtitle">${escapeHtml(input.subtitle)}</p>
<nav>${["Metrics", ...input.sections.map((s) => s.title)].map((t) => `<a href="#${anchor(t)}">${escapeHtml(t)}</a>`).join("")}</nav>
<section id="metrics"><h2>Metrics</h2>
${metrics}
</section>
${sections.join("\n")}
<section id="config"><h2>Config</h2>
<details><summary>config.json</summary><pre>${escapeHtml(JSON.stringify(input.config, null, 2))}</pre></details>
</section>
</body>
</html>
`;
}
