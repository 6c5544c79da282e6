import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { parseIdx } from "../../../src/data/formats/idx.ts";
import { assertParsesOrRejects, mutatedBytes } from "../helpers/fuzz.ts";

// Bytes written out by hand from the IDX specification (big-endian).
const images = Uint8Array.of(0, 0, 0x08, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 7, 8, 9, 250);
const labels = Uint8Array.of(0, 0, 0x08, 1, 0, 0, 0, 3, 5, 0, 9);
const ints = Uint8Array.of(0, 0, 0x0c, 1, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xfe, 0, 0, 1, 0);
const floats = Uint8Array.of(0, 0, 0x0d, 1, 0, 0, 0, 1, 0x3f, 0xc0, 0, 0); // 1.5

test("parses IDX files of several element types", () => {
  assert.deepEqual(parseIdx(images, "i").shape, [2, 1, 2]);
  assert.deepEqual(Array.from(parseIdx(images, "i").data), [7, 8, 9, 250]);
  assert.deepEqual(Array.from(parseIdx(labels, "l").data), [5, 0, 9]);
  assert.deepEqual(Array.from(parseIdx(ints, "n").data), [-2, 256]);
  assert.deepEqual(Array.from(parseIdx(floats, "f").data), [1.5]);
});

test("bad IDX files give errors naming the file and the problem", () => {
  assert.throws(
    () => parseIdx(Uint8Array.of(0x1f, 0x8b, 8, 0), "x.gz"),
    /x\.gz: not an IDX file: .* \(it is gzipped\)/,
  );
  assert.throws(
    () => parseIdx(Uint8Array.of(0, 0, 0x07, 1, 0, 0, 0, 0), "t"),
    /t: IDX type byte 0x07/,
  );
  assert.throws(
    () => parseIdx(images.slice(0, -1), "short"),
    /short: IDX data is 3 bytes, expected 4 .*truncated/,
  );
  assert.throws(() => parseIdx(images.slice(0, 9), "hdr"), /hdr: IDX header truncated/);
});

test("property: random and mutated bytes parse or throw DataFormatError", () => {
  fc.assert(
    fc.property(mutatedBytes([images, labels, ints, floats]), (bytes) =>
      assertParsesOrRejects((b) => parseIdx(b, "fuzz.idx"), bytes),
    ),
    { numRuns: 3000 },
  );
});
