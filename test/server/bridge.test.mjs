// src/server/bridge.ts: cometkit's cross-origin forever-iframe bridge page,
// served as /iframe-cometkit.html (the script inside runs in browsers only).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request, start } from './helpers.mjs';

describe('/iframe-cometkit.html', () => {
  let server;
  before(async () => {
    server = await start({ jsessionid: true });
  });
  after(() => server.close());

  it('serves the bridge page with an ETag to revalidate on every load (a newer version changes it), and no cookie', async () => {
    const res = await request(server.url + '/iframe-cometkit.html?t=1');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'text/html;charset=UTF-8');
    // The page itself (a browser script) is still changing; only how it is served is pinned here.
    assert.match(res.body, /^<!doctype html>/i);
    assert.match(res.body, /<script>/);
    assert.ok(!res.body.includes('SockJS.bootstrap_iframe'), 'not the SockJS iframe page');
    assert.equal(res.headers['content-length'], String(Buffer.byteLength(res.body)));
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.equal(res.headers.expires, undefined);
    assert.match(res.headers.etag, /^".+"$/);
    assert.equal(res.headers['set-cookie'], undefined);
    // A cross-origin isolated page frames only pages with an embedder policy of their own.
    assert.equal(res.headers['cross-origin-embedder-policy'], 'require-corp');
    const sockjs = await request(server.url + '/iframe.html');
    assert.notEqual(res.headers.etag, sockjs.headers.etag);
  });

  it('answers If-None-Match by 304', async () => {
    const { headers } = await request(server.url + '/iframe-cometkit.html');
    const res = await request(server.url + '/iframe-cometkit.html', { headers: { 'If-None-Match': headers.etag } });
    assert.equal(res.status, 304);
    assert.equal(res.body, '');
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.equal(res.headers['cross-origin-embedder-policy'], 'require-corp');
  });

  it('is GET only', async () => {
    const res = await request(server.url + '/iframe-cometkit.html', { method: 'POST' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.allow, 'GET');
  });
});
