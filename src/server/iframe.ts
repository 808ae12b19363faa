import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTML, cacheForever } from './http.js';
import type { Headers } from './http.js';

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/** The SockJS iframe page; stock sockjs-client's iframe transports run inside it. */
export function iframePage(sockjsUrl: string): { body: string; etag: string } {
  const body = `<!DOCTYPE html>
<html>
<head>
  <meta http-equiv="X-UA-Compatible" content="IE=edge" />
  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
  <script src="${escapeAttribute(sockjsUrl)}"></script>
  <script>
    document.domain = document.domain;
    SockJS.bootstrap_iframe();
  </script>
</head>
<body>
  <h2>Don't panic!</h2>
  <p>This is a SockJS hidden iframe. It's used for cross domain magic.</p>
</body>
</html>`;
  return { body, etag: '"' + createHash('sha1').update(body).digest('base64') + '"' };
}

/**
 * Serves a fixed page with its ETag: cached for a year (SockJS's rule for its iframe page), or,
 * with `fresh`, revalidated on every load (cometkit's bridge, which a newer version changes).
 */
export function servePage(req: IncomingMessage, res: ServerResponse, page: { body: string; etag: string; headers?: Headers }, fresh?: boolean): void {
  // The page's own headers (the bridge's embedder policy) on a 304 too: they describe the cached page.
  const fixed = { ...page.headers, ...(fresh ? { 'Cache-Control': 'no-cache' } : cacheForever()) };
  if (req.headers['if-none-match'] === page.etag) {
    res.writeHead(304, { ETag: page.etag, ...fixed });
    res.end();
    return;
  }
  res.writeHead(200, {
    'Content-Type': HTML,
    ETag: page.etag,
    ...fixed,
    'Content-Length': String(Buffer.byteLength(page.body)),
  });
  res.end(page.body);
}
