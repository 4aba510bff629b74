// tools/register.cjs, as the services, the CLI and the bench run under it (a child Node process:
// jest compiles modules its own way): once a module of the repository has loaded, its exported
// functions and classes are plain read-only values (the same ones), other exports keep their
// live-binding getters, and import cycles still resolve.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

/** Runs `script` under tools/register.cjs from the repository root; returns what it printed as JSON. */
function underRegister(script: string): Record<string, unknown> {
  const out = execFileSync(process.execPath, ['-r', './tools/register.cjs', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(out) as Record<string, unknown>;
}

describe('tools/register.cjs', () => {
  it('makes exported functions and classes data properties holding the same values, through an index too', () => {
    const r = underRegister(`
      const index = require('./tools/register-fixture/index.ts');
      const values = require('./tools/register-fixture/values.ts');
      const kind = (o, k) => { const d = Object.getOwnPropertyDescriptor(o, k); return d === undefined ? 'none' : 'value' in d ? (d.writable ? 'writable' : 'data') : 'getter'; };
      console.log(JSON.stringify({
        indexAddOne: kind(index, 'addOne'), valuesAddOne: kind(values, 'addOne'), indexBox: kind(index, 'Box'),
        same: index.addOne === values.addOne && index.Box === values.Box,
        result: index.addOne(41), box: new index.Box(7) instanceof values.Box,
        table: kind(index, 'TABLE'), answer: index.TABLE.answer,
        keys: Object.keys(index).sort(), esModule: index.__esModule,
      }));
    `);
    expect(r).toEqual({
      indexAddOne: 'data',
      valuesAddOne: 'data',
      indexBox: 'data',
      same: true,
      result: 42,
      box: true,
      table: 'getter',
      answer: 42,
      keys: ['Box', 'TABLE', 'addOne', 'bump', 'counter', 'fromA', 'fromB'],
      esModule: true,
    });
  });

  it('keeps live bindings of exports that are not functions', () => {
    const r = underRegister(`
      const index = require('./tools/register-fixture/index.ts');
      const before = index.counter;
      index.bump(); index.bump();
      console.log(JSON.stringify({ before, after: index.counter, kind: 'get' in Object.getOwnPropertyDescriptor(index, 'counter') }));
    `);
    expect(r).toEqual({ before: 0, after: 2, kind: true });
  });

  it('resolves an import cycle', () => {
    const r = underRegister(`
      const b = require('./tools/register-fixture/cycle-b.ts');
      const a = require('./tools/register-fixture/cycle-a.ts');
      console.log(JSON.stringify({ a3: a.fromA(3), b3: b.fromB(3), a0: a.fromA(0), plain: 'value' in Object.getOwnPropertyDescriptor(a, 'fromA') }));
    `);
    expect(r).toEqual({ a3: 'b', b3: 'a', a0: 'a', plain: true });
  });

  it('leaves modules outside the repository alone', () => {
    // @nestjs/common re-exports its decorators through getters (tslib's __exportStar).
    const r = underRegister(`
      const m = require('@nestjs/common');
      const d = Object.getOwnPropertyDescriptor(m, 'Injectable');
      console.log(JSON.stringify({ esModule: m.__esModule, kind: d === undefined ? 'none' : 'value' in d ? 'data' : 'getter' }));
    `);
    expect(r).toEqual({ esModule: true, kind: 'getter' });
  });
});
