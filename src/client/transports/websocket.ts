import type { Tier } from './types.js';

/** Framed SockJS over one WebSocket: the only duplex tier. */
export const websocket: Tier = {
  name: 'websocket',
  roundTrips: 2,
  unsupported(ctx) {
    // Looked up when connecting, not at import: test tools (msw) replace it late.
    if (!(ctx.WebSocket ?? globalThis.WebSocket)) return 'no WebSocket in this browser';
    return ctx.info && !ctx.info.websocket ? 'disabled by the server' : '';
  },
  connect(ctx, sink) {
    const Socket = ctx.WebSocket ?? WebSocket;
    const ws = new Socket(ctx.session.replace(/^http/, 'ws') + '/websocket');
    let done = false;
    const end = (reason: string) => {
      if (!done) {
        done = true;
        sink.close(reason);
      }
    };
    ws.onmessage = (e: MessageEvent<string>) => {
      if (!done) sink.frame(e.data);
    };
    ws.onclose = (e) => end('WebSocket closed (' + e.code + (e.reason ? ' ' + e.reason : '') + ')');
    ws.onerror = () => end('WebSocket error');
    return {
      send: (messages) => ws.send(JSON.stringify(messages)),
      close() {
        done = true;
        ws.onmessage = ws.onclose = ws.onerror = null;
        ws.close(1000);
      },
    };
  },
};
