/** `npm run dev:browser`: the renderer in any local browser, against the real handlers. */
import { startBridge } from './server.js';

const port = Number(process.env.RADSIFT_BRIDGE_PORT ?? 5178);
const bridge = await startBridge({ port });
console.log(`RadSift (browser bridge) at ${bridge.url} — Ctrl+C to stop`);
