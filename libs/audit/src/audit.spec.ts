import { createHash } from 'node:crypto';
import { Dec } from '@atp/core';
import { canonicalRecordBody } from './canonical';
import { AuditChain, canonicalJson, fromStoredRecord, GENESIS_HASH, hashRecord, toStoredRecord, verifyAudit, verifyChain, verifyLinks, type AuditEntry, type AuditRecord, type StoredAuditRecord } from './index';

/** A small trade path across four chains: intent -> approval -> order -> fill -> pnl. */
function tradePath(): { strategy: AuditRecord[]; risk: AuditRecord[]; execution: AuditRecord[]; pnl: AuditRecord[] } {
  const s = new AuditChain('strategy', 'strategy');
  const r = new AuditChain('risk', 'risk');
  const x = new AuditChain('execution', 'execution');
  const p = new AuditChain('pnl', 'pnl');
  const strategy = s.append([
    { kind: 'noop', subject: 'd0', decision: 'noop', refs: ['candle-0'], time: 1000, versions: { strategyId: 'sma', strategyVersion: '1' } },
    { kind: 'intent', subject: 'd1', decision: 'long', refs: ['candle-1', 'signal-1'], inputs: { fast: 10.5, slow: 10.25 }, time: 2000, versions: { strategyId: 'sma', strategyVersion: '1' } },
  ]);
  const risk = r.append([{ kind: 'approval', subject: 'o1', ids: ['d1'], causes: [{ kind: 'intent', id: 'd1' }], decision: 'approved', inputs: { quantity: '0.5' }, time: 2000 }]);
  const execution = x.append([
    { kind: 'order', subject: 'o1', causes: [{ kind: 'approval', id: 'o1' }], decision: 'new', time: 2000 },
    { kind: 'fill', subject: 'o1:0', causes: [{ kind: 'order', id: 'o1' }], decision: 'buy', inputs: { price: '100.1', quantity: '0.5' }, time: 3000 },
  ]);
  const pnl = p.append([{ kind: 'pnl', subject: 'o1:0', causes: [{ kind: 'fill', id: 'o1:0' }], decision: 'applied', time: 3000 }]);
  return { strategy, risk, execution, pnl };
}

function chainOf(n: number): AuditRecord[] {
  const c = new AuditChain('c', 'svc');
  const entries: AuditEntry[] = [];
  for (let i = 0; i < n; i++) entries.push({ kind: 'noop', subject: `d${i}`, decision: 'noop', inputs: { i }, time: 1000 * i });
  return c.append(entries);
}

describe('canonicalJson', () => {
  it('sorts keys at every level, drops undefined, writes decimals as strings', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x', null], c: true }, u: undefined })).toBe('{"a":{"c":true,"d":[1,"x",null]},"b":1}');
    expect(canonicalJson({ q: new Dec('0.10000') })).toBe('{"q":"0.1"}');
    expect(canonicalJson(-0)).toBe('0');
  });
  it('refuses values whose representation is ambiguous, naming the path', () => {
    expect(() => canonicalJson({ a: [1, Number.NaN] })).toThrow('$.a[1] is NaN');
    expect(() => canonicalJson({ m: new Map() })).toThrow('$.m is a class instance');
  });
});

describe('canonicalRecordBody (the per-record fast path)', () => {
  /** A seeded generator of record bodies with awkward strings, numbers and key orders. */
  function bodies(n: number): Record<string, unknown>[] {
    let s = 12345;
    const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const strs = ['', 'a', 'é"\\\n', '\u2028x', 'Z', 'zz', '\ud83d\ude00', 'a.b', '$x', '10', 'B'];
    const str = () => strs[Math.floor(rnd() * strs.length)]! + String(Math.floor(rnd() * 3));
    const val = () => [() => str(), () => rnd() * 1e6 - 5e5, () => -0, () => 1e21, () => 5e-324, () => rnd() < 0.5, () => null, () => undefined][Math.floor(rnd() * 8)]!();
    const obj = () => Object.fromEntries(Array.from({ length: Math.floor(rnd() * 6) }, () => [str(), val()]));
    const out: Record<string, unknown>[] = [];
    for (let i = 0; i < n; i++) {
      const body: Record<string, unknown> = {
        chain: str(), seq: i, service: str(), key: str(), kind: str(), subject: str(),
        ids: Array.from({ length: Math.floor(rnd() * 3) }, str),
        causes: Array.from({ length: Math.floor(rnd() * 3) }, () => (rnd() < 0.5 ? { kind: str(), id: str() } : { id: str(), kind: str() })),
        refs: Array.from({ length: Math.floor(rnd() * 3) }, str),
        decision: str(), inputs: obj(), versions: obj(), time: Math.floor(rnd() * 2e12), origin: rnd() < 0.5 ? null : str(), prevHash: str(),
      };
      // Any insertion order of the fields: the output is sorted either way.
      out.push(Object.fromEntries(Object.entries(body).sort(() => rnd() - 0.5)));
    }
    return out;
  }
  it('writes exactly what canonicalJson writes for every body nextRecord builds', () => {
    for (const b of bodies(2000)) {
      const fast = canonicalRecordBody(b);
      expect(fast).toBeDefined();
      expect(fast).toBe(canonicalJson(b));
    }
    for (const r of [...chainOf(3), ...Object.values(tradePath()).flat()]) {
      const { _id, hash, ...body } = r;
      expect(canonicalRecordBody(body)).toBe(canonicalJson(body));
      expect(createHash('sha256').update(canonicalJson(body)).digest('hex')).toBe(hash);
    }
  });
  it('declines anything else (canonicalJson decides): unknown or missing fields, nested values, NaN, decimals', () => {
    const [r] = chainOf(1);
    const { _id: _i, hash: _h, ...body } = r!;
    expect(canonicalRecordBody({ ...body, extra: 1 })).toBeUndefined();
    const { origin: _o, ...missing } = body;
    expect(canonicalRecordBody(missing)).toBeUndefined();
    expect(canonicalRecordBody({ ...body, inputs: { a: { b: 1 } } })).toBeUndefined();
    expect(canonicalRecordBody({ ...body, inputs: { a: Number.NaN } })).toBeUndefined();
    expect(canonicalRecordBody({ ...body, inputs: { q: new Dec('1.50') } })).toBeUndefined();
    expect(canonicalRecordBody({ ...body, causes: [{ kind: 'order', id: 'o', at: 1 }] })).toBeUndefined();
    // A field added to a stored record changes its hash (the generic path hashes it).
    expect(hashRecord({ ...r!, extra: 1 } as AuditRecord)).not.toBe(r!.hash);
    expect(hashRecord(r!)).toBe(r!.hash);
  });
});

describe('AuditChain', () => {
  it('hashes the canonical JSON of the record without _id and hash (independent SHA-256), chained by prevHash', () => {
    const [a, b] = chainOf(2) as [AuditRecord, AuditRecord];
    expect(a._id).toBe('c:000000000000');
    expect(a.prevHash).toBe(GENESIS_HASH);
    const { _id, hash, ...body } = a;
    const sorted = JSON.stringify(Object.fromEntries(Object.entries(body).sort(([x], [y]) => (x < y ? -1 : 1))));
    expect(hash).toBe(createHash('sha256').update(sorted).digest('hex'));
    expect(b.prevHash).toBe(a.hash);
    expect(b.seq).toBe(1);
  });
  it('is deterministic and skips an entry whose kind and subject the chain already holds (no fork on replay)', () => {
    const c1 = chainOf(3);
    expect(chainOf(3)).toEqual(c1);
    const resumed = new AuditChain('c', 'svc', c1);
    expect(resumed.append([{ kind: 'noop', subject: 'd2', decision: 'noop', time: 0 }])).toEqual([]);
    const [next] = resumed.append([{ kind: 'noop', subject: 'd3', decision: 'noop', inputs: { i: 3 }, time: 3000 }]);
    expect(next).toEqual(chainOf(4)[3]);
  });
  it('refuses to resume from a chain with a gap', () => {
    const c = chainOf(3);
    expect(() => new AuditChain('c', 'svc', [c[0]!, c[2]!])).toThrow('expected seq 1, found 2');
  });
});

describe('toStoredRecord / fromStoredRecord (the compact stored shape)', () => {
  const all = (): AuditRecord[] => Object.values(tradePath()).flat();
  it('round-trips every record exactly, field order included, and passes a full-shape record through', () => {
    for (const r of [...all(), ...chainOf(3)]) {
      const d = toStoredRecord(r);
      expect(Object.keys(d)).toEqual(['_id', 'chain', 'seq', 'time', 'body']);
      expect([d._id, d.chain, d.seq, d.time]).toEqual([r._id, r.chain, r.seq, r.time]);
      const back = fromStoredRecord(JSON.parse(JSON.stringify(d)) as StoredAuditRecord);
      expect(back).toEqual(r);
      expect(Object.keys(back)).toEqual(Object.keys(r));
      expect(hashRecord(back)).toBe(r.hash);
      expect(fromStoredRecord(r)).toBe(r);
    }
  });
  it('a record modified in its body or in its fields no longer verifies; a body that does not parse is reported, not thrown', () => {
    const docs = chainOf(4).map(toStoredRecord);
    const read = (ds: StoredAuditRecord[]) => verifyChain(ds.map(fromStoredRecord)).issues.map((i) => [i.seq, i.reason]);
    expect(read(docs)).toEqual([]);
    const modified = 'hash mismatch: record modified';
    expect(read(docs.map((d, i) => (i === 1 ? { ...d, body: d.body.replace('"i":1', '"i":7') } : d)))).toEqual([[1, modified]]);
    expect(read(docs.map((d, i) => (i === 1 ? { ...d, time: 5 } : d)))).toEqual([[1, modified]]);
    expect(read(docs.map((d, i) => (i === 2 ? { ...d, body: d.body.replace('"kind":"noop"', '"kind":"bogus"') } : d)))).toEqual([[2, modified]]);
    // Unreadable: no hash and no prevHash, so the record and the one after it break.
    const unreadable = [[2, modified], [2, expect.stringContaining('prevHash does not match') as unknown], [3, expect.stringContaining('prevHash does not match') as unknown]];
    expect(read(docs.map((d, i) => (i === 2 ? { ...d, body: '{"service":' } : d)))).toEqual(unreadable);
    expect(read(docs.map((d, i) => (i === 2 ? { ...d, body: d.body.replace('"ids":[]', '"ids":"d2"') } : d)))).toEqual(unreadable);
  });
});

describe('verifyChain', () => {
  it('accepts an intact chain and its expected head', () => {
    const c = chainOf(5);
    expect(verifyChain(c, { records: 5, hash: c[4]!.hash })).toEqual({ chain: 'c', records: 5, issues: [] });
  });
  it('detects a modified record at its seq', () => {
    const c = chainOf(5);
    c[2] = { ...c[2]!, inputs: { i: 99 } };
    expect(verifyChain(c).issues).toEqual([{ chain: 'c', seq: 2, record: 'c:000000000002', reason: 'hash mismatch: record modified' }]);
  });
  it('detects a modified record whose hash was recomputed, at the next record', () => {
    const c = chainOf(5);
    const forged = { ...c[2]!, decision: 'long' };
    c[2] = { ...forged, hash: hashRecord(forged) };
    const issues = verifyChain(c).issues;
    expect(issues.map((i) => [i.seq, i.reason])).toEqual([[3, expect.stringContaining('prevHash does not match')]]);
  });
  it('detects a deleted record', () => {
    const c = chainOf(5);
    c.splice(1, 1);
    const issues = verifyChain(c).issues;
    expect(issues.map((i) => i.seq)).toEqual([2, 2]);
    expect(issues[0]!.reason).toContain('deleted');
  });
  it('detects reordered records', () => {
    const c = chainOf(5);
    [c[1], c[2]] = [c[2]!, c[1]!];
    const issues = verifyChain(c).issues;
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]).toMatchObject({ seq: 2, reason: expect.stringContaining('deleted') });
    expect(issues.some((i) => i.seq === 1 && i.reason.includes('reordered or inserted'))).toBe(true);
  });
  it('detects an inserted record, even one with a valid hash', () => {
    const c = chainOf(5);
    const extra = new AuditChain('c', 'svc', c.slice(0, 2)).append([{ kind: 'intent', subject: 'x', decision: 'long', time: 1500 }])[0]!;
    c.splice(2, 0, extra);
    const issues = verifyChain(c).issues;
    expect(issues.map((i) => i.seq)).toEqual([2, 2]);
    expect(issues[0]!.reason).toContain('reordered or inserted');
    expect(issues[1]!.reason).toContain('prevHash');
  });
  it('detects a truncated tail against the expected head', () => {
    const c = chainOf(5);
    const head = { records: 5, hash: c[4]!.hash };
    expect(verifyChain(c.slice(0, 4), head).issues).toEqual([{ chain: 'c', seq: 4, record: 'c:000000000004', reason: '4 records where 5 were expected: truncated or extended' }]);
  });
});

describe('verifyLinks', () => {
  it('accepts a complete trade path: intent -> approval -> order -> fill -> pnl', () => {
    const p = tradePath();
    expect(verifyLinks([p.strategy, p.risk, p.execution, p.pnl])).toEqual({ links: 4, issues: [] });
    const all = verifyAudit([...p.pnl, ...p.execution, ...p.risk, ...p.strategy]);
    expect({ ok: all.ok, records: all.records, links: all.links, chains: all.chains.map((c) => c.chain) }).toEqual({ ok: true, records: 6, links: 4, chains: ['execution', 'pnl', 'risk', 'strategy'] });
  });
  it('reports a dangling link when the record caused is missing (the order of a fill)', () => {
    const p = tradePath();
    const execution = p.execution.filter((r) => r.kind !== 'order');
    const issues = verifyLinks([p.strategy, p.risk, execution, p.pnl]).issues;
    expect(issues).toEqual([{ chain: 'execution', seq: 1, record: 'execution:000000000001', reason: 'fill:o1:0: dangling link to order o1' }]);
  });
  it('reports a record without the cause its kind requires, unless it has an origin', () => {
    const r = new AuditChain('risk', 'risk').append([
      { kind: 'approval', subject: 'o9', decision: 'approved', time: 1 },
      { kind: 'approval', subject: 'o10', decision: 'approved', origin: 'stop-monitor', time: 2 },
    ]);
    expect(verifyLinks([r]).issues).toEqual([{ chain: 'risk', seq: 0, record: 'risk:000000000000', reason: 'approval:o9: no intent cause' }]);
  });
});
