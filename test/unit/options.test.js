// Options are validated once, synchronously, before anything connects: every misuse
// throws a TypeError with an exact message.
import { createClient, createCoreClient } from '../../dist/cometkit.mjs';
import { assertEqual } from '../browser/support/echo.js';

// Never contacted: the tiers are fakes, the WebSocket constructor too.
const BASE = 'https://push.example/svc';

/** A tier that connects to nothing and never opens. */
function idleTier(name = 'polling') {
  const closes = [];
  return {
    name,
    roundTrips: 1,
    unsupported: () => '',
    connect: () => ({ send() {}, close: (notify) => closes.push(notify) }),
    closes,
  };
}

/** A WebSocket that never connects anywhere. */
class IdleWebSocket {
  constructor(url) {
    this.url = url;
  }
  send() {}
  close() {}
}

// The exact messages of src/client/options.ts and src/client/client.ts, in one place.
const MESSAGES = {
  notObject: 'cometkit: options must be an object',
  unknown: (key) => `cometkit: unknown option "${key}"`,
  type: (key, type) => `cometkit: option "${key}" must be a ${type}`,
  number: (key) => `cometkit: option "${key}" must be a number from 0 to 2147483647`,
  transports: 'cometkit: option "transports" must be a non-empty array',
  transport: (value) => `cometkit: unknown transport ${JSON.stringify(value)}`,
  url: 'cometkit: url must be an http(s) URL or a path',
};

const NUMBERS = ['timeout', 'reconnectDelay', 'maxReconnectDelay', 'stableAfter', 'heartbeatTimeout', 'pollInterval', 'pollIdleInterval', 'remember', 'upgradeInterval'];

function throwsTypeError(fn, message, what) {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof TypeError)) throw new Error(`${what}: expected a TypeError, got ${error}`);
    assertEqual(error.message, message, `${what}: message`);
    return;
  }
  throw new Error(`${what}: did not throw`);
}

describe('options', function () {
  let clients = [];
  const keep = (client) => (clients.push(client), client);
  afterEach(function () {
    for (const client of clients) client.close();
    clients = [];
  });

  /** Expects createCoreClient with these options (and a fake tier unless transports is given) to throw. */
  function rejects(options, message, what) {
    throwsTypeError(() => keep(createCoreClient(BASE, { transports: [idleTier()], ...options })), message, what);
  }

  it('rejects options that are not an object', function () {
    for (const options of ['fast', 42, true]) {
      throwsTypeError(() => keep(createCoreClient(BASE, options)), MESSAGES.notObject, JSON.stringify(options));
    }
  });

  it('rejects an unknown option', function () {
    rejects({ timeOut: 100 }, MESSAGES.unknown('timeOut'), 'timeOut');
  });

  it('rejects option names inherited from Object.prototype as unknown', function () {
    for (const key of ['toString', 'valueOf', 'constructor']) {
      rejects({ [key]: 1 }, MESSAGES.unknown(key), key);
    }
  });

  it('ignores members a page added to Object.prototype (old libraries), and still rejects its own unknown ones', function () {
    // Enumerable, as an old library's `Object.prototype.x = …` makes it; taken away before anything else runs.
    Object.prototype.cometkitTestExtra = 1;
    try {
      keep(createCoreClient(BASE, { transports: [idleTier()], timeout: 5 }));
      keep(createCoreClient(BASE, Object.assign(Object.create({ inherited: true }), { transports: [idleTier()] })));
      rejects({ timeOut: 100 }, MESSAGES.unknown('timeOut'), 'timeOut beside an inherited member');
    } finally {
      delete Object.prototype.cometkitTestExtra;
    }
  });

  it('rejects a reconnect that is not a boolean', function () {
    for (const value of ['yes', 1, null]) {
      rejects({ reconnect: value }, MESSAGES.type('reconnect', 'boolean'), String(value));
    }
  });

  it('rejects a retry or WebSocket that is not a function', function () {
    for (const key of ['retry', 'WebSocket']) {
      for (const value of [1000, 'WebSocket', {}, null]) {
        rejects({ [key]: value }, MESSAGES.type(key, 'function'), `${key}: ${String(value)}`);
      }
    }
  });

  for (const key of NUMBERS) {
    // Beyond 2^31 - 1 ms a browser fires a timer at once: a watchdog or a poll would spin.
    it(`rejects a ${key} that is not a number of ms a timer holds`, function () {
      for (const value of [-1, -0.5, Infinity, NaN, '100', null, true, 2147483648, 3e9]) {
        rejects({ [key]: value }, MESSAGES.number(key), `${key}: ${String(value)}`);
      }
    });

    it(`takes a ${key} of 2147483647`, function () {
      keep(createCoreClient(BASE, { transports: [idleTier()], [key]: 2147483647 }));
    });
  }

  it('rejects transports that are empty or not an array', function () {
    for (const transports of [[], 'websocket', { 0: 'websocket', length: 1 }]) {
      throwsTypeError(
        () => keep(createClient(BASE, { transports })),
        MESSAGES.transports,
        JSON.stringify(transports),
      );
    }
  });

  it('requires transports on the core client', function () {
    throwsTypeError(() => keep(createCoreClient(BASE)), MESSAGES.transports, 'no options');
    throwsTypeError(() => keep(createCoreClient(BASE, {})), MESSAGES.transports, '{}');
  });

  it('rejects an unknown transport name', function () {
    throwsTypeError(
      () => keep(createClient(BASE, { transports: ['websocket', 'carrier-pigeon'] })),
      MESSAGES.transport('carrier-pigeon'),
      'carrier-pigeon',
    );
    throwsTypeError(() => keep(createClient(BASE, { transports: ['WebSocket'] })), MESSAGES.transport('WebSocket'), 'WebSocket');
  });

  it('rejects tier names on the core client, which knows no tiers by name', function () {
    throwsTypeError(() => keep(createCoreClient(BASE, { transports: ['websocket'] })), MESSAGES.transport('websocket'), 'websocket');
  });

  it('rejects tier objects without connect()', function () {
    throwsTypeError(() => keep(createCoreClient(BASE, { transports: [{ name: 'polling' }] })), MESSAGES.transport({ name: 'polling' }), 'no connect');
    throwsTypeError(() => keep(createCoreClient(BASE, { transports: [null] })), MESSAGES.transport(null), 'null');
  });

  it('rejects a url that is not an http(s) URL or a path', function () {
    // The last three look like http(s) URLs but do not parse: they used to be taken, and the client then
    // stayed `connecting` for ever, an uncaught TypeError in the page.
    const malformed = ['http://[::1/svc', 'https://push.example:99999/svc', '//[bad/svc'];
    for (const url of ['ws://push.example/svc', 'ftp://push.example/svc', 'svc', '', 42, undefined, ...malformed]) {
      throwsTypeError(
        () => keep(createCoreClient(url, { transports: [idleTier()] })),
        MESSAGES.url,
        JSON.stringify(url) ?? 'undefined',
      );
      throwsTypeError(() => keep(createClient(url)), MESSAGES.url, `createClient(${JSON.stringify(url)})`);
    }
  });

  it('starts nothing when it throws', function () {
    const tier = idleTier();
    let connects = 0;
    const counting = { ...tier, connect: (...args) => (connects++, tier.connect(...args)) };
    rejects({ transports: [counting], timeout: -1 }, MESSAGES.number('timeout'), 'timeout');
    assertEqual(connects, 0, 'connect() calls');
  });

  it('accepts every option with a good value', function () {
    const tier = idleTier();
    const client = keep(
      createCoreClient(BASE, {
        transports: [tier],
        timeout: 0,
        reconnect: false,
        retry: () => null,
        reconnectDelay: 0,
        maxReconnectDelay: 1e9,
        stableAfter: 0.5,
        heartbeatTimeout: 0,
        pollInterval: 10,
        pollIdleInterval: 10,
        WebSocket: IdleWebSocket,
      }),
    );
    assertEqual(client.state, 'connecting', 'state');
  });

  it('accepts undefined option values as the defaults', function () {
    keep(createCoreClient(BASE, { transports: [idleTier()], timeout: undefined, retry: undefined }));
    keep(createClient(BASE, { transports: ['websocket'], WebSocket: IdleWebSocket, reconnect: undefined }));
  });

  it('accepts tier names and tier objects mixed on createClient', function () {
    const tier = idleTier('jsonp');
    const client = keep(createClient(BASE, { transports: ['websocket', tier], WebSocket: IdleWebSocket }));
    assertEqual(client.state, 'connecting', 'state');
  });

  it('accepts path and http URLs', function () {
    for (const url of ['/svc', 'http://push.example/svc', 'https://push.example:8443/a/b/']) {
      keep(createCoreClient(url, { transports: [idleTier()] }));
    }
  });

  it('hands the tiers the service URL made absolute, its query apart', async function () {
    const seen = [];
    const tier = { ...idleTier(), connect: (ctx) => (seen.push(ctx), { send() {}, close() {} }) };
    const cases = [
      ['/svc/?token=a', `${location.origin}/svc`, '&token=a'],
      ['//push.example/a/../svc#x', `${location.protocol}//push.example/svc`, ''],
      ['https://Push.Example:443/svc', 'https://push.example/svc', ''],
      // fetch() refuses a URL with credentials, a WebSocket ignores them: they go nowhere.
      ['https://user:pw@push.example/svc?a=1&b=2#x', 'https://push.example/svc', '&a=1&b=2'],
    ];
    for (const [url] of cases) keep(createCoreClient(url, { transports: [tier] }));
    // Connected a microtask after createCoreClient returns.
    await Promise.resolve();
    assertEqual(JSON.stringify(seen.map((ctx) => [ctx.base, ctx.query])), JSON.stringify(cases.map(([, base, query]) => [base, query])), 'base and query');
    for (const ctx of seen) assertEqual(ctx.session.startsWith(ctx.base + '/'), true, `session ${ctx.session}`);
  });
});
