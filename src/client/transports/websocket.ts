import { keptFrame } from '../../protocol/frames.js';
import { MULTI_TIER } from '../features.js';
import { fit } from '../util/fit.js';
import type { Tier } from './types.js';

/** Framed SockJS over one WebSocket: the only duplex tier. */
export const websocket: Tier = {
  name: 'websocket',
  roundTrips: 2,
  unsupported(ctx) {
    // Looked up when connecting, not at import: test tools (msw) replace it late.
    if (!(ctx.WebSocket ?? globalThis.WebSocket)) return 'no WebSocket in this browser';
    // (Only the /info probe sets `info`: the WebSocket-only build has none.)
    // Only `websocket: false` says no, as sockjs-client reads it: an /info without the field leaves
    // WebSocket to be tried.
    return MULTI_TIER && ctx.info?.websocket === false ? 'disabled by the server' : '';
  },
  connect(ctx, sink) {
    // (Spelt as in unsupported(): the repeat costs the bundle next to nothing.)
    const Socket = ctx.WebSocket ?? globalThis.WebSocket;
    const ws = new Socket(ctx.session.replace(/^http/, 'ws') + '/websocket?t' + ctx.tune());
    // Detached before anything else, so the socket is heard no more: the sink
    // gets one close (not one per error and close event) and nothing after it.
    const detach = () => (ws.onmessage = ws.onclose = ws.onerror = null);
    const end = (reason: string) => {
      detach();
      sink.close(reason);
    };
    // A cometkit server joins a confirmation (`k`) and the frame after it with a newline, which no
    // frame contains (JSON escapes it).
    // As text: a binary message (no SockJS server sends one) is then a malformed frame, reported.
    ws.onmessage = (e: MessageEvent<unknown>) => String(e.data).split('\n').map((text) => sink.frame(text));
    ws.onclose = (e) => end('WebSocket closed (' + e.code + (e.reason ? ' ' + e.reason : '') + ')');
    ws.onerror = () => end('WebSocket error');
    // In as many WebSocket messages as the server's body limit asks (see fit()); `messages` is the
    // caller's to give away. Only several tiers probe /info, which says the limit.
    const send = (messages: string[], seq: number): void => {
      const part = messages.splice(0, MULTI_TIER ? fit(messages, ctx.info?.cometkit?.maxBody) : fit(messages));
      const pos = ctx.pos();
      if (pos >= 0) ws.send(JSON.stringify([pos, part.length ? seq : null, ...part]));
      else {
        // One WebSocket message per message, as sockjs-client sends them: stock servers cap a
        // message far below 1 MiB and close the socket (1009) over it (Spring on Tomcat: 8 KiB), so
        // a batch of small sends must not make one large message.
        for (const text of part) ws.send(JSON.stringify([text]));
        // Without resume, handing them to the socket is all the delivery there is to report (and
        // a batch is never empty: only a resumable session sends bare acknowledgements).
        sink.frame(keptFrame(seq + part.length - 1), true);
      }
      if (messages.length) send(messages, seq + part.length);
    };
    return {
      send,
      // 1000 ends the session; a connection given up for another (4000) leaves it to be resumed.
      close(notify) {
        detach();
        ws.close(notify ? 1000 : 4000);
      },
    };
  },
};
