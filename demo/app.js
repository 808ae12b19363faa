// The demo UI, shared by the script-tag page and the ES module page: they differ only in
// how they load cometkit, so each hands over what it loaded: startDemo(cometkit, label).
// A classic script (not a module) so that the script-tag page needs no module support.

const TIERS = ['websocket', 'xhr-streaming', 'iframe', 'jsonp', 'polling'];
const OFFLINE_MS = 5000;

const el = (id) => document.getElementById(id);
const clock = (time) => new Date(time).toTimeString().slice(0, 8);
function escapeHtml(text) {
  return String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}

/**
 * Which chat lines to show. A new session gets the recent lines again, so lines are told
 * apart by id; but ids count from 1 again when the demo server restarts, so ids are
 * remembered per server (when it started, in each welcome) and a new server's lines are new.
 */
function chatFilter() {
  let server = null;
  const seen = new Set();
  return {
    /** Takes a welcome's `started`; true when it comes from another server than the last one. */
    welcome(started) {
      if (started === server) return false;
      const restarted = server !== null;
      server = started;
      seen.clear();
      return restarted;
    },
    /** True the first time a line with this id comes from the current server. */
    isNew(id) {
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    },
  };
}

function markup(label) {
  const options = ['auto', ...TIERS].map((t) => `<option value="${t}">${t === 'auto' ? 'automatic' : t}</option>`).join('');
  return `
<header class="bar">
  <h1><a href="/">cometkit</a> <small>${escapeHtml(label)}</small></h1>
  <div class="status" id="status" data-state="connecting" data-opens="0">
    <span class="dot"></span><b id="state">connecting</b><span id="transport"></span>
  </div>
</header>
<div class="wrap">
  <section class="controls">
    <label>Tier <select id="tier">${options}</select></label>
    <button id="cut" class="ghost" disabled title="The server destroys this session's sockets">Cut connection</button>
    <button id="offline" class="ghost" disabled title="Tells the page it is offline for ${OFFLINE_MS / 1000} s">Go offline ${OFFLINE_MS / 1000} s</button>
    <dl class="stats">
      <div><dt>Round trip</dt><dd id="latency">–</dd></div>
      <div><dt>Messages in</dt><dd id="rate">0/s</dd></div>
      <div><dt>Session</dt><dd id="session">–</dd></div>
    </dl>
  </section>
  <p class="hint">Open this page in a second window to chat. <b>Cut connection</b>: the server destroys this
    session's sockets and refuses it for 2 s, as a network failure would. <b>Go offline</b>: the page turns
    <code>navigator.onLine</code> false and fires <code>offline</code>: the client ends the connection at once
    and waits for <code>online</code> ${OFFLINE_MS / 1000} s later, then resumes the session.</p>
  <main class="grid">
    <section class="card">
      <h2>Chat <small id="people"></small></h2>
      <ol id="chat-log" class="scroll chat-log"></ol>
      <form id="chat-form" class="say" autocomplete="off">
        <input id="name" type="text" maxlength="24" aria-label="Your name">
        <input id="chat-text" type="text" maxlength="500" placeholder="Say something" aria-label="Message">
        <button>Send</button>
      </form>
    </section>
    <section class="card">
      <h2>Ticker <small>pushed every 500 ms</small></h2>
      <table id="ticker"><thead><tr><th>Symbol</th><th>Price</th><th>Change</th></tr></thead><tbody></tbody></table>
      <p class="empty" id="ticker-empty">Waiting for the first prices…</p>
    </section>
    <section class="card wide">
      <h2>Negotiation and connection log <small>newest last</small></h2>
      <ol id="tiers" class="tiers" aria-label="Tiers of the latest negotiation"></ol>
      <ol id="log" class="scroll log"></ol>
    </section>
  </main>
</div>`;
}

function startDemo(cometkit, label) {
  document.body.insertAdjacentHTML('beforeend', markup(label));
  const params = new URLSearchParams(location.search);
  let tier = TIERS.includes(params.get('tier')) ? params.get('tier') : 'auto';
  let name = params.get('name') || sessionStorage.getItem('demo name') || 'guest-' + Math.floor(100 + Math.random() * 900);
  el('tier').value = tier;
  el('name').value = name;

  let client = null;
  let session = null;
  let opens = 0;
  const chat = chatFilter();
  let ping = null; // { id, at } of the ping awaiting its pong
  let nextPing = 1;
  let received = 0;
  let offline = false; // while the page plays offline

  function log(kind, text) {
    const list = el('log');
    const item = document.createElement('li');
    item.className = kind;
    const now = Date.now();
    item.innerHTML = `<time>${clock(now)}.${String(now % 1000).padStart(3, '0')}</time>${escapeHtml(text)}`;
    list.append(item);
    while (list.children.length > 300) list.firstChild.remove();
    list.scrollTop = list.scrollHeight;
  }

  function showState() {
    const status = el('status');
    status.dataset.state = client.state;
    status.dataset.transport = client.transport || '';
    status.dataset.opens = String(opens);
    el('state').textContent = client.state;
    el('transport').textContent = client.transport ? `over ${client.transport}` : '';
    el('cut').disabled = !session || client.state !== 'open';
    el('offline').disabled = offline || !session || client.state !== 'open';
    if (client.state !== 'open') el('latency').textContent = '–';
    showTiers();
  }

  // One chip per tier: what the latest negotiation made of it (off: not allowed by the picker).
  function showTiers() {
    const outcomes = {};
    for (const a of client.diagnostics()) outcomes[a.transport] = a;
    el('tiers').innerHTML = TIERS.map((t) => {
      const a = outcomes[t];
      const outcome = a ? a.outcome : tier === 'auto' || tier === t ? 'untried' : 'off';
      const title = a ? `${a.outcome} in ${a.time} ms${a.reason ? `: ${a.reason}` : ''}` : outcome;
      return `<li data-tier="${t}" data-outcome="${outcome}" title="${escapeHtml(title)}">${t}</li>`;
    }).join('');
  }

  function send(message) {
    client.send(JSON.stringify(message));
  }

  function connect() {
    // 3 s of silence past the demo server's 5 s heartbeat counts as dead: a silent cut shows in seconds.
    // Below WebSocket, a better tier is tried every 5 s (not 60): a re-upgrade shows in seconds too.
    const options = { heartbeatTimeout: 3000, upgradeInterval: 5000 };
    // A forced tier must not teach the page's memory (localStorage) which tier works, or
    // automatic mode would start from it next time.
    if (tier !== 'auto') Object.assign(options, { transports: [tier], remember: 0 });
    const mine = cometkit.createClient('/comet', options);
    client = mine;
    session = null;
    ping = null;
    log('connect', tier === 'auto' ? `connecting, trying ${TIERS.join(' → ')} (the tier that worked last goes first)` : `connecting, forced to ${tier}`);
    // Events of a client replaced by the tier picker are ignored.
    const on = (event, handler) =>
      mine.on(event, (e) => {
        if (mine !== client) return;
        handler(e);
        showState();
      });

    on('transport', (e) => {
      if (e.reason === 're-upgrade') return log('open', `moved up from ${e.from} to ${e.to} (re-upgrade): same session, nothing lost`);
      const attempt = mine.diagnostics().filter((a) => a.transport === e.from).pop();
      const took = attempt ? ` after ${attempt.time} ms` : '';
      log(attempt ? attempt.outcome : 'failed', `${e.from} ${attempt ? attempt.outcome : 'failed'}${took}: ${e.reason}${e.to ? ` → trying ${e.to}` : ' → no tier left'}`);
    });
    on('open', (e) => {
      opens++;
      for (const a of mine.diagnostics()) {
        if (a.outcome !== 'open') log(a.outcome, `  ${a.transport}: ${a.outcome} in ${a.time} ms (${a.reason})`);
        else log('open', `  ${a.transport}: open in ${a.time} ms`);
      }
      log(e.resumed ? 'resumed' : 'open', `open over ${e.transport}${e.resumed ? ', session resumed: nothing lost' : ', new session'}`);
      // A new session starts blank on the server: say again who we are and what we want.
      send({ type: 'join', name });
      send({ type: 'subscribe', feed: 'ticker' });
    });
    on('message', (e) => {
      received++;
      onMessage(e.data);
    });
    on('close', (e) => {
      log('close', `closed ${e.code} ${e.reason}${e.willReconnect ? ', will reconnect' : ''}`);
    });
    on('reconnecting', (e) => {
      const waiting = navigator.onLine === false ? ', waiting for the browser to be online' : '';
      log('reconnecting', `reconnecting: attempt ${e.attempt} in ${e.delay} ms${waiting}`);
    });
    on('error', (e) => {
      log('error', `error: ${e.error.name}: ${e.error.message}`);
    });
    showState();
  }

  function onMessage(data) {
    let m;
    try {
      m = JSON.parse(data);
    } catch {
      log('echo', `echo: ${data}`);
      return;
    }
    if (m.type === 'tick') return showTick(m);
    if (m.type === 'pong') {
      if (ping && ping.id === m.id) el('latency').textContent = `${Math.round(performance.now() - ping.at)} ms`;
      ping = null;
    } else if (m.type === 'chat') {
      showChat(m);
    } else if (m.type === 'presence') {
      el('people').textContent = `${m.names.length} here: ${m.names.join(', ')}`;
    } else if (m.type === 'welcome') {
      session = m.session;
      el('session').textContent = session;
      log('session', `session ${session} (the server sees ${m.transport})`);
      if (chat.welcome(m.started)) log('session', `a new server, started ${clock(m.started)}: its chat starts over`);
    } else if (m.type === 'error') {
      log('error', `server: ${m.text}`);
    }
  }

  function showChat(m) {
    if (!chat.isNew(m.id)) return;
    const list = el('chat-log');
    const item = document.createElement('li');
    if (m.name === name) item.className = 'mine';
    item.innerHTML = `<time>${clock(m.time)}</time><b>${escapeHtml(m.name)}</b>${escapeHtml(m.text)}`;
    list.append(item);
    list.scrollTop = list.scrollHeight;
  }

  function showTick(m) {
    el('ticker-empty').hidden = true;
    const body = el('ticker').tBodies[0];
    for (const p of m.prices) {
      let row = body.querySelector(`tr[data-symbol="${p.symbol}"]`);
      if (!row) {
        row = body.insertRow();
        row.dataset.symbol = p.symbol;
        row.innerHTML = `<td>${escapeHtml(p.symbol)}</td><td class="price"></td><td class="change"></td>`;
      }
      row.cells[1].textContent = p.price.toFixed(2);
      row.cells[2].textContent = `${p.change > 0 ? '▲ +' : p.change < 0 ? '▼ ' : ''}${p.change.toFixed(2)}`;
      row.cells[2].className = p.change > 0 ? 'up' : p.change < 0 ? 'down' : '';
      // Restart the flash animation: drop the class, force a style flush, add it again.
      row.classList.remove('flash');
      void row.offsetWidth;
      row.classList.add('flash');
    }
  }

  // Round trip: one ping a second while open; a ping unanswered for 5 s counts as lost.
  setInterval(() => {
    const now = performance.now();
    if (ping && now - ping.at < 5000) return;
    if (ping) el('latency').textContent = 'lost';
    ping = null;
    if (client.state !== 'open') return;
    ping = { id: nextPing++, at: now };
    send({ type: 'ping', id: ping.id });
  }, 1000);
  setInterval(() => {
    el('rate').textContent = `${received}/s`;
    received = 0;
  }, 1000);

  el('tier').onchange = () => {
    tier = el('tier').value;
    const url = new URL(location.href);
    if (tier === 'auto') url.searchParams.delete('tier');
    else url.searchParams.set('tier', tier);
    history.replaceState(null, '', url);
    log('connect', `tier picker: ${tier}`);
    client.close();
    connect();
  };

  el('chat-form').onsubmit = (event) => {
    event.preventDefault();
    const text = el('chat-text').value.trim();
    const wanted = el('name').value.trim() || name;
    if (wanted !== name) {
      name = wanted;
      sessionStorage.setItem('demo name', name);
      send({ type: 'join', name });
    }
    if (!text) return;
    // Sent while reconnecting, it waits in the client's queue and leaves once open again.
    send({ type: 'chat', name, text });
    el('chat-text').value = '';
  };

  async function cut() {
    if (!session) return;
    const res = await fetch(`/demo/cut?session=${encodeURIComponent(session)}`, { method: 'POST' });
    const { sockets } = await res.json();
    log('cut', `cut: the server destroyed ${sockets} socket(s) of session ${session}`);
  }
  el('cut').onclick = () => cut().catch((error) => log('error', `cut failed: ${error.message}`));

  // Going offline, as a browser does it: navigator.onLine turns false and `offline` fires. The
  // client ends its connection at once and waits instead of retrying; `online` then makes it
  // reconnect at once and resume the session.
  const realOnLine = Object.getOwnPropertyDescriptor(Navigator.prototype, 'onLine').get;
  Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => !offline && realOnLine.call(navigator) });
  addEventListener('offline', () => log('offline', 'the browser says: offline'));
  addEventListener('online', () => log('online', 'the browser says: online'));
  el('offline').onclick = () => {
    offline = true;
    showState();
    dispatchEvent(new Event('offline'));
    setTimeout(() => {
      offline = false;
      dispatchEvent(new Event('online'));
      showState();
    }, OFFLINE_MS);
  };

  connect();
  return { get client() { return client; } };
}

window.startDemo = startDemo;
