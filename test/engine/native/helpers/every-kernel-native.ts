/**
 * Imported first by the native backend's tests: every kernel runs as compiled native code,
 * however small. The backend otherwise leaves kernels with little work on jax-js's Wasm
 * backend; it reads DISENTANGLE_NATIVE_MIN_WORK once, when src/engine/native/backend.ts is
 * first evaluated, hence a module of its own ahead of every other import.
 */
process.env.DISENTANGLE_NATIVE_MIN_WORK = "0";
