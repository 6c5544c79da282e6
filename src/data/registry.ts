/** The dataset registry: one name per loader, each loaded lazily (h5wasm, decoders) on first use. */
import type { CommonOptions, Dataset } from "./dataset.ts";
import type { ColoredShapesOptions } from "./datasets/colored-shapes.ts";
import type { ImageFolderOptions } from "./datasets/image-folder.ts";
import type { MnistOptions } from "./datasets/mnist.ts";
import type { SpritesOptions } from "./datasets/sprites.ts";
import type { YaleBOptions } from "./datasets/yale-b.ts";

export interface DatasetOptionsByName {
  sprites: SpritesOptions;
  "colored-shapes": ColoredShapesOptions;
  "dsprites-npz": CommonOptions;
  "yale-b": YaleBOptions;
  mnist: MnistOptions;
  "fashion-mnist": MnistOptions;
  "image-folder": ImageFolderOptions;
  "3dshapes-h5": CommonOptions;
}

export type DatasetName = keyof DatasetOptionsByName;

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

export const DATASET_NAMES = Object.keys(loaders) as DatasetName[];

export function isDatasetName(name: string): name is DatasetName {
  return Object.hasOwn(loaders, name);
}

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
