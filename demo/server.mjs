// `npm start`: the reference server on 127.0.0.1 with the demo pages.
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from '../dist/server.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const TYPES = {
  '.html': 'text/html;charset=UTF-8',
  '.js': 'application/javascript;charset=UTF-8',
  '.mjs': 'application/javascript;charset=UTF-8',
  '.css': 'text/css;charset=UTF-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
};
// Only these folders are served: the demo pages and the built client.
const MOUNTS = { '/dist/': 'dist', '/': 'demo' };

async function serveStatic(req, res) {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  for (const [mount, dir] of Object.entries(MOUNTS)) {
    if (!path.startsWith(mount)) continue;
    const rel = normalize(path.slice(mount.length) || 'index.html');
    if (rel.startsWith('..')) break;
    try {
      const body = await readFile(join(root, dir, rel));
      res.writeHead(200, { 'Content-Type': TYPES[extname(rel)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' });
      res.end(body);
      return;
    } catch {
      break;
    }
  }
  res.writeHead(404, { 'Content-Type': 'text/plain' });
  res.end('Not found\n');
}

const port = Number(process.env.PORT ?? 8080);
const http = createHttpServer(serveStatic);
const comet = createServer({ prefix: '/comet' });
comet.on('connection', (session) => {
  // The demo service echoes every message back.
  session.on('message', (text) => session.send(text));
});
// Requests under /comet go to cometkit; everything else still reaches serveStatic.
comet.attach(http);
http.listen(port, '127.0.0.1', () => {
  console.log(`cometkit demo on http://127.0.0.1:${port}/ (service at http://127.0.0.1:${port}/comet)`);
});
