// Session secrets (PROTOCOL.md, "Session secrets") in Chromium and Firefox: every tier's requests
// carry the browser's secret cookie, so a resumable session is guarded from the request that opens
// it, and a request made with its URL and without the cookie (credentials: 'omit', as from a stolen
// log line) can neither send on it, resume it, nor close it, while the client goes on undisturbed.
// Each test gets a cometkit instance of its own from the suite's admin endpoint (see startAdmin() in
// test/browser/suite.mjs), which also names the session (GET /cometkit/<id>/sessions).
import { createClient } from '../../dist/cometkit.mjs';
import { createClient as createWebSocketClient } from '../../dist/websocket.mjs';
import { admin, needAdmin, sessionsAt } from '../browser/support/admin.js';
import { assertEqual } from '../browser/support/echo.js';
import { opened } from '../browser/support/client.js';
import { waitFor, watch } from '../browser/support/flow.js';

const REFUSED = 'c[2012,"Session secret missing"]\n';

describe('session secrets', function () {
  this.timeout(20000);
  let clients = [];
  let instances = [];

  before(function () {
    needAdmin(this);
  });

  afterEach(async function () {
    for (const client of clients) if (client.state !== 'closed') client.close();
    clients = [];
    await Promise.all(instances.map((id) => admin('DELETE', `/cometkit/${id}`).catch(() => {})));
    instances = [];
  });

  function connect(url, options, create = createClient) {
    const client = create(url, options);
    clients.push(client);
    return { client, w: watch(client) };
  }

  /** Sends `text` and resolves once its echo came back. */
  async function echo(client, w, text) {
    let back = false;
    const off = client.on('message', ({ data }) => (back ||= data === text));
    client.send(text);
    try {
      await waitFor(client, w, () => back, 5000, `the echo of ${text}`);
    } finally {
      off();
    }
  }

  const RUNS = [
    ...['websocket', 'xhr-streaming', 'iframe', 'jsonp', 'polling'].map((tier) => [tier, tier, createClient]),
    ['websocket', 'cometkit/websocket', createWebSocketClient],
  ];
  for (const [tier, label, create] of RUNS) {
    it(`${label}: a request without the cookie cannot send on, resume or close the session; the client goes on`, async function () {
      const made = await admin('POST', '/cometkit');
      instances.push(made.id);
      const url = made.url + '/echo';
      // A first client leaves the browser with a secret (the one issued to it, or one it had): every
      // session of this browser from then on is guarded from its first request.
      const first = connect(url, { transports: [tier] }, create);
      await opened(first.client);
      first.client.close();
      const listed = () => sessionsAt(`/cometkit/${made.id}/sessions`);
      const before = await listed();

      const { client, w } = connect(url, { transports: [tier] }, create);
      const messages = [];
      client.on('message', ({ data }) => messages.push(data));
      await opened(client);
      await echo(client, w, 'before');
      const sessions = (await listed()).filter((s) => !before.includes(s));
      assertEqual(sessions.length, 1, 'sessions opened by the second client');
      const session = made.url + sessions[0].replace('/echo/', '/echo/000/');
      const stolen = (path, body) => fetch(session + path, { method: 'POST', credentials: 'omit', body });

      assertEqual((await stolen('/xhr_send?seq=1', '["forged"]')).status, 404, 'a send without the cookie');
      assertEqual(await (await stolen('/xhr?pos=0')).text(), REFUSED, 'a resume without the cookie');
      assertEqual(await (await stolen('/xhr_streaming?takeover=1&ack=0')).text(), 'h'.repeat(2048) + '\n' + REFUSED, 'a takeover without the cookie');
      assertEqual((await stolen('/close')).status, 404, 'a close without the cookie');

      await echo(client, w, 'after');
      assertEqual(client.state, 'open', 'state');
      assertEqual(client.transport, tier, 'transport');
      assertEqual(JSON.stringify(messages), '["before","after"]', 'messages');
      assertEqual(w.opens.length, 1, 'open events');
      assertEqual(JSON.stringify(w.errors.map((e) => e.message)), '[]', 'errors');
      assertEqual(w.closes.length, 0, 'close events');
    });
  }
});
