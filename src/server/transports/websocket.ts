import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { decodeFrame, keptFrame } from '../../protocol/frames.js';
import { isPosition } from '../position.js';
import type { ReceiveTuning } from '../receiver.js';
import { OVERFLOW, tooBig } from '../session.js';
import type { InternalSession, Receiver } from '../session.js';

/** One upstream WebSocket message: a resuming client's `[pos, seq, ...messages]` carries positions. */
interface Upstream {
  messages: string[];
  pos?: number;
  seq?: number;
}

// The client sends one JSON string, or an array of them; an empty payload is a heartbeat. On a
// resumable session the array may start with the client's position and the first message's
// (`null` when it only acknowledges).
function parseUpstream(data: string, resumable: boolean): Upstream | null | 'broken' {
  if (data === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return 'broken';
  }
  if (typeof value === 'string') return { messages: [value] };
  if (!Array.isArray(value)) return 'broken';
  let up: Upstream = { messages: value as string[] };
  if (resumable && isPosition(value[0]) && (value[1] === null || isPosition(value[1]))) {
    up = { pos: value[0], seq: (value[1] as number | null) ?? undefined, messages: value.slice(2) as string[] };
  }
  return up.messages.every((m) => typeof m === 'string') ? up : 'broken';
}

/** The most bytes a frame spends on one UTF-8 byte of a message (a control character: `\u001f`). */
const EXPANSION = 6;

/**
 * Ends a session whose client does not read (a stalled network, a frozen tab): `ws` holds without
 * bound what is not yet sent. Called after a write with what was still unsent from earlier writes
 * when it came (`ws.bufferedAmount` read before it), so that one large write (its own size no sign of
 * a client that does not read) never trips it; past `limit` bytes of that the session ends, its close
 * frame queued behind what is held (which `ws` drops with the socket if the client never reads on).
 * A resumable session is bounded by `resumeLimit` instead, and its client resumes: what it has not
 * acknowledged is kept, and no more can be unsent than that, framed. A client that acknowledges what
 * it has not read (its positions run ahead of its reading) escaped both; past that much, and `limit`
 * more, its session ends too.
 */
function endIfStalled(session: InternalSession, unsent: number, limit: number, resumeLimit: number): void {
  const bound = session.resumable ? limit + EXPANSION * Math.max(session.kept, resumeLimit) : limit;
  if (unsent > bound && session.state === 'open') {
    session.close(OVERFLOW, 'Client not reading: unsent messages over the limit');
  }
}

function bindClose(ws: WebSocket, session: InternalSession, receiver: Receiver): void {
  ws.on('error', (error: Error & { code?: string }) => {
    // A message over maxPayload (maxBodySize): `ws` has sent its 1009 close frame and ends the socket
    // once it is out, reading on to the end of the message. Destroying the socket here would reset
    // it with the message unread, and the reset could overtake the close frame (Firefox and WebKit
    // then saw an error, not 1009). Without more, a resuming client would send the message again on
    // the next socket; the session ends, saying why (the client hears it when it comes back), as for
    // an HTTP send over the limit.
    if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      if (session.receiver === receiver) tooBig(session);
      return;
    }
    ws.terminate();
  });
  ws.on('close', (code) => {
    // A socket another receiver took over no longer speaks for the session.
    if (session.receiver !== receiver) return;
    // A client that says goodbye ends the session normally; anything else is an interruption. A
    // browser leaving the page says 1001: a resumable session waits for the next page (`persist`).
    // One that said goodbye is gone: removed at once, as by `POST …/close`.
    const clean = code === 1000 || (code === 1001 && !session.resumable);
    session.detach(receiver, !clean);
    if (clean) session.leave();
  });
}

/** `/<server>/<session>/websocket`: SockJS framing over one WebSocket, both ways. */
export function framedWebsocket(ws: WebSocket, session: InternalSession, tuning: ReceiveTuning, limit: number, resumeLimit: number): void {
  // A confirmation due (`k`, below) rides in the same WebSocket message as the next frame written
  // (the reply it caused, usually), joined by a newline: one message per round trip instead of two.
  // Only a client that asked for resume (`pos`) gets `k` frames, and it splits.
  let confirming = false;
  const confirmation = () => {
    confirming = false;
    return keptFrame(session.received);
  };
  const receiver: Receiver = {
    write(frame) {
      const unsent = ws.bufferedAmount;
      ws.send(confirming ? confirmation() + '\n' + frame : frame);
      endIfStalled(session, unsent, limit, resumeLimit);
    },
    end: () => ws.close(1000),
  };
  const broken = () => {
    session.close(3000, 'Broken framing.');
    ws.close(1000);
  };
  // A socket the session refused (another connection, no secret) does not speak for it.
  let attached = false;
  ws.on('message', (data, isBinary) => {
    if (!attached) return;
    const up = isBinary ? 'broken' : parseUpstream((data as Buffer).toString(), session.resumable);
    if (up === 'broken') return broken();
    if (!up) return;
    if (up.pos !== undefined) session.ack(up.pos);
    if (up.seq === undefined && up.pos !== undefined) return;
    // A WebSocket send has no answer of its own: say what arrived (`k`), in the next frame written
    // (the application's answer, usually, which it then precedes), or alone once what the
    // application answered in this turn has gone (scheduled after it): once per burst either way.
    // (Scheduled after receive(), so after the flush of what the application answered in it.)
    const due = up.seq !== undefined && !confirming;
    if (up.seq !== undefined) confirming = true;
    if (!session.receive(up.messages, up.seq)) return broken();
    if (due) {
      setImmediate(() => {
        if (confirming && session.receiver === receiver) ws.send(confirmation());
      });
    }
  });
  bindClose(ws, session, receiver);
  attached = session.attach(receiver, tuning);
}

/** `/websocket`: a raw WebSocket, one message per WebSocket message, no framing. */
export function rawWebsocket(ws: WebSocket, session: InternalSession, limit: number): void {
  const receiver: Receiver = {
    write(frame) {
      // Only the close frame means something without SockJS framing.
      if (frame.charAt(0) !== 'c') return;
      const close = decodeFrame(frame);
      if (close[0] !== 'c') return;
      const [, given, reason] = close;
      // A WebSocket close reason holds 123 bytes (ws throws beyond, and the socket would stay open):
      // cut between code points, so that what is left is valid UTF-8.
      const chars = Array.from(reason);
      let bytes = Buffer.byteLength(reason);
      while (bytes > 123) bytes -= Buffer.byteLength(chars.pop() as string);
      // A WebSocket close code must be 1000 or 3000–4999; protocol codes (2010, 1002) map to 1000.
      ws.close(given === 1000 || (given >= 3000 && given <= 4999) ? given : 1000, chars.join(''));
    },
    writeMessages(messages) {
      const unsent = ws.bufferedAmount;
      for (const m of messages) ws.send(m);
      // (A raw WebSocket's session never resumes.)
      endIfStalled(session, unsent, limit, 0);
    },
    end: () => ws.close(1000),
  };
  ws.on('message', (data) => session.receive([(data as Buffer).toString()]));
  bindClose(ws, session, receiver);
  session.attach(receiver);
}

export type UpgradeRequest = IncomingMessage;
