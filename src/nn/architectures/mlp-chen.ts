/**
 * The MLP of Chen et al. 2018 ("Isolating Sources of Disentanglement in VAEs", App. for
 * dSprites): encoder D-1200-1200-2Z with ReLU, decoder Z-1200-1200-1200-D with tanh,
 * where D = H*W*C.
 */
import { dense } from "../../engine/dense.ts";
import { initDense } from "../../engine/init.ts";
import { type Array, nn, numpy as np } from "../../engine/jax.ts";
import { splitKey } from "../../engine/prng.ts";
import {
  type Architecture,
  type ArchitectureConfig,
  checkLatentDim,
  type DecoderParams,
  type EncoderParams,
} from "../architecture.ts";
import { splitPosteriorHead } from "../posterior-head.ts";

const HIDDEN = 1200;

export function mlpChen(config: ArchitectureConfig): Architecture {
  const [height, width, channels] = config.imageShape;
  const inputDim = height * width * channels;
  const outputChannels = config.outputChannels ?? channels;
  const z = config.latentDim;
  checkLatentDim("mlp-chen", z);
  return {
    name: "mlp-chen",
    config,
    initEncoder(key: Array): EncoderParams {
      const [k1, k2, k3] = splitKey(key, 3);
      return {
        convs: [],
        fcs: [
          initDense(k1, inputDim, HIDDEN),
          initDense(k2, HIDDEN, HIDDEN),
          initDense(k3, HIDDEN, 2 * z),
        ],
      };
    },
    initDecoder(key: Array): DecoderParams {
      const [k1, k2, k3, k4] = splitKey(key, 4);
      return {
        fcs: [
          initDense(k1, z, HIDDEN),
          initDense(k2, HIDDEN, HIDDEN),
          initDense(k3, HIDDEN, HIDDEN),
          initDense(k4, HIDDEN, height * width * outputChannels),
        ],
        convs: [],
      };
    },
    encode(params, x) {
      const batch = x.shape[0];
      let h = x.reshape([batch, inputDim]);
      h = nn.relu(dense(params.fcs[0], h));
      h = nn.relu(dense(params.fcs[1], h));
      return splitPosteriorHead(dense(params.fcs[2], h), z);
    },
    decode(params, latent) {
      const batch = latent.shape[0];
      let h = np.tanh(dense(params.fcs[0], latent));
      h = np.tanh(dense(params.fcs[1], h));
      h = np.tanh(dense(params.fcs[2], h));
      return dense(params.fcs[3], h).reshape([batch, height, width, outputChannels]);
    },
  };
}
