/**
 * The URL the training worker is started from: the page's own entry module (main.tsx sets it),
 * which turns into the worker when it finds no document. One bundle, one copy of jax-js.
 */
let url: string | undefined;

export function setWorkerUrl(entry: string): void {
  url = entry;
}

export function workerUrl(): string {
  if (url === undefined) throw new Error("the page's entry has not set the worker's URL");
  return url;
}
