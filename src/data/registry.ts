/**
 * The dataset registry: one loader per name (names in `dataset-names.ts`), each module loaded
 * lazily (h5wasm, decoders) on first use.
 */
import type { Dataset } from "./dataset.ts";
import {
  DATASET_NAMES,
  type DatasetName,
  type DatasetOptionsByName,
  isDatasetName,
} from "./dataset-names.ts";

export { DATASET_NAMES, type DatasetName, type DatasetOptionsByName, isDatasetName };

const loaders: { [K in DatasetName]: (options: DatasetOptionsByName[K]) => Promise<Dataset> } = {
  sprites: async (o) => (await import("./datasets/sprites.ts")).loadSprites(o),
  "colored-shapes": async (o) =>
    (await import("./datasets/colored-shapes.ts")).loadColoredShapes(o),
  "dsprites-npz": async (o) => (await import("./datasets/dsprites-npz.ts")).loadDspritesNpz(o),
  "yale-b": async (o) => (await import("./datasets/yale-b.ts")).loadYaleB(o),
  mnist: async (o) => (await import("./datasets/mnist.ts")).loadMnist("mnist", o),
  "fashion-mnist": async (o) => (await import("./datasets/mnist.ts")).loadMnist("fashion-mnist", o),
  "image-folder": async (o) => (await import("./datasets/image-folder.ts")).loadImageFolder(o),
  "3dshapes-h5": async (o) => (await import("./datasets/shapes3d-h5.ts")).loadShapes3dH5(o),
};

/** Loads dataset `name`; options are per dataset (see DatasetOptionsByName). */
export function loadDataset<K extends DatasetName>(
  name: K,
  options: DatasetOptionsByName[K] = {} as DatasetOptionsByName[K],
): Promise<Dataset> {
  if (!isDatasetName(name)) {
    throw new Error(`unknown dataset '${name}' (expected one of ${DATASET_NAMES.join(", ")})`);
  }
  return loaders[name](options);
}
