import assert from "node:assert/strict";
import { test } from "node:test";
import { DeviceUnavailableError, initEngine } from "../../src/engine/device.ts";
import { threadCountFromEnv } from "../../src/engine/worker-shim.ts";

test("wasm device initialises and reports its thread count", async () => {
  const info = await initEngine("wasm");
  assert.equal(info.device, "wasm");
  assert.ok(info.threads >= 1);
});

test("unknown device is rejected with the list of valid ones", async () => {
  await assert.rejects(initEngine("tpu" as never), (error: Error) => {
    assert.ok(error instanceof DeviceUnavailableError);
    assert.match(error.message, /expected one of native, wasm, webgpu, cpu/);
    return true;
  });
});

test("thread count parses the environment and rejects nonsense", () => {
  assert.equal(threadCountFromEnv({ DISENTANGLE_THREADS: "3" }), 3);
  assert.equal(threadCountFromEnv({ JAX_THREADS: "2" }), 2);
  assert.throws(() => threadCountFromEnv({ DISENTANGLE_THREADS: "two" }), /whole number/);
  assert.throws(() => threadCountFromEnv({ DISENTANGLE_THREADS: "0" }), /whole number/);
});
