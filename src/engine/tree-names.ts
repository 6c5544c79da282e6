/**
 * Dotted paths for the leaves of a parameter tree ("encoder.convs.0.w") and the inverse,
 * rebuilding nested objects and arrays from such names. Nodes follow jax-js `tree`: plain
 * objects and arrays are nodes, anything else is a leaf; leaves come out in `tree.flatten`
 * order, so a rebuilt tree has the same structure (empty objects and arrays, which hold no
 * leaf, are not represented).
 */

function isArrayNode(node: unknown): node is unknown[] {
  return globalThis.Array.isArray(node);
}

function isObjectNode(node: unknown): node is Record<string, unknown> {
  return typeof node === "object" && node !== null && node.constructor === Object;
}

const INDEX = /^(0|[1-9][0-9]*)$/;

/** The leaves of `tree` with their dotted paths, in `tree.flatten` order. */
export function namedLeaves<T>(tree: unknown): [string, T][] {
  if (!isArrayNode(tree) && !isObjectNode(tree)) {
    throw new Error("namedLeaves: the tree's root must be an object or an array, not a leaf");
  }
  const out: [string, T][] = [];
  const walk = (node: unknown, path: string) => {
    if (isArrayNode(node)) {
      for (const [i, child] of node.entries())
        walk(child, path === "" ? String(i) : `${path}.${i}`);
    } else if (isObjectNode(node)) {
      for (const [key, child] of Object.entries(node)) {
        if (key === "" || key.includes(".") || INDEX.test(key)) {
          throw new Error(
            `namedLeaves: key ${JSON.stringify(key)} at ${path === "" ? "the root" : path} cannot be part of a dotted name (it must be non-empty, contain no ".", and not be an array index)`,
          );
        }
        walk(child, path === "" ? key : `${path}.${key}`);
      }
    } else {
      out.push([path, node as T]);
    }
  };
  walk(tree, "");
  return out;
}

interface Branch<T> {
  children: Map<string, Branch<T> | { leaf: T }>;
}

/**
 * Rebuilds nested objects and arrays from dotted names (inverse of {@link namedLeaves}).
 * A node whose children are all named by indices becomes an array and must have every index
 * from 0 to its length - 1. `source` prefixes error messages (e.g. the file name).
 */
export function treeFromNamed<T>(entries: Iterable<[string, T]>, source = "tree"): unknown {
  const root: Branch<T> = { children: new Map() };
  for (const [name, leaf] of entries) {
    const parts = name.split(".");
    if (parts.some((p) => p === "")) {
      throw new Error(`${source}: name ${JSON.stringify(name)} has an empty path segment`);
    }
    let node = root;
    parts.forEach((part, i) => {
      const prefix = parts.slice(0, i + 1).join(".");
      const existing = node.children.get(part);
      if (i === parts.length - 1) {
        if (existing)
          throw new Error(
            `${source}: name ${JSON.stringify(name)} clashes with ${existing && "leaf" in existing ? "a leaf of the same name" : `other names under "${prefix}."`}`,
          );
        node.children.set(part, { leaf });
      } else if (existing && "leaf" in existing) {
        throw new Error(
          `${source}: name ${JSON.stringify(name)} clashes with the leaf ${JSON.stringify(prefix)}`,
        );
      } else {
        if (!existing) node.children.set(part, { children: new Map() });
        node = node.children.get(part) as Branch<T>;
      }
    });
  }
  const build = (node: Branch<T>, path: string): unknown => {
    const keys = [...node.children.keys()];
    const indices = keys.filter((k) => INDEX.test(k));
    const child = (key: string) => {
      const c = node.children.get(key) as Branch<T> | { leaf: T };
      return "leaf" in c ? c.leaf : build(c, path === "" ? key : `${path}.${key}`);
    };
    if (indices.length === 0) return Object.fromEntries(keys.map((k) => [k, child(k)]));
    const where = path === "" ? "the root" : JSON.stringify(path);
    if (indices.length !== keys.length) {
      throw new Error(
        `${source}: ${where} mixes array indices and names (${keys.slice(0, 6).join(", ")})`,
      );
    }
    // n distinct indices fill 0..n-1 exactly when none below n is missing.
    const length = keys.length;
    for (let i = 0; i < length; i++) {
      if (!node.children.has(String(i))) {
        throw new Error(
          `${source}: array ${where} has ${length} entries but is missing index ${i}`,
        );
      }
    }
    return globalThis.Array.from({ length }, (_, i) => child(String(i)));
  };
  return build(root, "");
}

/**
 * Gives `loaded` (e.g. a tree read back with {@link treeFromNamed}) the structure of
 * `template`: the same leaf paths, with empty objects and arrays (which no file records)
 * restored. Leaves that carry a `shape` must match the template's. Throws an error naming
 * the first path that is missing, extra or of another shape; `source` prefixes it.
 */
export function conformTree(template: unknown, loaded: unknown, source = "tree"): unknown {
  const expected = new Map(namedLeaves<unknown>(template));
  const found = new Map(namedLeaves<unknown>(loaded));
  const shapeOf = (leaf: unknown): string | undefined => {
    const shape = (leaf as { shape?: unknown })?.shape;
    return globalThis.Array.isArray(shape) ? `[${shape.join(",")}]` : undefined;
  };
  for (const [name, leaf] of expected) {
    if (!found.has(name)) throw new Error(`${source}: missing ${name}`);
    const want = shapeOf(leaf);
    const have = shapeOf(found.get(name));
    if (want !== have) throw new Error(`${source}: ${name} has shape ${have}, expected ${want}`);
  }
  for (const name of found.keys()) {
    if (!expected.has(name)) throw new Error(`${source}: unexpected entry ${name}`);
  }
  const rebuild = (node: unknown, path: string): unknown => {
    const at = (key: string | number) => (path === "" ? String(key) : `${path}.${key}`);
    if (isArrayNode(node)) return node.map((child, i) => rebuild(child, at(i)));
    if (isObjectNode(node)) {
      return Object.fromEntries(
        Object.entries(node).map(([k, child]) => [k, rebuild(child, at(k))]),
      );
    }
    return found.get(path);
  };
  return rebuild(template, "");
}
