import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

/**
 * The layering of ARCHITECTURE.md is enforced by lint, not by good intentions: this runs the repo's
 * own ESLint config over tools/lint-fixture (a project tagged type:domain holding one deliberate
 * violation per file) and expects each to be refused, and the clean file to pass.
 */
const root = path.resolve(__dirname, '..');

interface EslintMessage { ruleId: string | null; message: string }
interface EslintResult { filePath: string; messages: EslintMessage[] }

function lintFixture(): Map<string, EslintMessage[]> {
  const graph = spawnSync('npx', ['nx', 'show', 'projects'], { cwd: root, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false' } });
  expect(graph.status).toBe(0);
  expect(graph.stdout).toMatch(/lint-fixture/);
  const r = spawnSync('npx', ['eslint', '--no-ignore', '--format', 'json', 'tools/lint-fixture/src'], {
    cwd: root, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false' }, maxBuffer: 32 * 1024 * 1024,
  });
  // ESLint exits 1 when it found errors; 2 would mean it crashed.
  expect(r.status).toBe(1);
  expect(r.stderr).not.toMatch(/No cached ProjectGraph/);
  const results = JSON.parse(r.stdout) as EslintResult[];
  return new Map(results.map((x) => [path.basename(x.filePath), x.messages]));
}

describe('module boundaries (lint)', () => {
  let byFile: Map<string, EslintMessage[]>;
  beforeAll(() => {
    byFile = lintFixture();
  }, 180_000);

  it.each([
    ['imports-kafkajs.ts', /not allowed to import "kafkajs"/],
    ['imports-mongodb.ts', /not allowed to import "mongodb"/],
    ['imports-ccxt.ts', /not allowed to import "ccxt"/],
    ['imports-nest.ts', /not allowed to import "@nestjs\/common"/],
    ['imports-service.ts', /type:domain.*can only depend on libs tagged with "type:domain", "type:contracts"/],
    ['imports-adapter.ts', /can only depend on libs tagged with "type:domain", "type:contracts"/],
  ])('%s is refused by @nx/enforce-module-boundaries', (file, why) => {
    const msgs = byFile.get(file) ?? [];
    const boundary = msgs.filter((m) => m.ruleId === '@nx/enforce-module-boundaries');
    expect(boundary.map((m) => m.message).join('\n')).toMatch(why);
  });

  it('reading the wall clock in domain code is refused', () => {
    const msgs = byFile.get('reads-clock.ts') ?? [];
    expect(msgs.map((m) => `${m.ruleId}: ${m.message}`).join('\n')).toMatch(/no-restricted-properties: .*injected Clock/);
  });

  it('an allowed import lints clean', () => {
    expect(byFile.get('clean.ts')).toEqual([]);
  });
});
