/**
 * Convolutional encoder/decoder built from k4/s2/p1 stages, each halving (encoder) or
 * doubling (decoder) the spatial size, followed by fully connected layers.
 *
 * - `conv-burgess`: Burgess et al. 2018 ("Understanding disentangling in beta-VAE"), as
 *   used by Higgins et al. 2017 and disentanglement_lib for 64x64 images: convs 32-32-64-64,
 *   fc 256, then 2Z; the decoder mirrors it with transposed convolutions.
 * - `conv-small`: two stages (32-64) and fc 256, for 24x24, 28x28 and 32x32 inputs.
 */
import { conv2d, convTranspose2d } from "../../engine/conv.ts";
import { dense } from "../../engine/dense.ts";
import { initConv2d, initConvTranspose2d, initDense } from "../../engine/init.ts";
import { type Array, nn } from "../../engine/jax.ts";
import { splitKey } from "../../engine/prng.ts";
import {
  type Architecture,
  type ArchitectureConfig,
  type ArchitectureName,
  ArchitectureShapeError,
  checkLatentDim,
  type DecoderParams,
  type EncoderParams,
} from "../architecture.ts";
import { splitPosteriorHead } from "../posterior-head.ts";

const STAGE = { stride: 2, padding: 1 } as const;
const KERNEL = 4;

interface ConvStackSpec {
  name: ArchitectureName;
  channels: readonly number[];
  hidden: number;
}

function convStack(spec: ConvStackSpec, config: ArchitectureConfig): Architecture {
  const [height, width, imageChannels] = config.imageShape;
  const z = config.latentDim;
  checkLatentDim(spec.name, z);
  const factor = 2 ** spec.channels.length;
  if (height % factor !== 0 || width % factor !== 0 || height < factor || width < factor) {
    throw new ArchitectureShapeError(
      `${spec.name}: image size ${height}x${width} does not fit: it needs height and width divisible by ${factor} (${spec.channels.length} stride-2 stages), e.g. ${spec.name === "conv-burgess" ? "64x64" : "24x24, 28x28 or 32x32"}`,
    );
  }
  const innerH = height / factor;
  const innerW = width / factor;
  const lastChannels = spec.channels[spec.channels.length - 1];
  const flat = innerH * innerW * lastChannels;
  const encoderIn = [imageChannels, ...spec.channels.slice(0, -1)];
  const decoderOut = [...spec.channels.slice(0, -1)].reverse().concat(imageChannels);
  const decoderIn = [...spec.channels].reverse();

  return {
    name: spec.name,
    config,
    initEncoder(key: Array): EncoderParams {
      const keys = splitKey(key, spec.channels.length + 2);
      return {
        convs: spec.channels.map((out, i) => initConv2d(keys[i], encoderIn[i], out, KERNEL)),
        fcs: [
          initDense(keys[spec.channels.length], flat, spec.hidden),
          initDense(keys[spec.channels.length + 1], spec.hidden, 2 * z),
        ],
      };
    },
    initDecoder(key: Array): DecoderParams {
      const keys = splitKey(key, spec.channels.length + 2);
      return {
        fcs: [initDense(keys[0], z, spec.hidden), initDense(keys[1], spec.hidden, flat)],
        convs: decoderIn.map((cin, i) =>
          initConvTranspose2d(keys[i + 2], cin, decoderOut[i], KERNEL),
        ),
      };
    },
    encode(params, x, schedule) {
      const batch = x.shape[0];
      let h = x;
      for (const layer of params.convs) {
        h = nn.relu(conv2d(h, layer.w, { ...STAGE, schedule }).add(layer.b));
      }
      h = nn.relu(dense(params.fcs[0], h.reshape([batch, flat])));
      return splitPosteriorHead(dense(params.fcs[1], h), z);
    },
    decode(params, latent, schedule) {
      const batch = latent.shape[0];
      let h = nn.relu(dense(params.fcs[0], latent));
      h = nn.relu(dense(params.fcs[1], h)).reshape([batch, innerH, innerW, lastChannels]);
      const last = params.convs.length - 1;
      params.convs.forEach((layer, i) => {
        h = convTranspose2d(h, layer.w, { ...STAGE, schedule }).add(layer.b);
        if (i < last) h = nn.relu(h);
      });
      return h;
    },
  };
}

export const convBurgess = (config: ArchitectureConfig): Architecture =>
  convStack({ name: "conv-burgess", channels: [32, 32, 64, 64], hidden: 256 }, config);

export const convSmall = (config: ArchitectureConfig): Architecture =>
  convStack({ name: "conv-small", channels: [32, 64], hidden: 256 }, config);
