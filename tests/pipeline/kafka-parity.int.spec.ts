// Parity (c) with (a): a lockstep replay through the real Kafka broker, the four pipeline services
// running as SEPARATE processes (BUS=kafka STORE=mongo, FerretDB), the replay driver in this
// process; the same decision records, orders, fills and final P&L as the in-process backtester on
// the same recorded data and run id. Needs KAFKA_BROKERS and MONGO_URL (npm test starts both).
import { backtestConfigFromSpec, runBacktest } from '@atp/backtest';
import { KafkaBus } from '@atp/bus';
import { ALL_TOPICS } from '@atp/contracts';
import { eventually } from '@atp/testing';
import { recordedCandleSource, ReplayDriver } from '@atp/svc-market-feed';
import type { SummaryDoc } from '@atp/svc-pnl';
import { collect } from './support/collect';
import { backtestRecords, canonical, firstDifference } from './support/compare';
import { dropRun, readDocs, requireInfra, uniqueRunId } from './support/infra';
import { KafkaPipeline } from './support/processes';
import { maCrossoverSpec, recordedSeries } from './support/spec';
import { acquirePipelineTurn, releasePipelineTurn } from './support/serial';

/**
 * The slice of the 1h data replayed through Kafka in `npm test`: all four symbols, the 7 days of
 * bars opening from 2021-01-01 (PIPELINE_TEST_DAYS changes it). The full 4 x 5,482 bars run in the
 * bench (`npm run bench -- pipeline`): through separate processes, lockstep costs a few broker
 * and database round trips per hop per event time (about 170-360 ms per event time here).
 */
const FROM = Date.UTC(2021, 0, 1);
const TO = Date.UTC(2021, 0, Number(process.env.PIPELINE_TEST_DAYS ?? 7) + 1);

describe('parity: backtester vs the services as separate processes over Kafka and FerretDB (lockstep)', () => {
  beforeAll(() => acquirePipelineTurn(), 900_000);
  afterAll(() => releasePipelineTurn());
  const { brokers } = requireInfra();
  const runId = uniqueRunId('kp');
  const mongoDb = `t${runId.slice(-8).replace(/-/g, '')}`;
  const spec = maCrossoverSpec(runId);
  let pipeline: KafkaPipeline | undefined;
  let bus: KafkaBus | undefined;

  afterAll(async () => {
    await pipeline?.kill();
    await bus?.close();
    await dropRun(runId, mongoDb);
  }, 120_000);

  it('MA crossover on all four symbols: the same decisions, orders, fills and final P&L', async () => {
    const bt = runBacktest(backtestConfigFromSpec(spec, { recordBarMatched: true }), recordedSeries(spec, FROM, TO));
    expect(bt.fills.length).toBeGreaterThan(0);

    bus = await KafkaBus.connect({ brokers, clientId: `pipeline-test-${runId}`, logLevel: 'error' });
    await bus.ensureTopics(ALL_TOPICS, runId); // as a deployment's topic-init job does
    pipeline = new KafkaPipeline(spec, mongoDb);
    await pipeline.start();
    const c = await collect(bus, runId, `collector-${runId}`);
    const driver = new ReplayDriver(bus, recordedCandleSource(), { runId, exchange: spec.exchange, symbols: spec.symbols, timeframe: '1h', from: FROM, to: TO, mode: 'lockstep', pollMs: 2 });
    const stats = await driver.run();
    expect(stats.eventTimes).toBe(bt.eventTimes);
    await eventually(async () => expect(await c.lag()).toBe(0), { timeoutMs: 60_000, intervalMs: 200 });

    const a = canonical(backtestRecords(bt));
    const b = canonical(c.data);
    expect(firstDifference(a, b)).toBeUndefined();

    // pnl_summary is written at most every PERSIST_EVERY_MS: its last write may follow the drain.
    await eventually(async () => expect((await readDocs<SummaryDoc>(mongoDb, 'pnl', runId, 'pnl_summary'))[0]?.pnl).toEqual(JSON.parse(JSON.stringify(bt.final))), { timeoutMs: 10_000, intervalMs: 100 });
    expect(pipeline.errors()).toEqual([]);
    console.log(`kafka lockstep replay: ${stats.eventTimes} event times, ${stats.candles} candles in ${stats.wallMs} ms (${Math.round(stats.wallMs / stats.eventTimes)} ms per event time, ${stats.polls} lag polls); ${b.fills.length} fills`);
    await c.close();
  }, 900_000);
});
