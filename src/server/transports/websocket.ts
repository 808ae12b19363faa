import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { decodeFrame } from '../../protocol/frames.js';
import type { InternalSession, Receiver } from '../session.js';

type Messages = string[] | null | 'broken';

// The client sends one JSON string, or an array of them; an empty payload is a heartbeat.
function parseUpstream(data: string): Messages {
  if (data === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return 'broken';
  }
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((m) => typeof m === 'string')) return value;
  return 'broken';
}

function bindClose(ws: WebSocket, session: InternalSession, receiver: Receiver): void {
  ws.on('close', (code) => {
    // A socket another receiver took over no longer speaks for the session.
    if (session.receiver !== receiver) return;
    // A client that says goodbye ends the session normally; anything else is an interruption.
    const clean = code === 1000 || code === 1001;
    session.detach(receiver, !clean);
    if (clean) session.close(1000, 'Normal closure');
  });
  ws.on('error', () => ws.terminate());
}

/** `/<server>/<session>/websocket`: SockJS framing over one WebSocket, both ways. */
export function framedWebsocket(ws: WebSocket, session: InternalSession, takeOver = false): void {
  const receiver: Receiver = {
    write: (frame) => ws.send(frame),
    end: () => ws.close(1000),
  };
  ws.on('message', (data, isBinary) => {
    const parsed = isBinary ? 'broken' : parseUpstream((data as Buffer).toString());
    if (parsed === 'broken') {
      session.close(3000, 'Broken framing.');
      ws.close(1000);
    } else if (parsed) {
      session.receive(parsed);
    }
  });
  bindClose(ws, session, receiver);
  session.attach(receiver, takeOver);
}

/** `/websocket`: a raw WebSocket, one message per WebSocket message, no framing. */
export function rawWebsocket(ws: WebSocket, session: InternalSession): void {
  const receiver: Receiver = {
    write(frame) {
      // Only the close frame means something without SockJS framing.
      if (frame.charAt(0) !== 'c') return;
      const close = decodeFrame(frame);
      if (close.type !== 'c') return;
      // A WebSocket close code must be 1000 or 3000–4999; protocol codes (2010, 1002) map to 1000.
      const code = close.code === 1000 || (close.code >= 3000 && close.code <= 4999) ? close.code : 1000;
      ws.close(code, close.reason);
    },
    writeMessages(messages) {
      for (const m of messages) ws.send(m);
    },
    end: () => ws.close(1000),
  };
  ws.on('message', (data) => session.receive([(data as Buffer).toString()]));
  bindClose(ws, session, receiver);
  session.attach(receiver);
}

export type UpgradeRequest = IncomingMessage;
