/**
 * What the Wasm backend compiled: every module's bytes, captured by wrapping
 * `WebAssembly.compile` and `WebAssembly.Module` (jax-js's Wasm backend builds each kernel with
 * one of the two), and the SIMD instructions in a module's code, by decoding its function
 * bodies (WebAssembly core spec 5.4, with the fixed-width SIMD opcodes). A structural,
 * timing-free way to tell whether a kernel was compiled to SIMD code.
 */

const captured: Uint8Array[] = [];
let installed = false;

/** Starts recording compiled modules (idempotent). */
export function captureWasmModules(): void {
  if (installed) return;
  installed = true;
  const wasm = WebAssembly as unknown as Record<string, unknown>;
  const compile = WebAssembly.compile;
  wasm.compile = (bytes: BufferSource) => {
    captured.push(copyBytes(bytes));
    return compile(bytes);
  };
  const Module = WebAssembly.Module;
  wasm.Module = class extends Module {
    constructor(bytes: BufferSource) {
      captured.push(copyBytes(bytes));
      super(bytes);
    }
  };
}

function copyBytes(bytes: BufferSource): Uint8Array {
  const view = ArrayBuffer.isView(bytes)
    ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    : new Uint8Array(bytes);
  return view.slice();
}

/** The modules compiled while `run` ran (awaited). */
export async function modulesCompiledBy(run: () => Promise<unknown>): Promise<Uint8Array[]> {
  captureWasmModules();
  const start = captured.length;
  await run();
  return captured.slice(start);
}

/** Names of the SIMD (0xfd-prefixed) opcodes that the tests look for. */
const SIMD_NAMES: Record<number, string> = {
  0: "v128.load",
  11: "v128.store",
  17: "i32x4.splat",
  19: "f32x4.splat",
  28: "i32x4.replace_lane",
  32: "f32x4.replace_lane",
  82: "v128.bitselect",
  106: "f32x4.nearest",
  173: "i32x4.shr_u",
  231: "f32x4.div",
  234: "f32x4.pmin",
  235: "f32x4.pmax",
  248: "i32x4.trunc_sat_f32x4_s",
  250: "f32x4.convert_i32x4_s",
};

class Reader {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}
  byte(): number {
    if (this.pos >= this.bytes.length) throw new Error("wasm-ops: unexpected end of module");
    return this.bytes[this.pos++];
  }
  /** LEB128 (signed or unsigned: only the length matters here, and the unsigned value). */
  leb(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      if (shift < 28) result |= (b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) === 0) return result >>> 0;
    }
  }
  skip(n: number): void {
    this.pos += n;
  }
}

const VALTYPES = new Set([0x40, 0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f]);

/** Instruction names of one function body ("simd:N" for SIMD opcodes without a name here). */
function decodeBody(r: Reader, end: number): string[] {
  const ops: string[] = [];
  const groups = r.leb();
  for (let i = 0; i < groups; i++) {
    r.leb();
    r.byte();
  }
  while (r.pos < end) {
    const op = r.byte();
    if (op === 0x02 || op === 0x03 || op === 0x04) {
      // block type: empty, a value type, or a type index (s33)
      if (!VALTYPES.has(r.bytes[r.pos])) r.leb();
      else r.skip(1);
      ops.push(op === 0x02 ? "block" : op === 0x03 ? "loop" : "if");
    } else if (op === 0x0c || op === 0x0d || op === 0x10 || (op >= 0x20 && op <= 0x24)) {
      r.leb();
      ops.push(op === 0x10 ? "call" : `op:${op}`);
    } else if (op === 0x0e) {
      const n = r.leb();
      for (let i = 0; i <= n; i++) r.leb();
      ops.push("br_table");
    } else if (op === 0x11) {
      r.leb();
      r.leb();
      ops.push("call_indirect");
    } else if (op === 0x1c) {
      const n = r.leb();
      r.skip(n);
      ops.push("select");
    } else if (op >= 0x28 && op <= 0x3e) {
      r.leb();
      r.leb();
      ops.push(`mem:${op}`);
    } else if (op === 0x3f || op === 0x40) {
      r.skip(1);
      ops.push(`op:${op}`);
    } else if (op === 0x41 || op === 0x42) {
      r.leb();
      ops.push(op === 0x41 ? "i32.const" : "i64.const");
    } else if (op === 0x43) {
      r.skip(4);
      ops.push("f32.const");
    } else if (op === 0x44) {
      r.skip(8);
      ops.push("f64.const");
    } else if (op === 0xfc) {
      const sub = r.leb();
      if (sub === 8) {
        r.leb();
        r.skip(1);
      } else if (sub === 9) r.leb();
      else if (sub === 10) r.skip(2);
      else if (sub === 11) r.skip(1);
      ops.push(`fc:${sub}`);
    } else if (op === 0xfd) {
      const sub = r.leb();
      if (sub <= 11 || sub === 92 || sub === 93) {
        r.leb();
        r.leb();
      } else if (sub === 12 || sub === 13) r.skip(16);
      else if (sub >= 21 && sub <= 34) r.skip(1);
      else if (sub >= 84 && sub <= 91) {
        r.leb();
        r.leb();
        r.skip(1);
      }
      ops.push(SIMD_NAMES[sub] ?? `simd:${sub}`);
    } else {
      ops.push(op === 0x1b ? "select" : `op:${op}`);
    }
  }
  return ops;
}

/** The instruction names of every function defined in `module` (in order). */
export function functionOps(module: Uint8Array): string[][] {
  if (module[0] !== 0 || module[1] !== 0x61 || module[2] !== 0x73 || module[3] !== 0x6d) {
    throw new Error("wasm-ops: not a WebAssembly module");
  }
  const r = new Reader(module);
  r.pos = 8;
  const functions: string[][] = [];
  while (r.pos < module.length) {
    const id = r.byte();
    const size = r.leb();
    const sectionEnd = r.pos + size;
    if (id === 10) {
      const count = r.leb();
      for (let i = 0; i < count; i++) {
        const bodySize = r.leb();
        const end = r.pos + bodySize;
        functions.push(decodeBody(r, end));
        r.pos = end;
      }
    }
    r.pos = sectionEnd;
  }
  return functions;
}

/** The set of instruction names anywhere in `module`'s code. */
export function moduleOps(module: Uint8Array): Set<string> {
  return new Set(functionOps(module).flat());
}
