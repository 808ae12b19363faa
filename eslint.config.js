import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.tmp/', 'test/browser/.build/', 'test-artifacts/'] },
  js.configs.recommended,
  {
    files: ['src/**/*.ts', 'test/types/**/*.ts'],
    extends: [tseslint.configs.strictTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      // `() => void` shorthands read better for callbacks; the type checker already guards misuse.
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/restrict-plus-operands': ['error', { allowNumberAndString: true }],
    },
  },
  {
    // The browser bundles must not lean on Node globals.
    files: ['src/client/**/*.ts', 'src/index.ts', 'src/protocol/**/*.ts'],
    rules: {
      // Feature detection tests what the DOM typings assume is always there (old browsers, masked globals).
      '@typescript-eslint/no-unnecessary-condition': 'off',
      'no-restricted-globals': ['error', 'process', 'global', 'Buffer', 'setImmediate', '__dirname', 'require'],
    },
  },
  {
    // The legacy build (IE 7-class engines). TypeScript's ES5 output keeps what the source
    // writes, so ES3 discipline is kept here, in the source; test/legacy/syntax.mjs checks the output.
    files: ['src/legacy/**/*.ts'],
    rules: {
      // Feature detection tests what the DOM typings assume is always there.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // They suggest String#includes/startsWith/endsWith (ES2015) over indexOf and regexps.
      '@typescript-eslint/prefer-includes': 'off',
      '@typescript-eslint/prefer-string-starts-ends-with': 'off',
      // Trailing commas survive into the output; ES3 has none in object literals, and IE 8 and
      // older read one in an array literal as one more element.
      'comma-dangle': ['error', 'never'],
      'no-restricted-globals': [
        'error',
        ...['JSON', 'Promise', 'Map', 'Set', 'WeakMap', 'Symbol', 'fetch', 'XMLHttpRequest', 'WebSocket', 'EventSource']
          .concat(['queueMicrotask', 'AbortController', 'URL', 'TextDecoder', 'postMessage', 'process', 'global'])
          .map((name) => ({ name, message: 'IE 7 has no ' + name + '.' })),
      ],
      'no-restricted-properties': [
        'error',
        ...[['Date', 'now'], ['Object', 'keys'], ['Object', 'create'], ['Object', 'defineProperty'], ['Object', 'assign'], ['Array', 'isArray']]
          .map(([object, property]) => ({ object, property, message: 'ES5 or later: IE 7 has none.' })),
        ...['map', 'filter', 'forEach', 'every', 'some', 'reduce', 'find', 'findIndex', 'includes', 'bind', 'trim', 'padStart', 'padEnd', 'startsWith', 'endsWith', 'repeat']
          .map((property) => ({ property, message: 'ES5 or later: IE 7 has none.' })),
      ],
      'no-restricted-syntax': [
        'error',
        { selector: 'Property[kind=/^[gs]et$/], MethodDefinition[kind=/^[gs]et$/]', message: 'ES3 has no getters or setters.' },
        { selector: 'SpreadElement, ObjectExpression > RestElement', message: 'Spread compiles to helpers that need ES5 methods.' },
        { selector: 'ClassDeclaration, ClassExpression', message: 'Classes compile to helpers that need Object.create.' },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', 'test/**/*.js', 'demo/**/*.js'],
    languageOptions: { globals: { ...globals.node, ...globals.browser, ...globals.mocha } },
  },
);
