import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTML, cacheForever } from './http.js';

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

/** Serves a fixed page with long caching and ETag revalidation. */
export function servePage(req: IncomingMessage, res: ServerResponse, page: { body: string; etag: string }): void {
  if (req.headers['if-none-match'] === page.etag) {
    res.writeHead(304, { ETag: page.etag, ...cacheForever() });
    res.end();
    return;
  }
  res.writeHead(200, {
    'Content-Type': HTML,
    ETag: page.etag,
    ...cacheForever(),
    'Content-Length': String(Buffer.byteLength(page.body)),
  });
  res.end(page.body);
}
