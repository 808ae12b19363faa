import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Headers } from '../http.js';
import type { ResolvedOptions } from '../options.js';
import type { ReceiveTuning } from '../receiver.js';
import type { InternalSession } from '../session.js';

/** What the router hands a transport handler for one request on a session URL. */
export interface TransportContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  options: ResolvedOptions;
  /** Headers every response on a session URL carries (the JSESSIONID cookie when enabled). */
  headers: Headers;
  /** What a cometkit client asked of this receiving request. */
  tuning: ReceiveTuning;
  /** The session of this URL, created when the id is new (receiving requests only). */
  session: () => InternalSession;
  /** The session of this URL if it exists (sending requests). */
  existing: () => InternalSession | undefined;
}
