// Runs the harness smoke tests in Chromium and Firefox: node test/browser/smoke.mjs [--fail]
// --fail makes two tests fail on purpose (the exit code must then be non-zero).
import http from 'node:http';
import { WebSocketServer } from 'ws';
import { runKarma } from './karma.mjs';

// The "other" server that karma proxies /same/ to: a slow stream and a WebSocket echo.
const server = http.createServer((req, res) => {
  if (req.url !== '/stream') return res.writeHead(404).end();
  res.writeHead(200, { 'Content-Type': 'text/plain', 'X-Content-Type-Options': 'nosniff' });
  let n = 0;
  const timer = setInterval(() => {
    res.write(`${n}\n`);
    if (++n === 5) clearInterval(timer), res.end();
  }, 150);
  res.on('close', () => clearInterval(timer));
});
new WebSocketServer({ server, path: '/echo' }).on('connection', (socket) => {
  socket.on('message', (data) => socket.send(`echo: ${data}`));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

const started = performance.now();
const totals = await runKarma({
  files: ['test/browser/harness.smoke.js'],
  clientArgs: { smoke: { answer: 42, list: ['a', 'b'] }, proxied: true, failOnPurpose: process.argv.includes('--fail') },
  proxies: { '/same/': `http://127.0.0.1:${server.address().port}/` },
});
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(`smoke: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped in ${seconds} s`);
server.closeAllConnections();
server.close();
process.exitCode = totals.failed > 0 || totals.exitCode !== 0 ? 1 : 0;
