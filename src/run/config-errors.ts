/**
 * Errors of JSON settings files that point at the file and line: the run config
 * (`--config run.json`, config.ts) and study files (src/study/) both format their problems
 * here, so a bad field reads the same everywhere: `FILE:LINE: field "a.b" (got VALUE): what
 * was expected`. Platform-free: the caller reads the file and passes its text.
 */

/** One problem found in a settings object (a zod issue has this shape). */
export interface SettingsIssue {
  path: readonly PropertyKey[];
  message: string;
  /** Unrecognised keys (zod's `unrecognized_keys` issue), to point at the first one's line. */
  keys?: readonly string[];
}

/**
 * The 1-based line where the value at `path` sits in the JSON `text`: the line of its key in
 * an object, of the element itself in an array. When only a prefix of the path is in the
 * text (a required field left out), the line of the deepest part that is; undefined for the
 * top level or text that is not JSON.
 */
export function lineOfPath(text: string, path: readonly PropertyKey[]): number | undefined {
  let i = 0;
  let best: { depth: number; at: number } | undefined;
  const space = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const string = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (depth: number, onPath: boolean, at: number): void => {
    if (onPath && depth > 0 && (best === undefined || depth > best.depth)) best = { depth, at };
    space();
    const open = text[i];
    if (open === "{" || open === "[") {
      i++;
      let index = 0;
      for (;;) {
        space();
        if (text[i] === "}" || text[i] === "]") {
          i++;
          return;
        }
        if (text[i] === ",") {
          i++;
          space();
        }
        const memberAt = i;
        let key: string = String(index++);
        if (open === "{") {
          key = string();
          space();
          i++; // the colon
        }
        const next = onPath && depth < path.length && String(path[depth]) === key;
        value(depth + 1, next, memberAt);
        if (i >= text.length) throw new SyntaxError("unexpected end of JSON");
      }
    }
    if (open === '"') {
      string();
      return;
    }
    while (i < text.length && !/[\s,\]}]/.test(text[i])) i++;
  };
  try {
    value(0, true, 0);
  } catch {
    return undefined;
  }
  return best === undefined ? undefined : text.slice(0, best.at).split("\n").length;
}

/** ` (got VALUE)` for the value at `path` in `input`, or "" when there is none. */
export function describeValue(input: unknown, path: readonly PropertyKey[]): string {
  let value: unknown = input;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  return value === undefined ? "" : ` (got ${JSON.stringify(value)})`;
}

/**
 * One line per issue: `SOURCE[:LINE]: field "PATH" (got VALUE): MESSAGE`. `source` names the
 * file (or "command line"); `text` is the file's text (lines are found in it); `input` the
 * parsed object (values are quoted from it); `prefix` is prepended to every issue's path.
 */
export function formatIssues(
  issues: readonly SettingsIssue[],
  source: string,
  input: unknown,
  text?: string,
  prefix: readonly PropertyKey[] = [],
): string {
  return issues
    .map((issue) => {
      const path = [...prefix, ...issue.path];
      const pointAt = issue.keys?.length ? [...path, issue.keys[0]] : path;
      const line = text === undefined ? undefined : lineOfPath(text, pointAt);
      const where = line === undefined ? source : `${source}:${line}`;
      const field = path.length ? path.join(".") : "(top level)";
      return `${where}: field "${field}"${describeValue(input, path)}: ${issue.message}`;
    })
    .join("\n");
}
