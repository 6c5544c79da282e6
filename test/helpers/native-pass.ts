/**
 * `.ci/run` runs the suite twice, natively and with DISENTANGLE_DEVICE=wasm. A test of code
 * that does not depend on the device (the run layer, the command line) gains nothing from the
 * second pass and costs its time: give it `{ skip: NATIVE_PASS_ONLY }`, and say beside it why the
 * device-dependent parts are checked on both devices elsewhere.
 */
export const NATIVE_PASS_ONLY: string | false =
  process.env.DISENTANGLE_DEVICE === "wasm" ? "checked once, in the native pass" : false;
