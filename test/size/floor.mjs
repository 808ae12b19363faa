// How small a WebSocket-only client can be: min+gzip of the size probe test/size/floor/websocket.mjs
// (issue 3's requirements for one tier, none of issues 5 and 6), as written and with every message cut
// to a word, against the WebSocket-only budget and `cometkit/websocket` as built. First it checks that
// the probe works: against the reference server in Node (the `ws` package), it opens, echoes 200
// messages in order and sees the server's close. Run: `node test/size/floor.mjs` (after `npm run build`).
import nodeResolve from '@rollup/plugin-node-resolve';
import { readFile } from 'node:fs/promises';
import { rollup } from 'rollup';
import WebSocket from 'ws';
import { listen } from '../../dist/server.js';
import { BUILDS, measure } from './builds.mjs';
import { gzipped, minified } from './measure.mjs';
import virtual from './virtual.mjs';
import { createClient } from './floor/websocket.mjs';

const file = new URL('./floor/websocket.mjs', import.meta.url);

// The check: 200 echoes (non-ASCII among them) in order, then the server's close with its code.
const server = await listen({}, (s) => s.on('message', (d) => (d == 'bye' ? s.close(3001, 'asked') : s.send(d))));
try {
  const outcome = await new Promise((resolve, reject) => {
    const client = createClient(server.url, { WebSocket, reconnect: false });
    const got = [];
    const sent = Array.from({ length: 200 }, (_, i) => 'é ' + i);
    client.on('message', ({ data }) => got.push(data) == 200 && client.send('bye'));
    client.on('error', ({ error }) => reject(error));
    client.on('close', (e) => resolve({ ...e, ok: got.join() == sent.join() }));
    for (const text of sent) client.send(text);
  });
  if (!outcome.ok || outcome.code != 3001 || outcome.reason != 'asked') throw new Error('the size probe does not work: ' + JSON.stringify(outcome));
} finally {
  await server.close();
}

// Every message (errors, reasons) cut to a word: the same code with the shortest messages it could have.
// An edit whose text is gone fails loudly.
const MESSAGES = [
  "'url must be an http(s) URL or a path'",
  "'options must be an object'",
  "'unknown option \"' + k + '\"'",
  "'option \"' + k + '\" must be a ' + (k == 'transports' ? \"list of 'websocket'\" : type == 'number' ? 'number from 0 to ' + MAX : type)",
  "'All transports failed in ' + time + ' ms: ' + attempts.map((a) => a.transport + ' ' + a.outcome + ' (' + a.reason + ', ' + a.time + ' ms)').join('; ')",
  "'no WebSocket in this browser'",
  "'timed out after ' + ms + ' ms'",
  "'could not start: ' + e.message",
  "'WebSocket ' + (e.type == 'error' ? 'error' : 'closed (' + e.code + (e.reason ? ' ' + e.reason : '') + ')')",
  "'unexpected first frame ' + text.slice(0, 32)",
  "'Malformed frame: ' + text.slice(0, 64)",
  "'No heartbeat for ' + wait + ' ms'",
  "'send() takes a string'",
  "'cometkit: send() on a closed client'",
  "'close() takes a code of 1000 or 3000–4999 and a reason of up to 123 characters'",
];
const short = (code) =>
  MESSAGES.reduce((text, old, i) => {
    if (!text.includes(old)) throw new Error('message gone: ' + old);
    return text.replace(old, "'m" + i + "'");
  }, code);

const size = async (probe) => {
  const entry = `import { createClient } from 'probe'; export const connect = (url) => createClient(url);`;
  const code = await minified(rollup({ input: 'entry', plugins: [virtual({ entry, probe }), nodeResolve({ browser: true })] }));
  return gzipped(code);
};
const text = await readFile(file, 'utf8');
const shipped = await measure(BUILDS.find((b) => /^WebSocket-only/.test(b.name)));
console.log('| WebSocket-only client | min+gzip |\n|---|---|');
console.log(`| \`cometkit/websocket\` as built | ${shipped.gz} |`);
console.log(`| size probe: issue 3's requirements for one tier, none of issues 5 and 6 | ${await size(text)} |`);
console.log(`| the same, every message one word | ${await size(short(text))} |`);
console.log('| budget | 1500 |');
