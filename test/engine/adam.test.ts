import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { type AdamConfig, type AdamState, adamInit, adamUpdate } from "../../src/engine/adam.ts";
import { type Array, jit, numpy as np, tree } from "../../src/engine/jax.ts";

type Named = Record<string, number[]>;
interface Snapshot {
  params: Named;
  m: Named;
  v: Named;
  step: number;
}
const fixture = JSON.parse(
  readFileSync(new URL("./fixtures/adam.json", import.meta.url), "utf8"),
) as {
  shapes: Record<string, number[]>;
  params: Named;
  grads: Named[];
  cases: { name: string; config: AdamConfig; after: Record<"1" | "3", Snapshot> }[];
};

/** The fixture's dotted names "enc.w", "enc.b", "dec.0", "dec.1" as a nested tree. */
type Params = {
  enc: { w: Array; b: Array };
  dec: Array[];
};
const NAMES = ["enc.w", "enc.b", "dec.0", "dec.1"];
function toTree(values: Named): Params {
  const leaf = (name: string) => np.array(values[name], { shape: fixture.shapes[name] });
  return { enc: { w: leaf("enc.w"), b: leaf("enc.b") }, dec: [leaf("dec.0"), leaf("dec.1")] };
}
function byName(t: Params): Record<string, Float32Array> {
  const leaves = [t.enc.w, t.enc.b, t.dec[0], t.dec[1]];
  return Object.fromEntries(NAMES.map((n, i) => [n, leaves[i].ref.dataSync() as Float32Array]));
}

/** |a - b| <= rtol |b| + atol elementwise, reporting the worst element. */
function assertClose(actual: ArrayLike<number>, expected: number[], what: string, atol = 0) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    assert.ok(
      err <= 1e-4 * Math.abs(expected[i]) + atol,
      `${what}[${i}]: got ${actual[i]}, expected ${expected[i]} (error ${err})`,
    );
  }
}

function check(
  result: { params: Params; state: AdamState<Params> },
  want: Snapshot,
  label: string,
) {
  const got = {
    params: byName(result.params),
    m: byName(result.state.m),
    v: byName(result.state.v),
  };
  for (const name of NAMES) {
    // Parameters: compare the change from the start, which is what Adam computes; the
    // absolute tolerance is the float32 rounding of values near 1.
    const p0 = fixture.params[name];
    const delta = globalThis.Array.from(got.params[name], (p, i) => p - p0[i]);
    const wantDelta = want.params[name].map((p, i) => p - p0[i]);
    assertClose(delta, wantDelta, `${label} param change ${name}`, 2e-7);
    assertClose(got.m[name], want.m[name], `${label} m ${name}`, 1e-30);
    assertClose(got.v[name], want.v[name], `${label} v ${name}`, 1e-30);
  }
  assert.equal(result.state.step.ref.item(), want.step, `${label} step`);
}

type Update = (
  p: Params,
  g: Params,
  s: AdamState<Params>,
) => { params: Params; state: AdamState<Params> };

function runCase(update: Update, label: string, want: Record<"1" | "3", Snapshot>) {
  let params = toTree(fixture.params);
  let state = adamInit(params);
  for (let step = 1; step <= 3; step++) {
    const next = update(params, toTree(fixture.grads[step - 1]), state);
    params = next.params;
    state = next.state;
    if (step === 1 || step === 3)
      check(next, want[step === 1 ? "1" : "3"], `${label} step ${step}`);
  }
  tree.dispose([params, state]);
}

for (const { name, config, after } of fixture.cases) {
  test(`Adam matches torch.optim (${name}) eagerly and under jit`, () => {
    runCase((p, g, s) => adamUpdate(p, g, s, config), `${name} eager`, after);
    const jitted = jit((p: Params, g: Params, s: AdamState<Params>) => adamUpdate(p, g, s, config));
    try {
      runCase(jitted as unknown as Update, `${name} jit`, after);
    } finally {
      jitted.dispose();
    }
  });
}

test("adamInit gives zero moments and step 0 without consuming the parameters", () => {
  const params = toTree(fixture.params);
  const state = adamInit(params);
  assert.equal(state.step.ref.item(), 0);
  assert.deepEqual([...byName(state.m)["enc.w"]], new globalThis.Array(12).fill(0));
  assert.deepEqual([...byName(params)["enc.w"]], fixture.params["enc.w"].map(Math.fround));
  tree.dispose([params, state]);
});

test("bad configs and mismatched trees are rejected with the field and value", () => {
  const attempt = (config: AdamConfig, grads?: unknown) => {
    const params = toTree(fixture.params);
    const state = adamInit(params);
    return () => adamUpdate(params, (grads ?? toTree(fixture.grads[0])) as Params, state, config);
  };
  assert.throws(attempt({ lr: -1 }), /Adam config: lr = -1, expected a positive number/);
  assert.throws(attempt({ lr: 1e-3, beta2: 1 }), /beta2 = 1, expected a number in \[0, 1\)/);
  assert.throws(attempt({ lr: 1e-3, clipGradNorm: 0 }), /clipGradNorm = 0/);
  assert.throws(attempt({ lr: 1e-3 }, { enc: { w: np.zeros([3, 4]) } }), /grads has structure/);
});
