// The script-tag build's entry (dist/cometkit.min.js): the API on the global `cometkit`, whatever runs
// the file. A classic script, a worker's importScripts() and a module script alike: a UMD file registers
// with a page's AMD loader instead when there is one (RequireJS on Magento 2 storefronts, say), which
// rejects the anonymous define of a script it did not load, and the page gets no `cometkit` at all; an
// IIFE that sets `this.cometkit` throws in a module script, where `this` is undefined.
import { createClient, createCoreClient, iframe, jsonp, NegotiationError, polling, TIERS, websocket, xhrStreaming } from './index.js';

// A plain object, as the UMD global was: a page or its tests may wrap or stub what is on it. Every
// export of index.ts, named (test/build/dist.test.mjs holds the list to it): spreading the module
// namespace costs the bundle a frozen copy of it.
(globalThis as { cometkit?: object }).cometkit = { NegotiationError, TIERS, createClient, createCoreClient, iframe, jsonp, polling, websocket, xhrStreaming };
