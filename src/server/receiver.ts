import type { ServerResponse } from 'node:http';
import type { InternalSession, Receiver } from './session.js';

export interface HttpReceiverOptions {
  /** Streaming receivers stay until the response limit; polling ones end after one frame. */
  streaming: boolean;
  /** Bytes (UTF-8) after which a streaming response ends. */
  limit: number;
  /** Wraps a frame for this transport's body format. */
  format(frame: string): string;
}

/** What a cometkit client may ask of a receiving request (query parameters; stock clients send none). */
export interface ReceiveTuning {
  /** `ttl`: ms after which a streaming response ends (clients behind proxies that kill old requests). */
  ttl?: number;
  /** `takeover=1`: replace the session's current receiver instead of being refused with 2010. */
  takeOver: boolean;
  /** `pos`: a resuming client's position (messages it has received); resumable sessions only. */
  pos?: number;
  /** `ack`: on a renewal, what the client has received; resumable sessions only. */
  ack?: number;
  /**
   * `h`: this session's heartbeat delay in ms (clients behind proxies that kill idle connections),
   * never above the server's.
   */
  heartbeat?: number;
  /** The session secrets the request showed (session secrets on; PROTOCOL.md), else undefined. */
  secrets?: string[];
}

/** Attaches a held HTTP response to a session as its receiver. */
export function attachHttpReceiver(
  session: InternalSession,
  res: ServerResponse,
  options: HttpReceiverOptions,
  tuning: ReceiveTuning = { takeOver: false },
): Receiver {
  let written = 0;
  let ended = false;
  let timer: NodeJS.Timeout | undefined;
  // Ends the response the way the response limit does: the session goes on in the next request.
  const finish = () => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    session.detach(receiver, false);
    res.end();
  };
  const receiver: Receiver = {
    streaming: options.streaming,
    write(frame) {
      if (ended) return;
      const chunk = options.format(frame);
      res.write(chunk);
      written += Buffer.byteLength(chunk);
      if (!options.streaming || written >= options.limit) finish();
    },
    end() {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      res.end();
    },
    cut() {
      // Finished: all of it handed to the system (what is left of it there is not the process's to hold).
      if (!res.writableFinished) res.destroy();
    },
  };
  // 'close' also fires after a normal end; only an early one is an abort.
  res.on('close', () => {
    clearTimeout(timer);
    if (ended) return;
    ended = true;
    session.detach(receiver, true);
  });
  if (options.streaming && tuning.ttl) timer = setTimeout(finish, tuning.ttl);
  session.attach(receiver, tuning);
  return receiver;
}
