import type { TransportContext } from './context.js';
import { NO_CACHE, cors } from '../http.js';
import { attachHttpReceiver } from '../receiver.js';

/** `GET /<server>/<session>/eventsource`: Server-Sent Events, a frame per event. */
export function eventsource({ req, res, session, options, headers, tuning }: TransportContext): void {
  res.writeHead(200, {
    ...headers,
    ...NO_CACHE,
    ...cors(req),
    'Content-Type': 'text/event-stream',
    'X-Accel-Buffering': 'no',
  });
  res.write('\r\n');
  attachHttpReceiver(
    session(),
    res,
    {
      streaming: true,
      limit: options.responseLimit,
      // Frames are JSON and hold no raw line breaks; escaping keeps that true for any frame.
      // eslint-disable-next-line no-control-regex -- NUL must not reach the event stream
      format: (frame) => 'data: ' + frame.replace(/[%\r\n\x00]/g, encodeURIComponent) + '\r\n\r\n',
    },
    tuning,
  );
}
