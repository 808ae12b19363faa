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
    files: ['**/*.mjs', '**/*.cjs', 'test/**/*.js', 'demo/**/*.js'],
    languageOptions: { globals: { ...globals.node, ...globals.browser, ...globals.mocha } },
  },
);
