import { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import { closeFrame, HEARTBEAT_FRAME, keptFrame, messageFrame, OPEN_FRAME } from '../protocol/frames.js';
import type { ResolvedOptions } from './options.js';
import type { ReceiveTuning } from './receiver.js';

/**
 * One receiving connection (a held HTTP response or a WebSocket). It decides
 * itself whether it stays attached after a write: polling receivers end after
 * one frame, streaming ones at the response limit.
 */
export interface Receiver {
  write(frame: string): void;
  /** Delivers messages without framing (raw WebSocket); framed receivers leave it out. */
  writeMessages?(messages: readonly string[]): void;
  /** Ends the connection; the receiver must not call `detach` again afterwards. */
  end(): void;
  /**
   * After it ended: closes the connection if the client has not taken all of it yet (an HTTP response
   * whose bytes the process still holds). Receivers without it are never cut.
   */
  cut?(): void;
  /** A held streaming HTTP response (xhr_streaming, eventsource, htmlfile). */
  streaming?: boolean;
}

/** Where a session stands: `open` until it closes; `closed` sessions repeat their close frame. */
export type SessionState = 'connecting' | 'open' | 'closed';

export interface SessionEvents {
  message: [data: string];
  close: [code: number, reason: string];
}

/** Facts about the request that created a session, for the application. */
export interface SessionInfo {
  /** Transport of the request that opened the session, e.g. `websocket` or `xhr_streaming`. */
  transport: string;
  remoteAddress: string | undefined;
  headers: IncomingHttpHeaders;
  url: string;
}

/** One client session: what the application sends to and hears from. */
export interface Session extends EventEmitter<SessionEvents> {
  readonly id: string;
  readonly state: SessionState;
  readonly info: SessionInfo;
  /** Queues a message for the client; messages queued in one tick go out in one frame. Returns false once closed. */
  send(text: string): boolean;
  /** Flushes what is queued, then sends the close frame. Default code 3000, reason "Go away!". */
  close(code?: number, reason?: string): void;
}

export interface SessionHost {
  options: ResolvedOptions;
  /** Called once, when the session first gets a receiver. */
  opened(session: InternalSession): void;
  /** Called once, when the session is gone for good (it may then be forgotten). */
  removed(session: InternalSession): void;
  /** Gets what an application listener threw. */
  error(error: unknown): void;
}

export interface InternalSession extends Session {
  /**
   * Makes `receiver` the session's receiver, as its request asked (`tuning`).
   * A second receiver gets 2010 and is closed, unless it `takes over`
   * (cometkit clients switching tiers): then the old one is ended without a
   * close frame and the new one hears an `h` at once, so the client knows it
   * is attached. A receiver the session does not admit gets 2012 and is
   * closed, and nothing changes. Returns whether `receiver` is attached.
   */
  attach(receiver: Receiver, tuning?: ReceiveTuning): boolean;
  /**
   * Whether a request showing the session secrets `shown` may act on the session (session secrets:
   * PROTOCOL.md). A resumable session belongs to the first secret a request showed it, its opening
   * one's or, when that showed none, a later one's; from then on it admits only requests that show it.
   */
  admits(shown?: string[]): boolean;
  /** The client has everything up to position `pos`: what it confirms need not be kept. */
  ack(pos: number): void;
  detach(receiver: Receiver, aborted: boolean): void;
  /**
   * The client is gone (`POST …/close`, a WebSocket closed with 1000): closes the session (1000) and
   * removes it at once, without waiting out the disconnect delay or the grace period (no client comes
   * back to it), so its place under `maxSessions` and its id are free at once; it expires at the next
   * turn, once a receiver attached now has had its close frame.
   */
  leave(): void;
  /**
   * Hands the client's messages to the application. With `seq` (the position
   * of the first one, on a resumable session) those already received are
   * dropped; returns false for a batch that would leave a gap.
   */
  receive(messages: readonly string[], seq?: number): boolean;
  /**
   * Owes the client a `k<received>` on its receiver (now, after what is queued, or on the next receiver
   * to attach): a resuming client's no-cors `jsonp_send` has an answer it cannot read, and only this
   * tells it that its batch arrived.
   */
  owe(): void;
  readonly receiver: Receiver | null;
  /** How many of the client's messages the session has received. */
  readonly received: number;
  /** Whether its client resumes (its first receiver said `pos=0`). */
  readonly resumable: boolean;
  /** Resume: UTF-8 bytes of the messages it keeps (written and not acknowledged, or queued). */
  readonly kept: number;
  /**
   * Whether the network cut its streaming receiver and none has attached since, on a resumable
   * session: a client on the forever-iframe does not learn of the cut (browsers fire no event for
   * it), and is told at its next send instead of at its liveness check.
   */
  readonly stranded: boolean;
}

/**
 * Throws unless `close(code, reason)` got an integer and a string, on a session or on the server: a
 * wrong type would reach the client as a close frame it cannot read.
 */
export function checkClose(code: unknown, reason: unknown): void {
  if (!Number.isInteger(code) || typeof reason !== 'string') {
    throw new TypeError('cometkit server: close() takes an integer code and a string reason');
  }
}

/** Close code of a session whose unacknowledged messages outgrew `resumeLimit`. */
export const OVERFLOW = 2011;
/** Close code of a session a client asked to resume from a position it cannot have. */
export const CANNOT_RESUME = 2012;
/**
 * Ends a session whose client sent a message over `maxBodySize` (on a send or a WebSocket), with
 * WebSocket's "message too big" code: such a message can never be taken, and a resuming client would
 * send it again and again.
 */
export function tooBig(session: Session): void {
  session.close(1009, 'Message too big');
}

export function createSession(id: string, host: SessionHost, info: SessionInfo): InternalSession {
  const { disconnectDelay, resumeGrace, resumeLimit } = host.options;
  let heartbeatDelay = host.options.heartbeatDelay;
  let queue: string[] = [];
  // Resume (a cometkit client that sends positions): what has been written but
  // not acknowledged is kept, after position `acked`, until the client says it
  // has it; `kept` counts the bytes of it and of the queue.
  let resumable = false;
  let retained: string[] = [];
  // UTF-8 bytes of each kept message, in position order (retained, then queued), so a
  // message's size is computed once however it leaves.
  let sizes: number[] = [];
  let acked = 0;
  let kept = 0;
  let received = 0;
  // Set once the session ended with messages dropped: it can no longer be resumed, only told of.
  let lost = false;
  // Session secrets (resumable sessions only): whether the session is guarded, and the secret it
  // belongs to, the first one a request showed (its opening one, or a later one when the browser
  // had none yet).
  let guarded = false;
  let secret: string | undefined;
  // A streaming receiver was cut and none has attached since (see `stranded`).
  let stranded = false;
  // Its client said it is gone (leave()): removed as soon as it has no receiver.
  let left = false;
  let state: SessionState = 'connecting';
  let receiver: Receiver | null = null;
  let closing: string | null = null;
  let flushScheduled = false;
  // A `k` the client waits for (owe()).
  let owed = false;
  let heartbeat: NodeJS.Timeout | undefined;
  let expiry: NodeJS.Timeout | undefined;
  // Receivers that have ended. A client that stops reading (and keeps its connections open) would
  // have the process hold what was written to them for good: Node times no response out. One is cut
  // once the session has another receiver or expires, if the client has not taken all of it by then.
  let ended: Receiver[] = [];

  const session = new EventEmitter<SessionEvents>() as InternalSession;

  // Writes can end a receiver (polling, response limit), so re-read it after each one.
  function attached(): Receiver | null {
    return receiver;
  }

  function cutEnded(): void {
    const list = ended;
    ended = [];
    for (const gone of list) gone.cut?.();
  }

  function armHeartbeat(): void {
    clearTimeout(heartbeat);
    if (receiver) heartbeat = setTimeout(beat, heartbeatDelay);
  }

  function beat(): void {
    if (receiver) write(HEARTBEAT_FRAME);
  }

  function write(frame: string): void {
    // Re-arm before writing: a polling receiver detaches inside write().
    const target = receiver as Receiver;
    armHeartbeat();
    target.write(frame);
  }

  // Everything queued goes out as one frame per write, whatever the transport.
  function flush(): void {
    flushScheduled = false;
    if (!receiver) return;
    // What was queued goes first: a reply the application wrote as it heard the batch is not held back
    // by the confirmation, which, on a polling receiver (one frame an answer), waits for the next poll.
    if (queue.length > 0) {
      const batch = queue;
      queue = [];
      // In place: a copy per flush grew with what the client had not acknowledged yet.
      if (resumable) for (const text of batch) retained.push(text);
      if (receiver.writeMessages) {
        armHeartbeat();
        receiver.writeMessages(batch);
      } else {
        write(messageFrame(batch));
      }
    }
    if (owed && attached()) {
      owed = false;
      write(keptFrame(received));
    }
    const last = attached();
    if (last && closing !== null) {
      write(closing);
      // The close frame is the last word on this connection.
      if (attached() === last) {
        receiver = null;
        clearTimeout(heartbeat);
        last.end();
        ended.push(last);
        // end() does not detach, so start the countdown here: without it a
        // session closed under a streaming receiver was never removed.
        expireLater();
      }
    }
  }

  function expireLater(): void {
    clearTimeout(expiry);
    // A resumable session waits out the grace period for its client to come back.
    expiry = setTimeout(expire, left ? 0 : resumable ? Math.max(disconnectDelay, resumeGrace) : disconnectDelay);
    // Waiting for a client to come back must not keep a process alive once its
    // server has closed (listen().close() would otherwise hang for the whole delay).
    expiry.unref();
  }

  function expire(): void {
    if (receiver) return;
    cutEnded();
    if (state !== 'closed') finish(1000, 'Session timed out');
    host.removed(session);
  }

  function finish(code: number, reason: string): void {
    state = 'closed';
    closing ??= closeFrame(code, reason);
    // Listeners run inside socket and timer callbacks, where a throw would take the process down.
    try {
      session.emit('close', code, reason);
    } catch (error) {
      host.error(error);
    }
  }

  Object.defineProperties(session, {
    id: { value: id, enumerable: true },
    info: { value: info, enumerable: true },
    state: { get: () => state, enumerable: true },
    receiver: { get: () => receiver },
    received: { get: () => received },
    resumable: { get: () => resumable },
    kept: { get: () => kept },
    stranded: { get: () => stranded },
  });

  // For a session that ends with the loss reported (2011, 2012): what it kept can no longer be
  // placed in the client's stream, and the memory it holds should not wait out the grace period.
  function lose(): void {
    queue = [];
    retained = [];
    sizes = [];
    kept = 0;
    lost = true;
  }

  // After a position the client cannot have, nothing is in order: the close frame alone (2012).
  function cannotResume(pos: number): void {
    lose();
    if (state === 'open') finish(CANNOT_RESUME, 'Cannot resume from position ' + String(pos));
  }

  // Drops retained messages up to position `pos`; false when the client cannot be at `pos`.
  function confirm(pos: number): boolean {
    const drop = pos - acked;
    if (drop < 0 || drop > retained.length) return false;
    retained.splice(0, drop);
    for (const size of sizes.splice(0, drop)) kept -= size;
    acked = pos;
    return true;
  }

  // The client has up to `pos`: what was written after it goes again; false when it cannot be at `pos`.
  function rewind(pos: number): boolean {
    if (!confirm(pos)) return false;
    queue = retained.concat(queue);
    retained = [];
    return true;
  }

  session.send = (text: string): boolean => {
    if (typeof text !== 'string') throw new TypeError('cometkit server: send() takes a string');
    if (state === 'closed') return false;
    const size = resumable ? Buffer.byteLength(text) : 0;
    // One message larger than the limit, with nothing else kept, is no sign of a client that is not
    // taking what it is sent (an application's state dump on connection: refused, it would be sent
    // again on every fresh session, for ever).
    if (resumable && kept > 0 && kept + size > resumeLimit) {
      // Kept for a client that is not taking it: end the session and say why, rather than grow
      // without bound. The refused message must not reach the client after all, nor a resume
      // get the queue (positions after what was kept) as if it followed the client's position.
      lose();
      session.close(OVERFLOW, 'Unacknowledged messages over the limit');
      return false;
    }
    queue.push(text);
    if (resumable) {
      sizes.push(size);
      kept += size;
    }
    schedule();
    return true;
  };

  function schedule(): void {
    if (receiver && !flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  }

  session.close = (code = 3000, reason = 'Go away!'): void => {
    checkClose(code, reason);
    if (state === 'closed') return;
    if (state === 'connecting') {
      state = 'closed';
      closing = closeFrame(code, reason);
    } else {
      finish(code, reason);
    }
    if (receiver) flush();
  };

  session.leave = (): void => {
    left = true;
    session.close(1000, 'Normal closure');
    // Its place and its id are free at once; what it still holds goes at the next turn (expire(), at
    // once from expireLater() now), when the close frame written just now has had its chance to leave.
    host.removed(session);
    if (!receiver) expireLater();
  };

  session.admits = (shown?: string[]): boolean => {
    if (!guarded) return true;
    // Until a request has shown a secret, any goes (a browser that keeps no cookies, or one whose
    // first answer, and the secret issued in it, was cut before its headers arrived).
    if (secret === undefined) {
      secret = shown?.[0];
      return true;
    }
    return !!shown?.includes(secret);
  };

  session.attach = (next: Receiver, tuning: ReceiveTuning = { takeOver: false }): boolean => {
    const { takeOver, pos, ack } = tuning;
    if (state === 'connecting') {
      // A client asking to resume a session this server does not know (restarted, expired) gets a
      // plain one and its `o`: the client learns of the loss and starts a fresh resumable one at 0.
      resumable = pos === 0;
      guarded = resumable && !!tuning.secrets;
    }
    if (!session.admits(tuning.secrets)) {
      // Someone with the session's URL and not its secret: told no (the code a client that lost
      // its cookie needs, to report the loss and start afresh), and the session goes on untouched.
      next.write(closeFrame(CANNOT_RESUME, 'Session secret missing'));
      next.end();
      return false;
    }
    // A resuming client says where it is: it takes the session over, rewound to there.
    const resuming = resumable && pos !== undefined && state !== 'connecting';
    let rewound = false;
    if (resuming && !lost) {
      // A closed session rewinds too: the client gets what it missed before the close frame,
      // rather than the queue alone, which would read as following its position.
      rewound = rewind(pos);
      if (!rewound) cannotResume(pos);
    }
    // A renewal says what the client has: what was written after it (lost in a cut that looked like
    // the end of a response) goes again, without a word. Only onto a free session: a renewal that
    // finds another receiver is refused (2010) as ever, since it may be one sent just before the
    // client moved the session elsewhere. A session closed during the cut rewinds too, as on a resume:
    // its queue alone would read as following the client's position.
    if (!resuming && resumable && ack !== undefined && state !== 'connecting' && !lost && !receiver && !rewind(ack)) {
      if (ack < acked) {
        // Overtaken by an acknowledgement sent after it: the client has more than this says, and an
        // answer written on from there would be read from n, every message at a wrong position (and
        // as many skipped as already had). h alone, taking and writing nothing, has it renew from
        // where it stands.
        next.write(HEARTBEAT_FRAME);
        next.end();
        return false;
      }
      // Beyond what was written: as for a resume.
      cannotResume(ack);
    }
    const old = receiver;
    if (old && !resuming && !(takeOver && state === 'open')) {
      next.write(closeFrame(2010, 'Another connection still open'));
      next.end();
      return false;
    }
    // Only a receiver the session takes tunes its heartbeat: a request refused above changes nothing.
    if (tuning.heartbeat) heartbeatDelay = tuning.heartbeat;
    // Before `old` joins them: a client moving to another tier may still be reading it.
    cutEnded();
    if (old) {
      receiver = null;
      // An h completes a held poll properly (an empty answer would be a broken script or frame).
      old.write(HEARTBEAT_FRAME);
      old.end();
      ended.push(old);
    }
    clearTimeout(expiry);
    expiry = undefined;
    receiver = next;
    stranded = false;
    // Count idle time from the moment it attaches: a receiver that joins an
    // existing session with nothing to send would otherwise never get a heartbeat.
    armHeartbeat();
    if (state === 'connecting') {
      state = 'open';
      // `k0` opens a resumable session: the client learns, in band, that positions are on.
      write(resumable ? 'k0' : OPEN_FRAME);
      host.opened(session);
    } else if (rewound && (state !== 'closed' || queue.length > 0)) {
      // The resume answer: how many of the client's messages arrived, so it resends the rest. A
      // closed session with nothing left to deliver answers with its close frame alone: a client
      // told it resumed would resend at once what ended the session (a message over maxBodySize)
      // and, on a tier whose receiver takes one frame per request, never hear the close.
      owed = false;
      write(keptFrame(received));
    } else if (takeOver && state === 'open') {
      write(HEARTBEAT_FRAME);
    }
    // A polling receiver may already have ended on the open (or takeover) frame.
    if (attached()) flush();
    else expireLater();
    return true;
  };

  session.detach = (gone: Receiver, aborted: boolean): void => {
    if (receiver !== gone) return;
    receiver = null;
    clearTimeout(heartbeat);
    ended.push(gone);
    stranded = aborted && resumable && !!gone.streaming;
    if (aborted && state === 'open' && !resumable) {
      // A receiver cut by the network leaves the client unsure of what it got;
      // the protocol lets the server end the session and say so.
      finish(1002, 'Connection interrupted');
    }
    expireLater();
  };

  session.ack = (pos: number): void => {
    if (resumable) confirm(pos);
  };

  session.owe = (): void => {
    if (!resumable || state !== 'open') return;
    owed = true;
    schedule();
  };

  session.receive = (batch: readonly string[], seq?: number): boolean => {
    let messages = batch;
    if (resumable && seq !== undefined) {
      const skip = received + 1 - seq;
      if (skip < 0) return false;
      messages = batch.slice(skip);
    }
    received += messages.length;
    if (state !== 'open') return true;
    for (const m of messages) {
      // One throwing listener must not crash the process or drop the rest of the batch.
      try {
        session.emit('message', m);
      } catch (error) {
        host.error(error);
      }
    }
    return true;
  };

  return session;
}
