// src/server/session.ts, src/server/receiver.ts: a client that does not take an HTTP answer (it keeps
// the connection open and never reads) and polls again, or goes away, does not make the process hold
// that answer for good (Node times no response out): the answer is cut once the session has another
// receiver or expires. The client's socket is paused, so the kernel's buffers fill (a few MiB on
// loopback) and the response holds the rest.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { start, nextConnection, request, xhrPoll, sid, withTimeout } from '../helpers.mjs';

// Far beyond what loopback's socket buffers take.
const BIG = 'x'.repeat(16 * 1024 * 1024);

describe('HTTP receivers: an answer the client does not take', () => {
  let server;
  const accepted = [];
  const clients = [];
  before(async () => {
    server = await start({ disconnectDelay: 500 });
    server.http.on('connection', (socket) => accepted.push(socket));
  });
  after(() => {
    for (const client of clients) client.destroy();
    return server.close();
  });

  /** A session with BIG queued, polled by a client that reads nothing: resolves with the poll's server-side socket. */
  async function stalledPoll() {
    const id = sid();
    const connection = nextConnection(server);
    assert.equal((await xhrPoll(server.url, id)).body, 'o\n');
    const session = await connection;
    session.send(BIG);
    const count = accepted.length;
    const client = net.connect(server.port, '127.0.0.1');
    clients.push(client);
    client.on('error', () => {});
    client.pause();
    client.write(`POST /000/${id}/xhr HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`);
    // Until the answer is written, and the process holds what the client has not taken.
    const held = () => accepted.length > count && accepted[accepted.length - 1].writableLength > 0;
    await withTimeout(
      (async () => {
        while (!held()) await new Promise((resolve) => setImmediate(resolve));
      })(),
      'the answer written',
    );
    return { id, session, socket: accepted[accepted.length - 1] };
  }

  it('is cut when the session gets another receiver', async () => {
    const { id, session, socket } = await stalledPoll();
    let cut = false;
    socket.once('close', () => (cut = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(cut, false, 'nothing cut before');
    const closed = once(socket, 'close');
    // The next poll (plain polling: answered at once).
    assert.equal((await request(`${server.url}/000/${id}/poll`, { method: 'POST' })).status, 200);
    await withTimeout(closed, 'the untaken answer cut');
    assert.equal(session.state, 'open');
  });

  it('is cut when the session expires', async () => {
    const { session, socket } = await stalledPoll();
    const closed = once(session, 'close');
    await withTimeout(once(socket, 'close'), 'the untaken answer cut');
    assert.deepEqual(await closed, [1000, 'Session timed out']);
  });
});
