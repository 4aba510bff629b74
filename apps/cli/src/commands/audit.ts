import * as fs from 'node:fs';
import { Command, Option } from 'commander';
import { fromStoredRecord, verifyAudit, type AuditRecord, type AuditReport, type StoredAuditRecord } from '@atp/audit';
import { auditCollection, databaseName } from '@atp/nest-kit';
import { MongoStore } from '@atp/storage';
import { formatTable } from '../format';
import { CliError, EXIT, type CliIo } from '../io';

/** The services that keep an audit chain (ARCHITECTURE.md, "Audit"). */
export const AUDITED_SERVICES = ['strategy', 'risk', 'execution', 'pnl'] as const;

const RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;

interface VerifyOptions {
  file?: string;
  mongoUrl?: string;
  mongoDb?: string;
  runId?: string;
  services: string;
  json?: boolean;
}

/** Reads every `<service>_audit` collection, each from its service's database, read-only. */
async function readMongo(url: string, mongoDb: string, runId: string | undefined, services: readonly string[]): Promise<{ records: AuditRecord[]; source: string }> {
  const records: AuditRecord[] = [];
  const dbs: string[] = [];
  for (const s of services) {
    const db = databaseName({ MONGO_DB: mongoDb, RUN_ID: runId }, s);
    dbs.push(db);
    let store: MongoStore;
    try {
      store = await MongoStore.connect({ url, dbName: db, appName: 'atp-cli' });
    } catch (e) {
      throw new CliError((e as Error).message);
    }
    try {
      const repo = store.repository<StoredAuditRecord | AuditRecord>({ name: auditCollection(s) });
      for await (const batch of repo.iterate({ order: 'asc' }, 5_000)) for (const d of batch) records.push(fromStoredRecord(d));
    } finally {
      await store.close();
    }
  }
  return { records, source: `MongoDB databases ${dbs.join(', ')}` };
}

/** A JSON export: an array of records, or an object whose values are arrays of records (e.g. one per collection); records as stored (compact) or in full. */
function readFile(file: string): { records: AuditRecord[]; source: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CliError(`--file ${file}: ${(e as Error).message}`);
  }
  const list = Array.isArray(parsed) ? parsed : parsed && typeof parsed === 'object' ? Object.values(parsed).flat() : null;
  if (!list || list.some((r) => !r || typeof r !== 'object' || typeof (r as AuditRecord).chain !== 'string' || typeof (r as AuditRecord).seq !== 'number')) {
    throw new CliError(`--file ${file}: expected an array of audit records (or an object of such arrays), each with chain and seq`);
  }
  return { records: (list as (StoredAuditRecord | AuditRecord)[]).map(fromStoredRecord), source: file };
}

function printReport(io: CliIo, report: AuditReport, source: string): void {
  io.out(`audit verify: ${source}\n`);
  io.out(formatTable(['CHAIN', 'RECORDS', 'BREAKS'], report.chains.map((c) => [c.chain, String(c.records), String(c.issues.length)])));
  for (const i of report.issues) io.out(`BREAK ${i.record} (chain ${i.chain}, seq ${i.seq}): ${i.reason}\n`);
  io.out(`${report.chains.length} chains, ${report.records} records, ${report.links} links checked: ${report.ok ? 'OK' : `${report.issues.length} break(s)`}\n`);
}

/** `audit verify`: every chain and every link of the services' audit trails. */
export function auditCommand(io: CliIo): Command {
  const audit = new Command('audit').description('The services\' hash-chained audit trails (libs/audit)');

  audit
    .command('verify')
    .description('Verify every audit chain (hashes, sequence) and every link between them (intent -> approval -> order -> fill -> pnl); exits 1 on any break, naming the record')
    .option('--file <export.json>', 'read a JSON export (array of records) instead of MongoDB')
    .option('--mongo-url <url>', 'MongoDB URL (default: $MONGO_URL)')
    .option('--mongo-db <prefix>', 'database prefix the services use (default: $MONGO_DB or atp)')
    .addOption(
      new Option('--run-id <id>', 'a replay run: databases <prefix>_<service>_run_<id>').argParser((v) => {
        if (!RUN_ID.test(v)) throw new CliError(`--run-id must be 1-64 characters of [A-Za-z0-9_-] (got "${v}")`, EXIT.usage);
        return v;
      }),
    )
    .option('--services <list>', 'comma-separated services whose chains to read', AUDITED_SERVICES.join(','))
    .option('--json', 'print the report as JSON')
    .action(async (opts: VerifyOptions) => {
      const services = opts.services.split(',').map((s) => s.trim()).filter(Boolean);
      const bad = services.find((s) => !/^[a-z][a-z0-9-]*$/.test(s));
      if (bad !== undefined || services.length === 0) throw new CliError(`--services must be a comma-separated list of service names (got "${opts.services}")`, EXIT.usage);
      let input: { records: AuditRecord[]; source: string };
      if (opts.file) input = readFile(opts.file);
      else {
        const url = opts.mongoUrl ?? io.env['MONGO_URL'];
        if (!url?.trim()) throw new CliError('no audit source: pass --file, or --mongo-url / set MONGO_URL', EXIT.usage);
        const prefix = opts.mongoDb ?? (io.env['MONGO_DB']?.trim() || 'atp');
        input = await readMongo(url.trim(), prefix, opts.runId, services);
      }
      // Nothing to verify is not a pass: a wrong prefix or run id would otherwise look like an intact trail.
      if (input.records.length === 0) throw new CliError(`audit verify: no audit records in ${input.source}`);
      const report = verifyAudit(input.records);
      if (opts.json) io.out(`${JSON.stringify({ source: input.source, ...report }, null, 2)}\n`);
      else printReport(io, report, input.source);
      if (!report.ok) throw new CliError(`audit verify: ${report.issues.length} break(s), first at ${report.issues[0]!.record}: ${report.issues[0]!.reason}`);
    });

  return audit;
}
