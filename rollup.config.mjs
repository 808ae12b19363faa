import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

// Built into OUT_DIR when set, so the freshness check can compare a fresh
// build with the committed dist/ without touching it.
const out = process.env.OUT_DIR ?? 'dist';

const ts = () =>
  typescript({ tsconfig: './tsconfig.json', noEmit: false, declaration: false, include: ['src/**/*.ts'] });

const nodeExternal = (id) => id.startsWith('node:') || id === 'ws';

export default [
  {
    input: 'src/server/index.ts',
    external: nodeExternal,
    output: { file: `${out}/server.js`, format: 'es' },
    plugins: [ts()],
  },
  {
    input: 'src/server/index.ts',
    external: nodeExternal,
    output: { file: `${out}/server.d.ts`, format: 'es' },
    plugins: [dts({ tsconfig: './tsconfig.json' })],
  },
];
