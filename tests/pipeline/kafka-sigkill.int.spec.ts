// No loss, no duplicates: a lockstep replay through the real Kafka broker with the four services
// as separate processes (BUS=kafka STORE=mongo, FerretDB), during which execution, then risk, then
// pnl are each SIGKILLed in the middle of an event time and restarted. The run must end with the
// same decision records, orders, fills and final P&L as an uninterrupted run (the backtester, which
// the parity tests show equal to the services), and no client order id may be submitted twice.
// Slice: BTC/USDT 1h bars 400..1399 (2020-12-17 16:00 .. 2021-01-28 11:00 UTC), with two gaps
// (exchange maintenance), MA crossover 10/30 with a 2 x ATR stop: 18 round trips, 7 stop-outs.
import { backtestConfigFromSpec, loadRecordedSeries, runBacktest } from '@atp/backtest';
import { KafkaBus } from '@atp/bus';
import { ALL_TOPICS } from '@atp/contracts';
import { eventually } from '@atp/testing';
import type { SubmissionDoc } from '@atp/svc-execution';
import { recordedCandleSource, ReplayDriver } from '@atp/svc-market-feed';
import type { SummaryDoc } from '@atp/svc-pnl';
import { collect } from './support/collect';
import { backtestRecords, canonical, dedupe, firstDifference } from './support/compare';
import { dropRun, readDocs, requireInfra, uniqueRunId } from './support/infra';
import { KafkaPipeline } from './support/processes';
import { maCrossoverSpec, recordedSeries } from './support/spec';
import { acquirePipelineTurn, releasePipelineTurn } from './support/serial';

const BARS = Number(process.env.PIPELINE_SIGKILL_BARS ?? 1000);
const FIRST = 400;
const VICTIMS = ['execution', 'risk', 'pnl'] as const;

describe('no loss, no duplicates: SIGKILL of execution, risk and pnl during a lockstep Kafka replay', () => {
  beforeAll(() => acquirePipelineTurn(), 900_000);
  afterAll(() => releasePipelineTurn());
  const { brokers } = requireInfra();
  const runId = uniqueRunId('kk');
  const mongoDb = `k${runId.slice(-8).replace(/-/g, '')}`;
  const spec = maCrossoverSpec(runId, ['BTC/USDT']);
  const btc = loadRecordedSeries('BTC/USDT', '1h');
  const FROM = btc.openTime[FIRST]!;
  const TO = btc.openTime[FIRST + BARS]!;
  let pipeline: KafkaPipeline | undefined;
  let bus: KafkaBus | undefined;

  afterAll(async () => {
    await pipeline?.kill();
    await bus?.close();
    await dropRun(runId, mongoDb);
  }, 120_000);

  it('each restarted service resumes: the same fills and P&L as an uninterrupted run, no client order id submitted twice', async () => {
    const [series] = recordedSeries(spec, FROM, TO);
    const bt = runBacktest(backtestConfigFromSpec(spec, { recordBarMatched: true }), [series!]);
    let gaps = 0;
    for (let i = 1; i < series!.openTime.length; i++) if (series!.openTime[i]! - series!.openTime[i - 1]! > 3_600_000) gaps++;
    expect(gaps).toBeGreaterThanOrEqual(1);
    expect(bt.roundTrips.length).toBeGreaterThanOrEqual(5);
    expect(bt.fills.filter((f) => f.role === 'stop-loss').length).toBeGreaterThanOrEqual(1);

    bus = await KafkaBus.connect({ brokers, clientId: `pipeline-test-${runId}`, logLevel: 'error' });
    await bus.ensureTopics(ALL_TOPICS, runId);
    pipeline = new KafkaPipeline(spec, mongoDb);
    await pipeline.start();
    const c = await collect(bus, runId, `collector-${runId}`);

    const killed: { victim: string; pid: number; at: number; signal: string | null }[] = [];
    let pending: Promise<void> = Promise.resolve();
    const driver = new ReplayDriver(bus, recordedCandleSource(), {
      runId, exchange: 'binance', symbols: spec.symbols, timeframe: '1h', from: FROM, to: TO, mode: 'lockstep', pollMs: 2, stallMs: 300_000,
      onEventTime: (_t, i, n) => {
        const k = VICTIMS.findIndex((_, j) => i === Math.floor(((j + 1) * n) / (VICTIMS.length + 1)));
        if (k < 0) return;
        const victim = VICTIMS[k]!;
        // Killed a moment after the next event time is published: in the middle of its processing.
        pending = pending.then(async () => {
          await new Promise((r) => setTimeout(r, 15));
          const p = pipeline!.get(victim);
          const { signal } = await p.kill('SIGKILL');
          killed.push({ victim, pid: p.pid, at: i + 1, signal });
          await pipeline!.restart(victim);
        });
      },
    });
    const stats = await driver.run();
    await pending;
    expect(killed.map((k) => [k.victim, k.signal])).toEqual(VICTIMS.map((v) => [v, 'SIGKILL']));
    await eventually(async () => expect(await c.lag()).toBe(0), { timeoutMs: 60_000, intervalMs: 200 });

    // Nothing lost, nothing different: everything equals the uninterrupted run.
    const a = canonical(backtestRecords(bt));
    const b = canonical(c.data); // throws if two copies of one id differ
    expect(firstDifference(a, b, ['uninterrupted', 'killed'])).toBeUndefined();
    // pnl_summary is written at most every PERSIST_EVERY_MS: its last write may follow the drain.
    await eventually(async () => expect((await readDocs<SummaryDoc>(mongoDb, 'pnl', runId, 'pnl_summary'))[0]?.pnl).toEqual(JSON.parse(JSON.stringify(bt.final))), { timeoutMs: 10_000, intervalMs: 100 });

    // No client order id submitted twice: one venue submission per approval, one acknowledgement each.
    const subs = await readDocs<SubmissionDoc>(mongoDb, 'execution', runId, 'execution_submissions');
    expect(subs.map((s) => s._id).sort()).toEqual(bt.approved.map((x) => x.clientOrderId).sort());
    type Update = { kind: string; status?: string; role?: string; clientOrderId?: string };
    const acks = (dedupe(c.data.orderEvents).unique as Update[]).filter((e) => e.kind === 'order' && e.status === 'acknowledged' && (e.role === 'entry' || e.role === 'exit'));
    expect(acks.length).toBe(bt.approved.length);
    expect(new Set(acks.map((e) => e.clientOrderId)).size).toBe(acks.length);
    expect(pipeline.errors()).toEqual([]);
    const copies = dedupe(c.data.fills, (f) => f.fillId).copies + dedupe(c.data.orderEvents).copies + dedupe(c.data.decisions).copies + dedupe(c.data.approved).copies;
    console.log(`SIGKILL replay: ${stats.eventTimes} event times in ${stats.wallMs} ms; killed ${killed.map((k) => `${k.victim}@${k.at}`).join(', ')}; ${b.fills.length} fills, ${bt.roundTrips.length} round trips; ${copies} redelivered copies deduplicated by id`);
    await c.close();
  }, 1_500_000);
});
