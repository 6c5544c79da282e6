/**
 * The README's tables of objectives, priors, prior divergences and metrics, made from their registries'
 * descriptors (names, summaries, hyperparameters with defaults). `npm run docs` rewrites the
 * marked blocks of README.md; test/docs/readme.test.ts fails when they are out of date.
 */
import { LIKELIHOODS } from "../../src/distributions/likelihoods/registry.ts";
import { PRIORS } from "../../src/distributions/priors.ts";
import { METRICS } from "../../src/metrics/registry.ts";
import { fieldDocs } from "../../src/objectives/descriptor.ts";
import { PRIOR_DIVERGENCES } from "../../src/objectives/prior-term.ts";
import { OBJECTIVES } from "../../src/objectives/registry.ts";
import { tripletVae } from "../../src/objectives/triplet-vae.ts";

const kebab = (field: string) => field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** `--beta` (6), `--estimator` (mss: mws, mss), ... */
function flags(schema: Parameters<typeof fieldDocs>[0]): string {
  const docs = fieldDocs(schema);
  if (docs.length === 0) return "none";
  return docs
    .map((f) => {
      const value =
        f.default === undefined
          ? ""
          : ` ${Array.isArray(f.default) ? f.default.join(",") : String(f.default)}`;
      return `\`--${kebab(f.name)}\`${value}`;
    })
    .join(", ");
}

const escape = (text: string) => text.replace(/\|/g, "\\|");

export function objectivesTable(): string {
  const rows = [...Object.values(OBJECTIVES), tripletVae].map(
    (d) => `| \`${d.name}\` | ${escape(d.summary)} | ${flags(d.schema)} | \`${d.file}\` |`,
  );
  return [
    "| `--model` | objective | hyperparameters (default) | file |",
    "|---|---|---|---|",
    ...rows,
  ].join("\n");
}

export function priorsTable(): string {
  const rows = Object.entries(PRIORS).map(([name, p]) => `| \`${name}\` | ${escape(p.summary)} |`);
  return ["| `--prior` | p(z) |", "|---|---|", ...rows].join("\n");
}

export function priorDivergencesTable(): string {
  const rows = Object.entries(PRIOR_DIVERGENCES).map(
    ([name, d]) =>
      `| \`${name}\` | ${escape(d.summary)} | ${escape(d.estimator("normal", "normal"))} | \`${d.file}\` |`,
  );
  return [
    "| `--prior-divergence` | in place of the KL | estimator (normal prior) | file |",
    "|---|---|---|---|",
    ...rows,
  ].join("\n");
}

export function likelihoodsTable(): string {
  const rows = Object.values(LIKELIHOODS).map(
    (d) => `| \`${d.name}\` | ${escape(d.summary)} | ${flags(d.schema)} | \`${d.file}\` |`,
  );
  return [
    "| `--likelihood` | p(x\\|z) | options (default) | file |",
    "|---|---|---|---|",
    ...rows,
  ].join("\n");
}

export function metricsTable(): string {
  const rows = Object.values(METRICS).map(
    (m) => `| \`${m.name}\` | ${escape(m.summary)} | ${flags(m.schema)} |`,
  );
  return ["| `--metrics` | what it measures | options (default) |", "|---|---|---|", ...rows].join(
    "\n",
  );
}

export const BLOCKS = {
  objectives: objectivesTable,
  priors: priorsTable,
  "prior-divergences": priorDivergencesTable,
  likelihoods: likelihoodsTable,
  metrics: metricsTable,
};

/** README text with every marked block replaced by its table. */
export function withTables(readme: string): string {
  let out = readme;
  for (const [name, make] of Object.entries(BLOCKS)) {
    const pattern = new RegExp(`(<!-- ${name}:begin -->\\n)[\\s\\S]*?(<!-- ${name}:end -->)`);
    if (!pattern.test(out))
      throw new Error(`README.md has no <!-- ${name}:begin --> ... end block`);
    out = out.replace(pattern, `$1${make()}\n$2`);
  }
  return out;
}
