// Session secrets (PROTOCOL.md, "### Session secrets"): a resumable session belongs to the browser
// that opened it, by an HttpOnly cookie; a request with the session's URL and not its secret cannot
// resume, take over, renew, send on or close it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  htmlfileFrames,
  jsonpFrame,
  messagesOf,
  nextConnection,
  openStream,
  openWs,
  request,
  sid,
  start,
  streamFrames,
  withTimeout,
  wsUrl,
  xhrFrames,
} from './helpers.mjs';

const REFUSED = 'c[2012,"Session secret missing"]';
const COOKIE = /^(cometkit_[\w-]{8}=[\w-]{24}); Path=\/svc; HttpOnly; SameSite=Lax$/;
/** A secret of the shape the server issues, from one letter. */
const made = (letter) => `cometkit_${letter.repeat(8)}=${letter.repeat(24)}`;
const OTHER = made('x');
const cookie = (...secrets) => ({ Cookie: ['theme=dark', ...secrets].join('; ') });
const setCookie = (res) => res.headers['set-cookie'];

/** Requests on one server, each with the cookie header given (none by default). */
function on(server) {
  const base = server.url + '/000/';
  return {
    stream: (id, query, headers = {}) => openStream(`${base}${id}/xhr_streaming${query}`, { method: 'POST', headers }),
    send: (id, query, messages, headers = {}) =>
      request(`${base}${id}/xhr_send${query}`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain', ...headers },
        body: JSON.stringify(messages),
      }),
    close: (id, headers = {}) => request(`${base}${id}/close`, { method: 'POST', headers }),
  };
}

/** A resumable session opened over xhr_streaming with `headers`, and the application's log of it. */
async function open(server, headers = {}) {
  const id = sid();
  const connected = nextConnection(server);
  const s = await on(server).stream(id, '?pos=0', headers);
  const session = await connected;
  const log = { messages: [], closes: [] };
  session.on('message', (m) => log.messages.push(m));
  session.on('close', (code) => log.closes.push(code));
  await s.until((t) => streamFrames(t).length > 0, 'k0');
  return { id, s, session, log };
}

/** The application sends `text`; resolves once the session's stream shows it. */
async function deliver({ s, session }, text) {
  session.send(text);
  await s.until((t) => messagesOf(streamFrames(t)).includes(text), `delivery of ${text}`);
}

/** Every way to receive on a session, asking to resume it from `pos`: resolves with the frames of the answer. */
const RECEIVERS = {
  xhr_streaming: async (base, id, query, headers) => {
    const s = await openStream(`${base}/000/${id}/xhr_streaming${query}`, { method: 'POST', headers });
    const text = await withTimeout(s.ended, 'the end of the refused stream');
    return streamFrames(text);
  },
  htmlfile: async (base, id, query, headers) => {
    const s = await openStream(`${base}/000/${id}/htmlfile?c=cb${query.replace('?', '&')}`, { headers });
    return htmlfileFrames(await withTimeout(s.ended, 'the end of the refused htmlfile'));
  },
  xhr: async (base, id, query, headers) => xhrFrames((await request(`${base}/000/${id}/xhr${query}`, { method: 'POST', headers })).body),
  poll: async (base, id, query, headers) => xhrFrames((await request(`${base}/000/${id}/poll${query}`, { method: 'POST', headers })).body),
  jsonp: async (base, id, query, headers) => [
    jsonpFrame((await request(`${base}/000/${id}/jsonp?c=cb${query.replace('?', '&')}`, { headers })).body)[1],
  ],
  websocket: async (base, id, query, headers) => {
    // (ws sends the Cookie header as given.)
    const socket = openWs(wsUrl(base, `/000/${id}/websocket${query}`), { headers });
    // What a refused socket sends (as soon as it can) must not reach the session.
    socket.ws.once('open', () => socket.ws.send(JSON.stringify([0, 1, 'sent on a refused socket'])));
    const first = await socket.next();
    await withTimeout(socket.closed, 'the WebSocket close');
    return [first];
  },
};

describe('session secrets', () => {
  let server;
  let http;
  before(async () => {
    server = await start({ prefix: '/svc' }, (session) => session.on('message', (m) => session.send('echo ' + m)));
    http = on(server);
  });
  after(() => server.close());

  it('issues an HttpOnly cookie scoped to the service to the request that opens a resumable session', async () => {
    const o = await open(server);
    const [value] = setCookie(o.s);
    assert.match(value, COOKIE);
    o.s.abort();
  });

  it('issues none to a request that shows one, and none to stock requests (/info, no pos, sends)', async () => {
    const shown = await open(server, cookie(made('a')));
    assert.equal(setCookie(shown.s), undefined);
    assert.equal(setCookie(await request(`${server.url}/info`)), undefined);
    const id = sid();
    const poll = await request(`${server.url}/000/${id}/xhr`, { method: 'POST' });
    assert.deepEqual(xhrFrames(poll.body), ['o']);
    assert.equal(setCookie(poll), undefined);
    assert.equal(setCookie(await http.send(id, '', ['x'])), undefined);
    shown.s.abort();
  });

  it("issues none to a cometkit client's sends and closes, which carry pos too", async () => {
    const o = await open(server);
    const form = `d=${encodeURIComponent(JSON.stringify(['z']))}`;
    const answers = [
      await http.send(o.id, '?pos=0&seq=1', ['x']),
      await http.send(o.id, '?pos=0&seq=2&poll', ['y']),
      await request(`${server.url}/000/${o.id}/jsonp_send?pos=0&seq=3`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: form,
      }),
      await request(`${server.url}/000/${o.id}/close?pos=0`, { method: 'POST' }),
    ];
    assert.deepEqual(
      answers.map((res) => res.status),
      [204, 200, 200, 204],
      'statuses',
    );
    assert.deepEqual(answers.map(setCookie), [undefined, undefined, undefined, undefined]);
    assert.deepEqual(o.log.messages, ['x', 'y', 'z']);
    o.s.abort();
  });

  it('sets its cookie beside JSESSIONID on a service that sets that too', async () => {
    const sticky = await start({ prefix: '/svc', jsessionid: true });
    const s = await on(sticky).stream(sid(), '?pos=0');
    const [jsession, secret] = setCookie(s);
    assert.equal(jsession, 'JSESSIONID=dummy; path=/');
    assert.match(secret, COOKIE);
    s.abort();
    await sticky.close();
  });

  it('marks the cookie Secure, SameSite=None and Partitioned behind TLS', async () => {
    const s = await http.stream(sid(), '?pos=0', { 'X-Forwarded-Proto': 'https' });
    assert.match(setCookie(s)[0], /^cometkit_[\w-]{8}=[\w-]{24}; Path=\/svc; HttpOnly; SameSite=None; Secure; Partitioned$/);
    s.abort();
  });

  it('advertises cometkit.secret in /info, unless sessionSecrets or resume is off', async () => {
    assert.equal(JSON.parse((await request(`${server.url}/info`)).body).cometkit.secret, 'cookie');
    for (const options of [{ sessionSecrets: false }, { resumeGrace: 0 }]) {
      const other = await start(options);
      assert.equal(JSON.parse((await request(`${other.url}/info`)).body).cometkit.secret, undefined, JSON.stringify(options));
      await other.close();
    }
  });

  for (const [transport, receive] of Object.entries(RECEIVERS)) {
    it(`refuses a resume over ${transport} without the secret (2012 on that request) and the session goes on`, async () => {
      const secret = made('b');
      const o = await open(server, cookie(secret));
      await deliver(o, 'one');
      for (const headers of [{}, cookie(OTHER)]) {
        assert.deepEqual(await receive(server.url, o.id, '?pos=0', headers), [REFUSED], JSON.stringify(headers));
      }
      // Untouched: the same stream still receives, nothing was rewound, closed or sent.
      assert.equal(o.session.state, 'open');
      assert.ok(o.session.receiver, 'the first stream is still attached');
      await deliver(o, 'two');
      assert.deepEqual(messagesOf(streamFrames(o.s.text)), ['one', 'two']);
      assert.deepEqual(o.log, { messages: [], closes: [] });
      // The browser with the secret resumes.
      assert.deepEqual(await RECEIVERS.xhr(server.url, o.id, '?pos=2', cookie(secret)), ['k0']);
      o.s.abort();
    });
  }

  it('refuses a takeover or a renewal without the secret', async () => {
    const secret = made('c');
    const o = await open(server, cookie(secret));
    for (const query of ['?takeover=1&ack=0', '?ack=0']) {
      assert.deepEqual(await RECEIVERS.xhr_streaming(server.url, o.id, query, {}), [REFUSED], query);
    }
    assert.ok(o.session.receiver, 'the first stream is still attached');
    o.s.abort();
  });

  it('ignores the heartbeat asked for (h=) by a request it refuses', async () => {
    const o = await open(server, cookie(made('g')));
    assert.deepEqual(await RECEIVERS.xhr(server.url, o.id, '?ack=0&h=1000', {}), [REFUSED]);
    // A write arms the next heartbeat with the session's delay, as it then stands.
    await deliver(o, 'after');
    // Nothing announces a heartbeat not sent: the stream is watched for WAIT_MS (3 s), three times the
    // asked delay (the server's own is 60 s here).
    await assert.rejects(o.s.until((t) => streamFrames(t).includes('h'), 'a heartbeat'), /timed out waiting for a heartbeat/);
    o.s.abort();
  });

  it('answers a send or a close without the secret as for no session: 404, nothing delivered', async () => {
    const secret = made('d');
    const o = await open(server, cookie(secret));
    assert.equal((await http.send(o.id, '?seq=1', ['forged'])).status, 404);
    assert.equal((await http.send(o.id, '?seq=1', ['forged'], cookie(OTHER))).status, 404);
    assert.equal((await http.close(o.id)).status, 404);
    assert.equal(o.session.state, 'open');
    assert.deepEqual(o.log, { messages: [], closes: [] });
    assert.equal((await http.send(o.id, '?seq=1', ['mine'], cookie(secret))).status, 204);
    await o.s.until((t) => messagesOf(streamFrames(t)).includes('echo mine'), 'the echo');
    assert.deepEqual(o.log.messages, ['mine']);
    assert.equal((await http.close(o.id, cookie(secret))).status, 204);
    assert.deepEqual(o.log.closes, [1000]);
  });

  it('gives a session opened without a cookie to the first secret a later request shows; before that, any request counts', async () => {
    const o = await open(server);
    assert.match(setCookie(o.s)[0], COOKIE);
    // A browser that keeps no cookies goes on working (and so would one whose first answer was cut
    // before its headers arrived: the next request it makes is issued a secret of its own).
    assert.equal((await http.send(o.id, '?seq=1', ['no cookie'])).status, 204);
    // The first secret shown takes the session: from then on only requests showing it count.
    assert.equal((await http.send(o.id, '?seq=2', ['shown'], cookie(made('h')))).status, 204);
    assert.equal((await http.send(o.id, '?seq=3', ['no cookie again'])).status, 404);
    assert.equal((await http.send(o.id, '?seq=3', ['other'], cookie(OTHER))).status, 404);
    assert.deepEqual(await RECEIVERS.xhr(server.url, o.id, '?pos=0', {}), [REFUSED]);
    // A browser sends every secret it has: the session's among them counts.
    assert.equal((await http.send(o.id, '?seq=3', ['among others'], cookie(OTHER, made('h')))).status, 204);
    await o.s.until((t) => messagesOf(streamFrames(t)).includes('echo among others'), 'the echoes');
    assert.deepEqual(o.log.messages, ['no cookie', 'shown', 'among others']);
    o.s.abort();
  });

  it('gives sessions opened at once without a cookie secrets of their own names, which add up in the browser', async () => {
    // (One after the other: each open() awaits the server's next connection. Neither shows a cookie,
    // as when both left the browser before either answer came back.)
    const a = await open(server);
    const b = await open(server);
    const [secretA, secretB] = [a, b].map((o) => COOKIE.exec(setCookie(o.s)[0])[1]);
    assert.notEqual(secretA.split('=')[0], secretB.split('=')[0], 'cookie names');
    // The browser now sends both, in whichever order: each session counts them from then on.
    assert.equal((await http.send(a.id, '?seq=1', ['to a'], cookie(secretB, secretA))).status, 204);
    assert.equal((await http.send(b.id, '?seq=1', ['to b'], cookie(secretA, secretB))).status, 204);
    assert.equal((await http.send(a.id, '?seq=2', ['a again'], cookie(secretA, secretB))).status, 204);
    // A cookie of another shape counts as none, which no longer does.
    assert.equal((await http.send(b.id, '?seq=2', ['odd'], cookie(`cometkit_secret=${'z'.repeat(24)}`))).status, 404);
    await a.s.until((t) => messagesOf(streamFrames(t)).includes('echo a again'), 'the echoes in a');
    await b.s.until((t) => messagesOf(streamFrames(t)).includes('echo to b'), 'the echo in b');
    assert.deepEqual([a.log.messages, b.log.messages], [['to a', 'a again'], ['to b']]);
    a.s.abort();
    b.s.abort();
  });

  it('issues the cookie in the 101 of a WebSocket that opens a resumable session, and binds the session to it', async () => {
    const id = sid();
    const connected = nextConnection(server);
    const socket = openWs(wsUrl(server.url, `/000/${id}/websocket?pos=0`));
    const res = await withTimeout(socket.upgraded, 'the 101');
    const [value] = setCookie(res);
    assert.match(value, COOKIE);
    assert.equal(await socket.next(), 'k0');
    const session = await connected;
    // Proven by a resume that shows it (the client's next connection), then required.
    socket.ws.terminate();
    await withTimeout(socket.closed, 'the WebSocket close');
    const secret = COOKIE.exec(value)[1];
    assert.equal((await RECEIVERS.xhr(server.url, id, '?pos=0', cookie(secret)))[0], 'k0');
    assert.deepEqual(await RECEIVERS.xhr(server.url, id, '?pos=0', {}), [REFUSED]);
    assert.equal(session.state, 'open');
  });

  it('sets no cookie on a WebSocket without pos, and leaves its session unguarded', async () => {
    const socket = openWs(wsUrl(server.url, `/000/${sid()}/websocket`));
    assert.equal(setCookie(await withTimeout(socket.upgraded, 'the 101')), undefined);
    assert.equal(await socket.next(), 'o');
    socket.ws.close();
    await withTimeout(socket.closed, 'the WebSocket close');
  });

  it('guards no session that is not resumable (stock clients), and nothing with sessionSecrets: false', async () => {
    // A stock session opened with a cookie: a send without it still counts.
    const id = sid();
    assert.deepEqual(xhrFrames((await request(`${server.url}/000/${id}/xhr`, { method: 'POST', headers: cookie(made('e')) })).body), ['o']);
    assert.equal((await http.send(id, '', ['plain'])).status, 204);
    const off = await start({ sessionSecrets: false });
    const o = await open(off, cookie(made('f')));
    assert.equal(setCookie(o.s), undefined);
    assert.equal((await on(off).send(o.id, '?seq=1', ['unguarded'])).status, 204);
    o.s.abort();
    await off.close();
  });
});
