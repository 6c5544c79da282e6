export async function runDemo(): Promise<void> {
  const { initEngine } = await import("../engine/device.ts");
  const info = await initEngine("wasm");
  console.log(`engine ready: ${info.device}, ${info.threads} thread(s)`);
}
