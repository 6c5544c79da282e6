// The Node side of the page's check: the same decode through the Node entry, as JSON.
import * as lib from "disentangle";
import { decodeOne } from "./web/decode.js";

await lib.initEngine(process.argv[2] ?? "wasm");
console.log(JSON.stringify(await decodeOne(lib)));
