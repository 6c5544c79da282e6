/** Safetensors files on disk (Node): the byte-level format and trees are in `safetensors.ts`. */
import { readFileSync } from "node:fs";
import { writeFileAtomic } from "./atomic-write.ts";
import type { Array, JsTree } from "./jax.ts";
import { decodeSafetensors, decodeTree, encodeTree, type Safetensors } from "./safetensors.ts";

/** Saves a tree of jax Arrays as a safetensors file, atomically (see {@link encodeTree}). */
export async function saveTree(
  path: string,
  tree: object,
  metadata?: Record<string, string>,
): Promise<void> {
  writeFileAtomic(path, await encodeTree(tree, metadata, path));
}

/** The bytes of `path`, or an error naming the file and why it cannot be read. */
function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new Error(
      `${path}: cannot read (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

/** Reads and validates a safetensors file (tensors and metadata, no jax Arrays). */
export function loadSafetensors(path: string): Safetensors {
  return decodeSafetensors(readBytes(path), path);
}

/** Loads a file written by {@link saveTree}: the tree of jax Arrays and the metadata. */
export function loadTree(path: string): { tree: JsTree<Array>; metadata: Record<string, string> } {
  return decodeTree(readBytes(path), path);
}
