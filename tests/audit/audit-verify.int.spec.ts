// `audit verify` against FerretDB (MONGO_URL; FAILS when unset): the four pipeline services run in
// one process with their stores in FerretDB, on two weeks of recorded BTC/USDT 1h bars
// (Binance spot, see ../shared/data/README.md); the verifier passes on the intact trail, then fails
// naming the record after one record is modified, and after one is deleted, in the database.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MongoClient } from 'mongodb';
import { fromStoredRecord, type StoredAuditRecord } from '@atp/audit';
import { runCli } from '../../apps/cli/src/program';
import { auditCollection, databaseName } from '@atp/nest-kit';
import { MongoStore, type Store } from '@atp/storage';
import { eventually } from '@atp/testing';
import { recordedCandleSource, ReplayDriver } from '@atp/svc-market-feed';
import { collect } from '../pipeline/support/collect';
import { startEmbeddedPipeline } from '../pipeline/support/embedded';
import { maCrossoverSpec } from '../pipeline/support/spec';

function mongoUrl(): string {
  const url = process.env.MONGO_URL?.trim();
  if (!url) throw new Error('MONGO_URL is not set: run through `npm test`, which starts FerretDB (or start it with infra/up.sh and export what it prints)');
  return url;
}

const FROM = Date.UTC(2020, 11, 20);
const TO = Date.UTC(2021, 0, 10);
const SERVICES = ['strategy', 'risk', 'execution', 'pnl'];

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (t) => void (out += t), err: (t) => void (err += t), env: {} });
  return { code, out, err };
}

describe('cli audit verify (FerretDB)', () => {
  const url = mongoUrl();
  const prefix = `audit${process.pid}${Date.now().toString(36)}`;
  const spec = maCrossoverSpec(`av${Date.now().toString(36)}`, ['BTC/USDT']);
  const dbOf = (s: string) => databaseName({ MONGO_DB: prefix, RUN_ID: spec.runId }, s);
  const client = new MongoClient(url);
  const args = () => ['audit', 'verify', '--mongo-url', url, '--mongo-db', prefix, '--run-id', spec.runId];

  beforeAll(() => client.connect());
  afterAll(async () => {
    for (const s of SERVICES) await client.db(dbOf(s)).dropDatabase().catch(() => undefined);
    await client.close();
  });

  it('passes on the trail the services wrote, fails naming the record after a modification or a deletion in the database', async () => {
    const stores = new Map<string, Store>();
    for (const s of SERVICES) stores.set(s, await MongoStore.connect({ url, dbName: dbOf(s), appName: 'audit-verify-spec' }));
    const p = await startEmbeddedPipeline(spec, { stores, env: { MONGO_DB: prefix } });
    let fills = 0;
    try {
      const c = await collect(p.bus, spec.runId);
      const driver = new ReplayDriver(p.bus, recordedCandleSource(), { runId: spec.runId, exchange: 'binance', symbols: spec.symbols, timeframe: '1h', from: FROM, to: TO, mode: 'lockstep', pollMs: 0 });
      await driver.run();
      await eventually(async () => expect(await c.lag()).toBe(0), { timeoutMs: 60_000 });
      fills = new Set(c.data.fills.map((f) => f.fillId)).size;
      expect(fills).toBeGreaterThan(0);
      expect(p.errors()).toEqual([]);
      await c.close();
    } finally {
      await p.stop();
      for (const s of stores.values()) await s.close();
    }

    const ok = await cli(args());
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    const summary = /(\d+) chains, (\d+) records, (\d+) links checked: OK/.exec(ok.out);
    expect(summary?.[1]).toBe('4');
    let total = 0;
    for (const s of SERVICES) total += await client.db(dbOf(s)).collection(auditCollection(s)).countDocuments();
    expect(Number(summary?.[2])).toBe(total);
    expect(Number(summary?.[3])).toBeGreaterThanOrEqual(4 * fills);

    // The same trail as a JSON export file (the documents as stored).
    const exported: Record<string, StoredAuditRecord[]> = {};
    for (const s of SERVICES) exported[s] = (await client.db(dbOf(s)).collection(auditCollection(s)).find({}).toArray()) as unknown as StoredAuditRecord[];
    const file = path.join(os.tmpdir(), `${prefix}.json`);
    fs.writeFileSync(file, JSON.stringify(exported));
    const fromFile = await cli(['audit', 'verify', '--file', file]);
    fs.rmSync(file);
    expect(fromFile.code).toBe(0);
    expect(fromFile.out).toContain(`4 chains, ${total} records, ${summary?.[3]} links checked: OK`);

    // An approval's quantity changed in the database (in the record's stored JSON body).
    const risk = client.db(dbOf('risk')).collection<StoredAuditRecord>(auditCollection('risk'));
    const approval = (await risk.find({}, { sort: { seq: 1 } }).toArray()).map(fromStoredRecord).find((r) => r.kind === 'approval');
    expect(approval?.inputs.quantity).toEqual(expect.any(String));
    const doc = (await risk.findOne({ _id: approval!._id }))!;
    const body = doc.body.replace(`"quantity":${JSON.stringify(approval!.inputs.quantity)}`, '"quantity":"1000"');
    expect(body).not.toBe(doc.body);
    await risk.updateOne({ _id: approval!._id }, { $set: { body } });
    const modified = await cli(args());
    expect(modified.code).toBe(1);
    expect(modified.out).toContain(`BREAK ${approval!._id} (chain risk`);
    expect(modified.out).toContain('hash mismatch: record modified');
    expect(modified.err).toContain(`first at ${approval!._id}`);

    // A fill deleted from execution's chain: a gap there, and pnl's record of it dangles.
    const execution = client.db(dbOf('execution')).collection<StoredAuditRecord>(auditCollection('execution'));
    const fill = (await execution.find({}, { sort: { seq: 1 } }).toArray()).map(fromStoredRecord).find((r) => r.kind === 'fill');
    await execution.deleteOne({ _id: fill!._id });
    const deleted = await cli(args());
    expect(deleted.code).toBe(1);
    expect(deleted.out).toContain('record(s) deleted');
    expect(deleted.out).toContain(`dangling link to fill ${fill!.subject}`);
  }, 180_000);
});
