/** `npm run dev:browser`: the renderer in any local browser, against the real handlers. */
import { loggableRequestPath, startBridge } from './server.js';

const port = Number(process.env.RADSIFT_BRIDGE_PORT ?? 5178);
const bridge = await startBridge({
  port,
  onRefused: (r) =>
    console.error(`[bridge] refused ${r.method} ${loggableRequestPath(r.path)}: ${r.status} (${r.reasons.join(', ')})`),
});
console.log(`RadSift (browser bridge) — open this URL in your browser:

  ${bridge.url}

The token in it is a secret made for this launch only: whoever has it can read the folders
you open here, so do not share it. The browser keeps a session cookie instead, for the random
path ${new URL(bridge.base).pathname} only, and the address bar drops the token; without the
cookie the bridge answers 403. Ctrl+C to stop.`);

// Ctrl+C (or a kill) closes the bridge: its temporary data folder holds the index and any PACS cache of the
// session (patient data), which an exit without close() left behind in the temporary folder.
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  bridge.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`[bridge] closing: ${String(error)}`);
      process.exit(1);
    },
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
