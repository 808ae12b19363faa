// Where the bytes are: min+gzip of the ESM build with more and more of it imported, so each row's
// difference is what that part adds; and the full client built with the multi-tier features folded
// away, as `cometkit/websocket` is. Same rollup + terser settings and gzip level as test/size/size.mjs.
// Prints figures only. Run: `node test/size/parts.mjs` (after `npm run build`).
import { webSocketOnly } from '../../rollup.config.mjs';
import { fromDist, fromSource, gzipped, minified } from './measure.mjs';

const measure = async (build) => gzipped(await minified(build));

const ROWS = [
  ['createCoreClient alone (options, emitter, negotiation, reconnection, liveness, queue, resume, memory, re-upgrade, seats)', 'createCoreClient'],
  ['+ websocket', 'createCoreClient, websocket'],
  ['+ xhrStreaming (control channel, fetch helpers, /info probe and its JSONP form)', 'createCoreClient, websocket, xhrStreaming'],
  ['+ polling', 'createCoreClient, websocket, xhrStreaming, polling'],
  ['+ jsonp', 'createCoreClient, websocket, xhrStreaming, polling, jsonp'],
  ['+ iframe (bridge page included)', 'createCoreClient, websocket, xhrStreaming, polling, jsonp, iframe'],
  ['everything (createClient, TIERS, NegotiationError too)', '*'],
];

let previous = null;
for (const [label, names] of ROWS) {
  const gz = await measure(fromDist(names === '*' ? `export * from 'cometkit';` : `export { ${names} } from 'cometkit';`));
  console.log(`${label.padEnd(112)} ${String(gz).padStart(6)}${previous === null ? '' : `  +${gz - previous}`}`);
  previous = gz;
}

// The whole main entry with MULTI_TIER false: every tier, without memory, stream-sense, kill adaptation,
// tuning and re-upgrade. Built from src/ (measure.mjs, fromSource).
const folded = await measure(fromSource('src/index.ts', [webSocketOnly]));
console.log(`${'everything, with the multi-tier features folded away (MULTI_TIER false)'.padEnd(112)} ${String(folded).padStart(6)}`);
