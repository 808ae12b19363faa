// src/server/iframe.ts: the SockJS iframe page, its caching and revalidation.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request, start } from './helpers.mjs';

const DEFAULT_URL = 'https://cdn.jsdelivr.net/npm/sockjs-client@1.6.1/dist/sockjs.min.js';

function page(src) {
  return `<!DOCTYPE html>
<html>
<head>
  <meta http-equiv="X-UA-Compatible" content="IE=edge" />
  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
  <script src="${src}"></script>
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
}

describe('iframe page', () => {
  let server;
  let custom;
  before(async () => {
    // jsessionid on: the iframe page must still set no cookie.
    server = await start({ jsessionid: true });
    custom = await start({ sockjsUrl: '/static/sockjs.js?v=1&x="<y>' });
  });
  after(() => Promise.all([server.close(), custom.close()]));

  for (const path of ['/iframe.html', '/iframe-1.6.1.html', '/iframe-1.6.1.html?t=12345', '/iframe.html?t=x', '/iframe_a.b-c.html']) {
    it(`GET ${path}: the exact page, cached for a year, no cookie`, async () => {
      const res = await request(server.url + path, { headers: { Cookie: 'JSESSIONID=abc' } });
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], 'text/html;charset=UTF-8');
      assert.equal(res.body, page(DEFAULT_URL));
      assert.equal(res.headers['content-length'], String(Buffer.byteLength(res.body)));
      assert.equal(res.headers['cache-control'], 'public, max-age=31536000');
      const ahead = Date.parse(res.headers.expires) - Date.now();
      assert.ok(ahead > 364 * 24 * 3600 * 1000, `Expires a year ahead: ${res.headers.expires}`);
      assert.match(res.headers.etag, /^".+"$/);
      assert.equal(res.headers['last-modified'], undefined);
      assert.equal(res.headers['set-cookie'], undefined);
    });
  }

  it('has one stable ETag for every iframe name', async () => {
    const a = await request(server.url + '/iframe.html');
    const b = await request(server.url + '/iframe.html');
    const c = await request(server.url + '/iframe-1.6.1.html?t=1');
    assert.equal(a.headers.etag, b.headers.etag);
    assert.equal(a.headers.etag, c.headers.etag);
  });

  it('answers If-None-Match with the ETag by 304 and no body', async () => {
    const { headers } = await request(server.url + '/iframe.html');
    const res = await request(server.url + '/iframe-1.6.1.html', { headers: { 'If-None-Match': headers.etag } });
    assert.equal(res.status, 304);
    assert.equal(res.body, '');
    assert.equal(res.headers.etag, headers.etag);
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000');
    assert.equal(res.headers['set-cookie'], undefined);
  });

  it('answers a stale If-None-Match with the page', async () => {
    const res = await request(server.url + '/iframe.html', { headers: { 'If-None-Match': '"stale"' } });
    assert.equal(res.status, 200);
    assert.equal(res.body, page(DEFAULT_URL));
  });

  it('404s malformed names', async () => {
    for (const path of ['/iframe', '/IFRAME.HTML', '/iframe-/.html', '/iframe.htm', '/iframeA.html', '/iframe.html/', '/x/iframe.html', '/iframe!.html']) {
      const res = await request(server.url + path);
      assert.equal(res.status, 404, path);
    }
  });

  it('allows GET only', async () => {
    const res = await request(server.url + '/iframe.html', { method: 'POST' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.allow, 'GET');
  });

  it('loads the configured sockjsUrl, HTML-escaped, with its own ETag', async () => {
    const res = await request(custom.url + '/iframe.html');
    assert.equal(res.body, page('/static/sockjs.js?v=1&amp;x=&quot;&lt;y>'));
    assert.ok(!res.body.includes('"<y>'), 'the raw URL must not break out of the attribute');
    const other = await request(server.url + '/iframe.html');
    assert.notEqual(res.headers.etag, other.headers.etag);
  });
});
