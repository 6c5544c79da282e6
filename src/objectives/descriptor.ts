/**
 * An objective's descriptor: its name, a one-line summary with the paper, and a zod schema
 * that holds each hyperparameter's type, default and one-line doc. Everything else derives
 * from it: the config schema (src/run/config.ts), the `train` flags and their `--help`, the
 * README's table, and `create`'s defaults. A default is written once, in the schema.
 */
import { z } from "zod";
import type { Objective } from "./objective.ts";

export interface ObjectiveDescriptor<S extends z.ZodObject = z.ZodObject> {
  readonly name: string;
  /** One line: what it optimises, with the paper. */
  readonly summary: string;
  /** The objective's file, for the README's table. */
  readonly file: string;
  /** Hyperparameters: each field with `.default(...)` (or optional) and `.describe(...)`. */
  readonly schema: S;
  /**
   * Other objectives' hyperparameters this one refuses on purpose, with the reason (the
   * config error says it).
   */
  readonly declines?: Readonly<Record<string, string>>;
  /**
   * Why the objective needs a factorised prior p(z) = Π_d p(z_d), when it does: a run with a
   * joint prior (a learned mixture) is refused with this reason.
   */
  readonly needsFactorisedPrior?: string;
  /** Builds the objective from validated hyperparameters. */
  create(options: z.output<S>): Objective;
}

/** Ties a descriptor's `create` to its schema's type. */
export function defineObjective<S extends z.ZodObject>(
  descriptor: ObjectiveDescriptor<S>,
): ObjectiveDescriptor<S> {
  return descriptor;
}

/** A hyperparameter as the docs and the CLI see it. */
export interface FieldDoc {
  name: string;
  description: string;
  /** JSON value of the default; undefined when the field is optional without one. */
  default: unknown;
  /** "number", "integer", "string", "boolean", "array" (of strings). */
  type: string;
  /** Allowed values of an enum. */
  values?: unknown[];
}

interface JsonSchemaField {
  type?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  anyOf?: JsonSchemaField[];
}

/** The fields of a hyperparameter schema, in declaration order. */
export function fieldDocs(schema: z.ZodObject): FieldDoc[] {
  const json = z.toJSONSchema(schema, { io: "input" }) as {
    properties?: Record<string, JsonSchemaField>;
  };
  return Object.entries(json.properties ?? {}).map(([name, field]) => {
    // Allowed words: an enum, or the enums and literals of a union (e.g. a number or "none").
    const values =
      field.enum ?? field.anyOf?.flatMap((f) => f.enum ?? (f.const === undefined ? [] : [f.const]));
    return {
      name,
      description: field.description ?? "",
      // An empty list (a required list's placeholder, see triplet-vae.ts) is no default.
      default:
        Array.isArray(field.default) && field.default.length === 0 ? undefined : field.default,
      type: field.type ?? field.anyOf?.[0]?.type ?? "string",
      ...(values && values.length > 0 ? { values } : {}),
    };
  });
}

/** An option shared by several descriptors and, per descriptor that takes it, its doc and default. */
export interface SharedFieldDoc {
  name: string;
  type: string;
  values?: unknown[];
  uses: { owner: string; field: FieldDoc }[];
}

/**
 * Every field of every descriptor, merged by name in declaration order: one flag per field
 * for the CLI, with each descriptor's own doc and default.
 */
export function sharedFieldDocs(
  descriptors: readonly { name: string; schema: z.ZodObject }[],
): SharedFieldDoc[] {
  const byName = new Map<string, SharedFieldDoc>();
  for (const descriptor of descriptors) {
    for (const field of fieldDocs(descriptor.schema)) {
      const entry = byName.get(field.name) ?? {
        name: field.name,
        type: field.type,
        ...(field.values ? { values: field.values } : {}),
        uses: [],
      };
      entry.uses.push({ owner: descriptor.name, field });
      byName.set(field.name, entry);
    }
  }
  return [...byName.values()];
}

/** Raised for hyperparameters that do not fit an objective's schema; names field and value. */
export class HyperparameterError extends RangeError {
  override name = "HyperparameterError";
}

/**
 * Validates `options` against the descriptor's schema, filling in defaults. Unknown fields are
 * refused (a typo is not silently ignored). Messages read `beta-vae: beta is -1: ...`.
 */
export function parseHyperparameters<S extends z.ZodObject>(
  descriptor: Pick<ObjectiveDescriptor<S>, "name" | "schema">,
  options: unknown,
): z.output<S> {
  const result = descriptor.schema.strict().safeParse(options ?? {});
  if (result.success) return result.data as z.output<S>;
  const given = (options ?? {}) as Record<string, unknown>;
  throw new HyperparameterError(
    result.error.issues
      .map((issue) => {
        if (issue.code === "unrecognized_keys") {
          const known = Object.keys(descriptor.schema.shape);
          return `${descriptor.name}: takes no ${issue.keys.join(", ")} (its hyperparameters: ${known.length > 0 ? known.join(", ") : "none"})`;
        }
        const field = issue.path.join(".");
        const value = issue.path.length > 0 ? given[String(issue.path[0])] : given;
        return `${descriptor.name}: ${field} is ${typeof value === "number" ? String(value) : JSON.stringify(value)}: ${issue.message}`;
      })
      .join("\n"),
  );
}
