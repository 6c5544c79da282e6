// jax-js declarations name two WebGPU types; a project installs @webgpu/types or, as here, declares them.
type GPUDevice = object;
type GPUBuffer = object;
