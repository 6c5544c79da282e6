/**
 * Property-test helper for binary parsers: feeds random bytes and mutations of valid files
 * (byte flips, truncation, insertion) to a parser, which must either return or throw a
 * DataFormatError with a message - never a TypeError/RangeError.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { DataFormatError } from "../../../src/data/errors.ts";

export function assertParsesOrRejects(parse: (bytes: Uint8Array) => unknown, bytes: Uint8Array) {
  try {
    parse(bytes);
  } catch (error) {
    assert.ok(
      error instanceof DataFormatError,
      `expected DataFormatError, got ${(error as Error)?.name}: ${(error as Error)?.message}`,
    );
    assert.ok(error.message.length > 0);
  }
}

/** Arbitrary byte strings derived from `valid` by a few edits, plus fully random ones. */
export function mutatedBytes(valid: Uint8Array[]): fc.Arbitrary<Uint8Array> {
  const edit = fc.oneof(
    fc.record({
      op: fc.constant("flip" as const),
      at: fc.nat(),
      value: fc.integer({ min: 0, max: 255 }),
    }),
    fc.record({ op: fc.constant("cut" as const), at: fc.nat(), value: fc.constant(0) }),
    fc.record({
      op: fc.constant("insert" as const),
      at: fc.nat(),
      value: fc.integer({ min: 0, max: 255 }),
    }),
  );
  const mutated = fc
    .tuple(fc.constantFrom(...valid), fc.array(edit, { minLength: 1, maxLength: 6 }))
    .map(([base, edits]) => {
      let bytes = Uint8Array.from(base);
      for (const { op, at, value } of edits) {
        const i = bytes.length === 0 ? 0 : at % (bytes.length + (op === "insert" ? 1 : 0));
        if (op === "flip" && bytes.length > 0) bytes[i] = value;
        else if (op === "cut") bytes = bytes.slice(0, i);
        else if (op === "insert") {
          const next = new Uint8Array(bytes.length + 1);
          next.set(bytes.subarray(0, i));
          next[i] = value;
          next.set(bytes.subarray(i), i + 1);
          bytes = next;
        }
      }
      return bytes;
    });
  return fc.oneof(mutated, fc.uint8Array({ maxLength: 300 }));
}
