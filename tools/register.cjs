// Runs TypeScript sources directly (services, CLI, bench) with SWC, keeping
// decorator metadata that NestJS dependency injection needs.
const path = require('node:path');
const Module = require('node:module');
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || path.join(__dirname, '..', 'tsconfig.json');
require('reflect-metadata');
require('@swc-node/register');

// Exported functions and classes as plain values.
//
// SWC compiles `export function f` to a getter on the module's exports object (ES module live
// bindings), and `export * from './x'` (every lib's index) to one more getter per name whose body
// reads `from[k]` with the name as a variable: a keyed load that sees every name of every module
// re-exported that way, which V8 cannot optimise (megamorphic). A call through a lib's index,
// `(0, _core.decAdd)(a, b)`, measured ~14 ns against ~0.1 ns for a direct call (a named re-export
// ~4 ns): on the embedded pipeline's candle -> order path, thousands of such calls per event time.
//
// So once a module of this repository (not node_modules) has finished loading, its exports object
// is replaced by one where every export whose value is a function (function declarations and
// classes: hoisted or initialised by then, and never reassigned — eslint's no-func-assign and
// no-class-assign) is a read-only data property holding that value; every other export keeps its
// getter (live binding). `require` returns the new object from then on. Only a module that
// required this one while it was still loading (an import cycle) keeps the first object, whose
// getters give the same values. The values themselves are untouched (same identities: Nest's
// metadata, instanceof and Map keys see the same classes and functions).
const ROOT = path.resolve(__dirname, '..') + path.sep;
const NODE_MODULES = `${path.sep}node_modules${path.sep}`;
/** Exports objects looked at for good: made plain, or not ours. */
const done = new WeakSet();
const load = Module._load;
Module._load = function loadPlain(request, parent, isMain) {
  const exported = load.apply(this, arguments);
  if (exported === null || typeof exported !== 'object' || done.has(exported) || exported.__esModule !== true) return exported;
  let filename;
  try {
    filename = Module._resolveFilename(request, parent, isMain);
  } catch {
    return exported;
  }
  if (!filename.startsWith(ROOT) || filename.includes(NODE_MODULES)) {
    done.add(exported);
    return exported;
  }
  const mod = Module._cache[filename];
  // Still loading (an import cycle): left as it is for now, made plain by a later require.
  if (!mod || !mod.loaded || mod.exports !== exported) return exported;
  const plain = withPlainFunctions(exported);
  done.add(exported);
  done.add(plain);
  mod.exports = plain;
  return plain;
};

/** `exports` with its getter-defined function values as data properties (itself when it has none). */
function withPlainFunctions(exports) {
  const descriptors = {};
  let changed = false;
  for (const key of Reflect.ownKeys(exports)) {
    const d = Object.getOwnPropertyDescriptor(exports, key);
    if (d.get !== undefined && d.set === undefined) {
      let value;
      try {
        value = d.get.call(exports);
      } catch {
        value = undefined; // not initialised (a cycle): keeps its getter
      }
      if (typeof value === 'function') {
        descriptors[key] = { value, enumerable: d.enumerable, writable: false, configurable: false };
        changed = true;
        continue;
      }
    }
    descriptors[key] = d;
  }
  return changed ? Object.defineProperties(Object.create(Object.getPrototypeOf(exports)), descriptors) : exports;
}
