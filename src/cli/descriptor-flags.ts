/**
 * Command-line flags derived from descriptors (objectives' hyperparameters, metrics'
 * options): the flag, its help with each descriptor's doc and default, and its value parsed
 * by the field's type. Validation is the descriptor's schema's.
 */
import type { SharedFieldDoc } from "../objectives/descriptor.ts";

/** Keeps non-numeric text as is, so validation reports the bad value instead of NaN. */
export function toNumber(text: string): number | string {
  const value = Number(text);
  return text.trim() !== "" && Number.isFinite(value) ? value : text;
}

/** `--kebab-case <value>` for a camelCase field, as commander maps it back. */
export function descriptorFlag(entry: SharedFieldDoc): string {
  return `--${entry.name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} <value>`;
}

/** The help of a flag: per descriptor that takes it, its doc and default; then the values. */
export function descriptorFlagHelp(entry: SharedFieldDoc): string {
  const values = entry.values ? ` [${entry.values.join(" | ")}]` : "";
  // Owners with the same doc and default share one clause: "sap, dci: training rows (default 10000)".
  const clauses = new Map<string, string[]>();
  for (const { owner, field } of entry.uses) {
    const fallback = field.default === undefined ? "" : ` (default ${String(field.default)})`;
    const text = `${field.description}${fallback}`;
    clauses.set(text, [...(clauses.get(text) ?? []), owner]);
  }
  const uses = [...clauses].map(([text, owners]) => `${owners.join(", ")}: ${text}`);
  return `${uses.join("; ")}${values}`;
}

/** A flag's text as its field's type: numbers, lists (comma-separated), text. */
export function descriptorFlagValue(type: string, text: string): unknown {
  if (type === "number" || type === "integer") return toNumber(text);
  if (type === "array") {
    return text
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item !== "");
  }
  return text;
}
