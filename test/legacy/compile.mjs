// Loads src/ modules as the legacy build compiles them (ES5 target) into one vm
// context without the JSON object, for Node tests of the legacy build's parts.
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import ts from 'typescript';

/**
 * A fresh context holding `globals`; `load(path)` compiles src/<path>.ts and runs it there.
 * Relative imports resolve to modules loaded before (load dependencies first).
 */
export function legacyContext(globals = {}) {
  // One context for every module, as in the bundle: frames.ts tests json.ts's arrays with instanceof.
  const context = vm.createContext({ ...globals });
  vm.runInContext('JSON = undefined; window = this;', context);
  const loaded = new Map();
  return {
    context,
    load(path) {
      const url = new URL(`../../src/${path}.ts`, import.meta.url);
      const source = readFileSync(url, 'utf8');
      const { outputText } = ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES5, module: ts.ModuleKind.CommonJS } });
      const module = { exports: {} };
      const require = (id) => {
        if (id === 'mitt') return { default: this.mitt() };
        const dependency = loaded.get(new URL(id.replace(/\.js$/, '.ts'), url).href);
        if (!dependency) throw new Error(`${path} imports ${id}: load it first`);
        return dependency;
      };
      vm.runInContext(`(function (exports, require) {\n${outputText}\n})`, context)(module.exports, require);
      loaded.set(url.href, module.exports);
      return module.exports;
    },
    /** mitt as the bundle gets it (its ES5 module build), run in this context. */
    mitt() {
      const code = readFileSync(new URL('../../node_modules/mitt/dist/mitt.mjs', import.meta.url), 'utf8');
      return vm.runInContext(`(${code.replace(/^export default /, '').replace(/\n\/\/# sourceMappingURL.*$/, '')})`, context);
    },
  };
}

/** Data from another context, as plain data of this one (deepEqual checks prototypes). */
export const plain = (value) => JSON.parse(JSON.stringify(value));
