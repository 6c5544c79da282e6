import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { parsePgm } from "../../../src/data/formats/pgm.ts";
import { assertParsesOrRejects, mutatedBytes } from "../helpers/fuzz.ts";

const ascii = (s: string) => new TextEncoder().encode(s);
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

test("8-bit PGM with comments in the header (like the Yale B ambient images)", () => {
  const bytes = concat(
    ascii("P5\n# created by hand\n3 2 # width height\n# another\n255\n"),
    Uint8Array.of(0, 1, 2, 253, 254, 255),
  );
  const image = parsePgm(bytes, "a.pgm");
  assert.deepEqual([image.width, image.height, image.maxval], [3, 2, 255]);
  assert.deepEqual(Array.from(image.data), [0, 1, 2, 253, 254, 255]);
});

test("16-bit PGM is big-endian; trailing bytes are ignored", () => {
  const bytes = concat(ascii("P5 2 1 65535 "), Uint8Array.of(0x12, 0x34, 0xff, 0xfe, 9, 9));
  const image = parsePgm(bytes, "b.pgm");
  assert.deepEqual(Array.from(image.data), [0x1234, 0xfffe]);
  assert.ok(image.data instanceof Uint16Array);
});

test("bad PGMs give errors naming the file and the problem", () => {
  assert.throws(
    () => parsePgm(ascii("P2 1 1 255\n0"), "c.pgm"),
    /c\.pgm: not a binary PGM: expected magic "P5", found "P2"/,
  );
  assert.throws(
    () => parsePgm(concat(ascii("P5 4 4 255\n"), new Uint8Array(10)), "d.pgm"),
    /d\.pgm: PGM raster truncated: 4x4 .* needs 16 bytes, file has 10/,
  );
  assert.throws(
    () => parsePgm(ascii("P5 4 x 255\n"), "e.pgm"),
    /e\.pgm: PGM header: expected height at byte 5/,
  );
  assert.throws(
    () => parsePgm(ascii("P5 1 1 70000\n\0\0"), "f.pgm"),
    /maxval 70000 is outside 1\.\.65535/,
  );
  assert.throws(
    () => parsePgm(concat(ascii("P5 1 1 100\n"), Uint8Array.of(101)), "g.pgm"),
    /sample 101 at pixel 0 .* exceeds maxval 100/,
  );
  assert.throws(() => parsePgm(ascii("P5 0 1 255\n"), "h.pgm"), /width and height must be >= 1/);
});

test("property: random and mutated bytes parse or throw DataFormatError", () => {
  const valid = [
    concat(ascii("P5\n# c\n3 2\n255\n"), Uint8Array.of(0, 1, 2, 3, 4, 5)),
    concat(ascii("P5 2 2 65535\n"), new Uint8Array(8)),
  ];
  fc.assert(
    fc.property(mutatedBytes(valid), (bytes) =>
      assertParsesOrRejects((b) => parsePgm(b, "fuzz.pgm"), bytes),
    ),
    {
      numRuns: 3000,
    },
  );
});
