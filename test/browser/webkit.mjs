// karma's WebKit: WebKitGTK's MiniBrowser (Debian's libwebkit2gtk-4.1-0, the engine of Safari) on an
// Xvfb display of its own, which Xvfb picks free (-displayfd). karma runs this with the page's URL and
// stops it with SIGTERM; it then stops the two processes it started, by PID.
import { spawn } from 'node:child_process';

const url = process.argv[2];
const MINIBROWSER = process.env.WEBKIT_BIN || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

const xvfb = spawn('/usr/bin/Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
  stdio: ['ignore', 'ignore', 'inherit', 'pipe'],
});
let browser;
let stopped = false;
// Set before the wait for a display: a stop then leaves no Xvfb behind, and starts no browser.
const stop = () => {
  stopped = true;
  browser?.kill();
  xvfb.kill();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
const display = await new Promise((resolve, reject) => {
  let out = '';
  xvfb.stdio[3].on('data', (chunk) => {
    out += chunk;
    if (out.includes('\n')) resolve(out.trim());
  });
  xvfb.once('exit', (code) => (stopped ? resolve('') : reject(new Error(`Xvfb exited (${code}) before it had a display`))));
});
if (!stopped) {
  // No GPU behind Xvfb: compositing off spares WebKit a GL context it would only emulate.
  const env = { ...process.env, DISPLAY: `:${display}`, WEBKIT_DISABLE_COMPOSITING_MODE: '1' };
  browser = spawn(MINIBROWSER, [url], { env, stdio: 'inherit' });
  browser.once('exit', (code) => {
    xvfb.kill();
    process.exitCode = code ?? 0;
  });
}
