import type { TransportContext } from './context.js';
import { JAVASCRIPT, NO_CACHE, cors } from '../http.js';
import { attachHttpReceiver } from '../receiver.js';

// 2 KiB of `h` pushes old browsers (and Chromium's MIME sniffer) to hand the
// stream to the page from the first byte.
const PRELUDE = 'h'.repeat(2048) + '\n';

/** `POST /<server>/<session>/xhr_streaming`: one long response, a frame per line. */
export function xhrStreaming({ req, res, session, options, headers, tuning }: TransportContext): void {
  res.writeHead(200, {
    ...headers,
    ...NO_CACHE,
    ...cors(req),
    'Content-Type': JAVASCRIPT,
    'X-Accel-Buffering': 'no',
    'X-Content-Type-Options': 'nosniff',
  });
  res.write(PRELUDE);
  attachHttpReceiver(
    session(),
    res,
    {
      streaming: true,
      limit: options.responseLimit,
      format: (frame) => frame + '\n',
    },
    tuning,
  );
}
