/** Typed registry of architectures: name -> constructor. */
import type { Architecture, ArchitectureConfig, ArchitectureName } from "../architecture.ts";
import { convBurgess, convSmall } from "./conv-stack.ts";
import { mlpChen } from "./mlp-chen.ts";

export const architectureRegistry: Record<
  ArchitectureName,
  (config: ArchitectureConfig) => Architecture
> = {
  "mlp-chen": mlpChen,
  "conv-burgess": convBurgess,
  "conv-small": convSmall,
};

/** The architecture `name` for `config` (image shape, latent size); errors on impossible shapes. */
export function createArchitecture(
  name: ArchitectureName,
  config: ArchitectureConfig,
): Architecture {
  return architectureRegistry[name](config);
}
