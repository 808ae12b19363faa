import type { TransportContext } from './context.js';
import { JAVASCRIPT, NO_CACHE, callbackName } from '../http.js';
import { quote } from '../../protocol/frames.js';
import { attachHttpReceiver } from '../receiver.js';

/** `GET /<server>/<session>/jsonp?c=<callback>`: script-tag long-poll, one frame per response. */
export function jsonp({ res, url, session, headers, tuning }: TransportContext): void {
  const callback = callbackName(url, res);
  if (callback === null) return;
  res.writeHead(200, {
    ...headers,
    ...NO_CACHE,
    'Content-Type': JAVASCRIPT,
    'X-Content-Type-Options': 'nosniff',
  });
  attachHttpReceiver(
    session(),
    res,
    {
      streaming: false,
      limit: 0,
      // The leading comment defuses Rosetta-Flash-style content sniffing.
      format: (frame) => `/**/${callback}(${quote(frame)});\r\n`,
    },
    tuning,
  );
}
