import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AuditChain, type AuditRecord } from '@atp/audit';
import { runCli } from '../program';

/** A hand-built trail: intent (strategy) -> approval (risk) -> order, fill (execution) -> pnl. */
function trail(): AuditRecord[] {
  return [
    ...new AuditChain('strategy', 'strategy').append([{ kind: 'intent', subject: 'd1', decision: 'long', time: 1 }]),
    ...new AuditChain('risk', 'risk').append([{ kind: 'approval', subject: 'o1', ids: ['d1'], causes: [{ kind: 'intent', id: 'd1' }], decision: 'approved', time: 1 }]),
    ...new AuditChain('execution', 'execution').append([
      { kind: 'order', subject: 'o1', causes: [{ kind: 'approval', id: 'o1' }], decision: 'new', time: 1 },
      { kind: 'fill', subject: 'o1:0', causes: [{ kind: 'order', id: 'o1' }], decision: 'buy', inputs: { price: '100' }, time: 2 },
    ]),
    ...new AuditChain('pnl', 'pnl').append([{ kind: 'pnl', subject: 'o1:0', causes: [{ kind: 'fill', id: 'o1:0' }], decision: 'applied', time: 2 }]),
  ];
}

async function verify(records: unknown, extra: string[] = []): Promise<{ code: number; out: string; err: string }> {
  const file = path.join(os.tmpdir(), `audit-spec-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(records));
  let out = '';
  let err = '';
  try {
    const code = await runCli(['audit', 'verify', '--file', file, ...extra], { out: (t) => void (out += t), err: (t) => void (err += t), env: {} });
    return { code, out, err };
  } finally {
    fs.rmSync(file);
  }
}

describe('cli audit verify --file', () => {
  it('passes an intact trail, with a summary of chains, records and links', async () => {
    const r = await verify(trail());
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toContain('4 chains, 5 records, 4 links checked: OK');
    const json = await verify({ a: trail().slice(0, 2), b: trail().slice(2) }, ['--json']);
    expect(JSON.parse(json.out)).toMatchObject({ ok: true, records: 5, links: 4 });
  });

  it('exits 1 naming the record on a modified record and on a dangling link', async () => {
    const t = trail();
    const i = t.findIndex((r) => r.kind === 'fill');
    t[i] = { ...t[i]!, inputs: { price: '99' } };
    const modified = await verify(t);
    expect(modified.code).toBe(1);
    expect(modified.out).toContain('BREAK execution:000000000001 (chain execution, seq 1): hash mismatch: record modified');
    expect(modified.err).toBe('error: audit verify: 1 break(s), first at execution:000000000001: hash mismatch: record modified\n');

    const noRisk = await verify(trail().filter((r) => r.chain !== 'risk'));
    expect(noRisk.code).toBe(1);
    expect(noRisk.out).toContain('order:o1: dangling link to approval o1');
  });

  it('refuses an empty trail, a file that is no audit export, and a missing source', async () => {
    expect((await verify([])).err).toContain('no audit records in');
    expect((await verify([{ hello: 1 }])).err).toContain('expected an array of audit records');
    let err = '';
    const code = await runCli(['audit', 'verify'], { out: () => undefined, err: (t) => void (err += t), env: {} });
    expect({ code, err }).toEqual({ code: 2, err: 'error: no audit source: pass --file, or --mongo-url / set MONGO_URL\n' });
  });
});
