// Starting demo/server.mjs as `npm start` does, for the tests in this folder (not a test
// file itself: `node --test` runs only files named like *.test.mjs).
import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const WAIT_MS = 5000;

/** Starts the demo server; resolves once its first line gives the port. */
export function startDemo() {
  const child = spawn(process.execPath, ['demo/server.mjs'], {
    cwd: root,
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const demo = { child, stderr: '', port: 0 };
  child.stderr.on('data', (chunk) => (demo.stderr += chunk));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const port = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out)?.[1];
      if (port) resolve(Object.assign(demo, { port: Number(port) }));
    });
    child.once('exit', (code) => reject(new Error(`demo server exited (${code}) before listening: ${out}${demo.stderr}`)));
  });
}

export async function stopDemo(demo) {
  if (!demo || demo.child.exitCode !== null || demo.child.signalCode !== null) return;
  const exited = new Promise((resolve) => demo.child.once('exit', resolve));
  demo.child.kill();
  await exited;
}

/**
 * One request with the path sent exactly as given (no normalising), on `agent` (none: a socket
 * of its own). Resolves with status and body, or with the socket error's code when the server
 * drops the connection instead of answering.
 */
export function request(demo, path, { method = 'GET', agent = false, body } = {}) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out: ${method} ${path}`)), WAIT_MS);
    const req = http.request({ host: '127.0.0.1', port: demo.port, path, method, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode, body: text });
      });
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      resolve({ error: error.code ?? error.message });
    });
    req.end(body);
  });
}
