import { httpConnection, noCors } from '../control.js';
import { probe } from '../info.js';
import { stream } from '../util/http.js';
import type { Tier } from './types.js';

/**
 * Splits the text of a connection's responses into lines, skipping the first
 * line of each response (the 2 KiB `h` prelude) and handing every other
 * non-empty line on. A chunk that ends no line, once a frame has come, is
 * handed on as an `h`: a long frame still coming down a slow link, its
 * heartbeats queued behind it, is a sign of life, not silence. Given null (a
 * response's end), says whether it ended with a whole line; the next starts
 * with its own prelude.
 */
export function lineReader(frame: (text: string) => void): (text: string | null) => boolean {
  let buffer = '';
  let prelude = true;
  // (Not before a frame: the first must be the open or resume frame.)
  let heard = false;
  return (text) => {
    if (text == null) return (prelude = true), !buffer;
    // Only the new text is split, its first piece joined to what came before: splitting all that had
    // come of a line again at every chunk made a long frame cost the square of its length (2 s of the
    // page's time for a 20 MiB one).
    const lines = text.split('\n');
    lines[0] = buffer + lines[0];
    // The last piece is the start of a line still to come ('' after a newline).
    buffer = lines.pop() as string;
    for (const line of lines) {
      if (prelude) prelude = false;
      else if (line) {
        frame(line);
        heard = true;
      }
    }
    if (heard && !lines.length) frame('h');
    return true;
  };
}

/** One long POST parsed as it arrives; a fresh one in the same session each time the server ends it. */
export const xhrStreaming: Tier = {
  name: 'xhr-streaming',
  stream: true,
  hold: true,
  roundTrips: 2,
  probe,
  unsupported: noCors,
  connect: (ctx, sink) =>
    httpConnection(ctx, sink, (frame, fail, signal) => {
      // The server ends a response at its size limit; the session goes on in the next one.
      // Once closed, the aborted signal ends a fresh request before it starts.
      // One reader for all of them: a long frame first in a renewal is a sign of life too.
      const read = lineReader(frame);
      // Not once closed: a response's end can reach the page after the connection was given up (WebKit,
      // at a re-upgrade's switch), and ctx.tune() moves the client's count of what it has to the
      // renewal's, which would let the new connection's replay through as new (as the other tiers'
      // renewals check too).
      const open = (): unknown =>
        signal.aborted ||
        stream(ctx.session + '/xhr_streaming?t' + ctx.tune(), signal, read, (error) =>
          // A response that ends mid-frame was cut, even where the browser reports a normal end.
          error || !read(null) ? fail('stream failed: ' + (error ? error.message : 'cut mid-frame')) : open(),
        );
      open();
    }),
};
