import { httpConnection } from '../control.js';
import { probe } from '../info.js';
import { stream } from '../util/http.js';
import type { Sink, Tier } from './types.js';

/**
 * Splits a text stream into lines, skipping the first line of each response
 * (the 2 KiB `h` prelude) and handing every other non-empty line on.
 */
export function lineReader(sink: Sink): (text: string) => void {
  let buffer = '';
  let prelude = true;
  return (text) => {
    buffer += text;
    let end;
    while ((end = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 1);
      if (prelude) prelude = false;
      else if (line) sink.frame(line);
    }
  };
}

/** One long POST parsed as it arrives; a fresh one in the same session each time the server ends it. */
export const xhrStreaming: Tier = {
  name: 'xhr-streaming',
  roundTrips: 2,
  probe,
  // Without /info there is no evidence either way: try, and let the attempt say.
  unsupported: (ctx) => (ctx.crossOrigin && ctx.info?.cors === false ? 'no CORS' : ''),
  connect: (ctx, sink) =>
    httpConnection(ctx, sink, (fail) => {
      let stopped = false;
      let abort = () => {};
      const open = () => {
        abort = stream(ctx.session + '/xhr_streaming', lineReader(sink), (error) => {
          // The server ends a response at its size limit; the session goes on in the next one.
          if (error) fail('stream failed: ' + error.message);
          else if (!stopped) open();
        });
      };
      open();
      return () => {
        stopped = true;
        abort();
      };
    }),
};
