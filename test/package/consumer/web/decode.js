// Decodes one image from a fixed code with a freshly initialised VAE (seed 0): the same
// function runs in the page (browser entry) and in Node (Node entry), to compare the pixels.

/** The code decoded, and the image shape ([height, width, channels]). */
export const CODE = [0.5, -1, 0.25, 2];
export const IMAGE_SHAPE = [16, 16, 1];

/** `lib` is the package's namespace (either entry); returns the decoded pixels in [0, 1]. */
export async function decodeOne(lib) {
  const config = lib.parseTrainConfig(
    { model: "vae", z: CODE.length, dataOptions: { size: IMAGE_SHAPE[0] } },
    "decode.js",
  );
  const vae = lib.buildModel(config, IMAGE_SHAPE);
  const { encoder, decoder, likelihood } = vae.init(lib.keyFromSeed(0));
  lib.jax.tree.dispose([encoder, likelihood]);
  const image = vae.decodeMean(decoder, lib.jax.numpy.array([CODE]));
  return Array.from(await image.data());
}
