import { createHash } from 'node:crypto';
import { BRIDGE_PAGE } from '../protocol/bridge.js';
import { EMBEDDABLE } from './http.js';

/** Where the server serves cometkit's forever-iframe bridge (see protocol/bridge.ts). */
export const BRIDGE_PATH = '/iframe-cometkit.html';

export const bridgePage = {
  body: BRIDGE_PAGE,
  etag: '"' + createHash('sha1').update(BRIDGE_PAGE).digest('base64') + '"',
  headers: EMBEDDABLE,
};
