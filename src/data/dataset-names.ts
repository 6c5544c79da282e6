/**
 * The names of the registry's datasets and each one's options, without the loaders (which
 * read files): run configs validate dataset names in a browser too. A new dataset adds its
 * name here and its loader in `registry.ts`, which the type system keeps in step.
 */
import type { CommonOptions } from "./dataset.ts";
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

/** Every dataset name, in the order the CLI lists them. */
export const DATASET_NAMES = [
  "sprites",
  "colored-shapes",
  "dsprites-npz",
  "yale-b",
  "mnist",
  "fashion-mnist",
  "image-folder",
  "3dshapes-h5",
] as const satisfies readonly DatasetName[];

/** Compile-time check that {@link DATASET_NAMES} lists every key of {@link DatasetOptionsByName}. */
type Unlisted = Exclude<DatasetName, (typeof DATASET_NAMES)[number]>;
export const DATASET_NAMES_COMPLETE: [Unlisted] extends [never] ? true : Unlisted = true;

/** Whether `name` is one of {@link DATASET_NAMES}. */
export function isDatasetName(name: string): name is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(name);
}
