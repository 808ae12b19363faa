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

/** Attaches a held HTTP response to a session as its receiver. */
export function attachHttpReceiver(session: InternalSession, res: ServerResponse, options: HttpReceiverOptions): Receiver {
  let written = 0;
  let ended = false;
  const receiver: Receiver = {
    write(frame) {
      if (ended) return;
      const chunk = options.format(frame);
      res.write(chunk);
      written += Buffer.byteLength(chunk);
      if (!options.streaming || written >= options.limit) {
        ended = true;
        session.detach(receiver, false);
        res.end();
      }
    },
    end() {
      if (ended) return;
      ended = true;
      res.end();
    },
  };
  // 'close' also fires after a normal end; only an early one is an abort.
  res.on('close', () => {
    if (ended) return;
    ended = true;
    session.detach(receiver, true);
  });
  session.attach(receiver);
  return receiver;
}
