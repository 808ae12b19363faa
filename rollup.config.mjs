import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

// Built into OUT_DIR when set, so the freshness check can compare a fresh
// build with the committed dist/ without touching it.
const out = process.env.OUT_DIR ?? 'dist';

const ts = (overrides = {}) =>
  typescript({ tsconfig: './tsconfig.json', noEmit: false, declaration: false, include: ['src/**/*.ts'], ...overrides });

const nodeExternal = (id) => id.startsWith('node:') || id === 'ws';

/**
 * Each entry also as CommonJS, for `require()` (package.json's `require` condition): code compiled to
 * CommonJS (TypeScript's `module: commonjs`) and bundled, and Node. In a `"type": "module"` package a
 * `.js` file is an ES module to Node and to bundlers, so the UMD file cannot serve: loaded as a module
 * it exports nothing (it sets the global).
 */
const cjs = (file) => ({ file, format: 'cjs' });

/** An entry's declarations twice: `.d.ts` for `import`, `.d.cts` (CommonJS to TypeScript) for `require`. */
const types = (stem) => [
  { file: `${stem}.d.ts`, format: 'es' },
  { file: `${stem}.d.cts`, format: 'es' },
];

/**
 * The WebSocket-only build's one difference: src/client/features.ts says
 * MULTI_TIER = false, so rollup and terser drop what only several tiers use.
 */
export const webSocketOnly = {
  name: 'websocket-only',
  resolveId: (source) => (source.endsWith('/features.js') ? '\0features' : null),
  load: (id) => (id === '\0features' ? 'export const MULTI_TIER = false;' : null),
};

/**
 * Shared by the size check, so what it measures is what ships. Beyond the
 * defaults, each measured to pay (min+gzip) and safe for this code:
 * - `unsafe`: e.g. `new Error(m)` → `Error(m)`, `String(x)` → `""+x`; the
 *   client stringifies only numbers and its bridge's string messages.
 * - `unsafe_arrows`, `unsafe_methods`: function expressions and methods that
 *   never use `this` or get called with `new` become arrows / concise methods.
 * - `pure_getters`: no property read here is made for a side effect.
 * - `keep_fargs: false`: unused trailing parameters go (the WebSocket-only build's, whose folded-away
 *   features leave some unread); no function here reads `arguments` or another function's `length`.
 * - `passes: 4`: the third and fourth find a little more.
 * Not `unsafe_comps`: options validation relies on comparisons with NaN.
 * Not `toplevel`: it would unwrap the script-tag build's function into top-level `var`s, which in a
 * classic script are globals of the page, and rename its `var cometkit`.
 */
export const terserOptions = {
  ecma: 2020,
  compress: { passes: 4, keep_fargs: false, unsafe: true, unsafe_arrows: true, unsafe_methods: true, pure_getters: true },
  format: { comments: false },
};

/**
 * The legacy build's minifier settings: ES5-level output (TypeScript's ES5
 * target emits nothing ES3 lacks but getters, which src/legacy/ avoids),
 * `ie8` to keep reserved-word properties quoted (`a["default"]`) and IE 8's
 * catch-scope bugs in mind, ASCII-only output so pages in any charset read it.
 */
export const legacyTerserOptions = {
  ecma: 5,
  ie8: true,
  compress: { passes: 2 },
  format: { comments: false, ascii_only: true },
};

export default [
  {
    input: 'src/server/index.ts',
    external: nodeExternal,
    output: [{ file: `${out}/server.js`, format: 'es' }, cjs(`${out}/server.cjs`)],
    plugins: [ts()],
  },
  {
    input: 'src/server/index.ts',
    external: nodeExternal,
    output: types(`${out}/server`),
    plugins: [dts({ tsconfig: './tsconfig.json' })],
  },
  {
    // The browser client. mitt (200 bytes) is bundled so the ESM file also runs straight in a page.
    input: 'src/index.ts',
    output: [
      { file: `${out}/cometkit.mjs`, format: 'es' },
      cjs(`${out}/cometkit.cjs`),
      // For AMD loaders (and anything else UMD serves).
      { file: `${out}/cometkit.umd.js`, format: 'umd', name: 'cometkit' },
    ],
    plugins: [nodeResolve({ browser: true }), ts()],
  },
  {
    // The script tag (src/script-tag.ts says why not UMD).
    input: 'src/script-tag.ts',
    output: { file: `${out}/cometkit.min.js`, format: 'iife', plugins: [terser(terserOptions)] },
    plugins: [nodeResolve({ browser: true }), ts()],
  },
  {
    input: 'src/index.ts',
    output: types(`${out}/cometkit`),
    plugins: [dts({ tsconfig: './tsconfig.json' })],
  },
  {
    // `cometkit/websocket`, for bundlers (no script-tag file: a script-tag page takes the full build).
    input: 'src/websocket.ts',
    output: [{ file: `${out}/websocket.mjs`, format: 'es' }, cjs(`${out}/websocket.cjs`)],
    plugins: [webSocketOnly, nodeResolve({ browser: true }), ts()],
  },
  {
    input: 'src/websocket.ts',
    output: types(`${out}/websocket`),
    plugins: [dts({ tsconfig: './tsconfig.json' })],
  },
  {
    // The legacy build for IE 7-class pages: a classic script (global `cometkit`), ES3 syntax,
    // checked by test/legacy/syntax.mjs. Not strict: IE 9 and older ignore the directive, so
    // leaving it out keeps one behaviour everywhere.
    input: 'src/legacy/index.ts',
    output: [
      { file: `${out}/cometkit.legacy.js`, format: 'iife', name: 'cometkit', strict: false },
      { file: `${out}/cometkit.legacy.min.js`, format: 'iife', name: 'cometkit', strict: false, plugins: [terser(legacyTerserOptions)] },
    ],
    plugins: [nodeResolve({ browser: true }), ts({ target: 'ES5' })],
  },
];
