// The features service over the in-process bus and a memory store. Reference values: the
// backtester's own feature computation (`FeatureComputer` of @atp/strategies, which runs the
// indicators' TA-Lib-parity streaming code) on the same recorded candles — Binance spot BTC/USDT 1h
// (../shared/data/binance-spot; source iterativv/NostalgiaForInfinity, GPL-3.0).
import { PermanentError } from '@atp/bus';
import { TOPICS, type CandleEvent } from '@atp/contracts';
import { topicName } from '@atp/contracts';
import { FeatureSetRunner } from '@atp/indicators';
import { MemoryStore } from '@atp/storage';
import { eventually } from '@atp/testing';
import { configuredFeatureSets } from './config';
import { featureVectorId, type StreamState } from './features-core';
import { SNAPSHOT_PREFIX } from './features.handlers';
import { backtesterFeatures, collectOutputs, counterValue, recordedCandles, startFeatures, type FeaturesHarness } from './test-support';

const WAIT = { timeoutMs: 60_000, intervalMs: 20 };
const KNOWN_GAPS_1H = [495, 575, 1728, 2277, 3356, 3477]; // bar indexes after missing bars in every 1h file

/** Asserts bit-identical values (null exactly where the reference is NaN), flags and ids. */
function expectSameAsBacktester(vectors: ReturnType<Awaited<ReturnType<typeof collectOutputs>>['ordered']>, candles: CandleEvent[], set = 'default-v1'): void {
  const ref = backtesterFeatures(set, candles);
  expect(vectors).toHaveLength(candles.length);
  const bad: string[] = [];
  vectors.forEach((v, i) => {
    const r = ref.rows[i]!;
    if (v.openTime !== r.openTime || v.stable !== r.stable || v.gapBefore !== r.gapBefore) bad.push(`bar ${i}: flags/time differ`);
    if (v.eventId !== featureVectorId(candles[i]!.eventId, { name: set, version: 1 })) bad.push(`bar ${i}: event id`);
    expect(Object.keys(v.values)).toEqual(ref.columns);
    ref.columns.forEach((c, k) => {
      const a = v.values[c];
      const b = r.values[k]!;
      if (Number.isNaN(b) ? a !== null : !Object.is(a, b)) bad.push(`bar ${i} ${c}: ${a} vs backtester ${b}`);
    });
  });
  expect(bad.slice(0, 10)).toEqual([]);
}

describe('features service over the in-process bus', () => {
  const harnesses: FeaturesHarness[] = [];
  afterEach(async () => {
    for (const h of harnesses.splice(0)) await h.stop();
  });
  async function start(runId: string, opts: Parameters<typeof startFeatures>[0] extends infer O ? Partial<O> : never = {}) {
    const h = await startFeatures({ runId, ...opts });
    harnesses.push(h);
    return h;
  }

  it('publishes one default-v1 vector per closed bar, bit-identical to the backtester, with the warm-up and gap flags (all 5,482 BTC 1h bars)', async () => {
    const runId = 'feat-parity';
    const h = await start(runId);
    const out = await collectOutputs(h.bus, runId);
    const candles = recordedCandles('BTC', '1h');
    expect(candles).toHaveLength(5482);
    await h.bus.publishBatch(TOPICS.mdCandles, candles, { runId });
    await eventually(() => expect(out.vectors.size).toBe(candles.length), WAIT);
    const vs = out.ordered('default-v1');
    expectSameAsBacktester(vs, candles);

    // warm-up: stable exactly from the bar where the slowest indicator has its first value
    const warmup = FeatureSetRunner.create('default-v1').warmup;
    expect(vs.findIndex((v) => v.stable)).toBe(warmup - 1);
    expect(vs.slice(warmup - 1).every((v) => v.stable)).toBe(true);
    expect(Object.values(vs[warmup - 2]!.values).some((x) => x === null)).toBe(true);
    expect(Object.values(vs[warmup - 1]!.values).every((x) => x !== null)).toBe(true);
    // gaps: flagged exactly on the first bar after the recorded data's missing bars
    expect(vs.flatMap((v, i) => (v.gapBefore ? [i] : []))).toEqual(KNOWN_GAPS_1H);
    // envelope: event time = bar close
    expect(vs[0]).toMatchObject({ tsEvent: candles[0]!.openTime + 3_600_000, source: 'features', featureSet: 'default-v1', featureSetVersion: 1, exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' });
    expect(out.dead).toEqual([]);
    expect(await counterValue(h.metrics, 'features_candles_total', { outcome: 'applied' })).toBe(5482);
    await out.close();
  }, 180_000);

  it('publishes every configured set: a registered one and one defined by a spec list', async () => {
    const runId = 'feat-sets';
    const h = await start(runId, { env: { FEATURE_SETS: 'default-v1; trend=sma:10,atr,donchian:20' } });
    const out = await collectOutputs(h.bus, runId);
    const candles = recordedCandles('ETH', '1h', 300);
    await h.bus.publishBatch(TOPICS.mdCandles, candles, { runId });
    await eventually(() => expect(out.vectors.size).toBe(2 * candles.length), WAIT);
    const trend = out.ordered('trend');
    expect(Object.keys(trend[0]!.values)).toEqual(['sma_10', 'atr_14', 'dc_upper_20', 'dc_middle_20', 'dc_lower_20']);
    expect(trend.findIndex((v) => v.stable)).toBe(19); // donchian:20, the slowest
    const ref = backtesterFeatures('default-v1', candles);
    const k = ref.columns.indexOf('atr_14');
    trend.forEach((v, i) => expect(v.values['atr_14']).toBe(Number.isNaN(ref.rows[i]!.values[k]!) ? null : ref.rows[i]!.values[k]));
    await out.close();
  }, 60_000);

  it('resumes from its snapshot after a restart: redelivered bars are skipped and the vectors equal an uninterrupted run', async () => {
    const runId = 'feat-restart';
    const candles = recordedCandles('BTC', '1h', 1000);
    const store = new MemoryStore('features-restart');
    const a = await start(runId, { store });
    const outA = await collectOutputs(a.bus, runId);
    await a.bus.publishBatch(TOPICS.mdCandles, candles.slice(0, 400), { runId });
    await eventually(() => expect(outA.vectors.size).toBe(400), WAIT);
    const snap = await store.snapshots(SNAPSHOT_PREFIX).load<StreamState>('binance:BTC/USDT:1h');
    expect(snap).toMatchObject({ version: 1, position: String(candles[399]!.openTime), state: { last: candles[399]!.openTime, bars: 400 } });
    expect(snap!.state.holes).toEqual([]); // the first gap is before bar 495
    await outA.close();
    await a.stop();
    harnesses.splice(harnesses.indexOf(a), 1);

    // A new process on the same store and a fresh bus: uncommitted candles come again (300..399).
    const b = await start(runId, { store });
    const outB = await collectOutputs(b.bus, runId);
    await b.bus.publishBatch(TOPICS.mdCandles, candles.slice(300), { runId });
    await eventually(() => expect(outB.vectors.size).toBe(600), WAIT);
    expect(await counterValue(b.metrics, 'features_candles_total', { outcome: 'redelivered' })).toBe(99); // bars 300..398
    expect(await counterValue(b.metrics, 'features_candles_total', { outcome: 'duplicate' })).toBe(1); // bar 399, the last applied
    expect(b.logs.records().some((r) => r['msg'] === 'feature stream resumed' && r['position'] === String(candles[399]!.openTime))).toBe(true);

    const union = new Map([...outA.vectors, ...outB.vectors]);
    const all = [...union.values()].sort((x, y) => x.openTime - y.openTime);
    expectSameAsBacktester(all, candles);
    await outB.close();
  }, 120_000);

  describe('bad input', () => {
    const runId = 'feat-bad';
    const candles = recordedCandles('BTC', '1h', 10);
    async function primed(n: number) {
      const h = await start(runId);
      const out = await collectOutputs(h.bus, runId);
      await h.bus.publishBatch(TOPICS.mdCandles, candles.slice(0, n), { runId });
      await eventually(() => expect(out.vectors.size).toBe(n), WAIT);
      return { h, out };
    }

    it.each([
      ['a NaN price', { close: NaN }, /non-finite-price/],
      ['a non-positive price', { low: -1 }, /non-positive-price/],
      ['high < low', { high: 1, low: 2 }, /high-below-low/],
    ])('rejects %s with a PermanentError naming the problem (straight to the DLQ), state unchanged', async (_what, patch, reason) => {
      const { h, out } = await primed(3);
      await expect(h.handlers.onCandle({ ...candles[3]!, ...patch })).rejects.toThrow(PermanentError);
      await expect(h.handlers.onCandle({ ...candles[3]!, ...patch })).rejects.toThrow(reason);
      expect(h.handlers.core.position('binance:BTC/USDT:1h')).toBe(candles[2]!.openTime);
      await out.close();
    });

    it('high < low on the bus goes to md.candles.v1.dlq with the reason; the next good bar is processed', async () => {
      const { h, out } = await primed(3);
      const bad = { ...candles[3]!, high: candles[3]!.low * 0.99 };
      await h.bus.publishBatch(TOPICS.mdCandles, [bad, candles[3]!], { runId });
      await eventually(() => expect(out.vectors.size).toBe(4), WAIT);
      await eventually(() => expect(out.dead).toHaveLength(1), WAIT);
      expect(out.dead[0]).toMatchObject({ errorKind: 'handler', reason: expect.stringMatching(/PermanentError.*high-below-low|high-below-low/), attempts: 1 });
      expect(await counterValue(h.metrics, 'features_candles_total', { outcome: 'rejected' })).toBe(1);
      await out.close();
    });

    it('a non-positive price is dead-lettered by the contract at decode; the next good bar is processed', async () => {
      const { h, out } = await primed(3);
      const bad = { ...candles[3]!, close: 0 };
      await h.bus.publishRaw(topicName(TOPICS.mdCandles.name, runId), [{ key: 'binance:BTC/USDT', value: Buffer.from(JSON.stringify(bad)) }]);
      await h.bus.publishBatch(TOPICS.mdCandles, [candles[3]!], { runId });
      await eventually(() => expect(out.vectors.size).toBe(4), WAIT);
      await eventually(() => expect(out.dead).toHaveLength(1), WAIT);
      expect(out.dead[0]).toMatchObject({ errorKind: 'schema', reason: expect.stringContaining('close') });
      await out.close();
    });

    it('a duplicate bar (same open time as the last applied) is skipped, logged and counted; the next bar is processed', async () => {
      const { h, out } = await primed(3);
      await h.bus.publishBatch(TOPICS.mdCandles, [{ ...candles[2]!, volume: candles[2]!.volume + 1 }, candles[3]!], { runId });
      await eventually(() => expect(out.vectors.size).toBe(4), WAIT);
      expect(await counterValue(h.metrics, 'features_candles_total', { outcome: 'duplicate' })).toBe(1);
      expect(h.logs.records().filter((r) => r['msg'] === 'candle skipped: already applied' && r['reason'] === 'duplicate-open-time')).toHaveLength(1);
      expect(out.published()).toBe(4);
      expect(out.dead).toEqual([]);
      expectSameAsBacktester(out.ordered('default-v1'), candles.slice(0, 4));
      await out.close();
    });

    it('an out-of-order (older, never applied) bar goes to the DLQ with the reason; an older applied one is a redelivery (skipped); the next good bar is processed', async () => {
      const { h, out } = await primed(5);
      // bar 6 after bar 4: bar 5 is missing (gap) ...
      await h.bus.publishBatch(TOPICS.mdCandles, [candles[6]!], { runId });
      await eventually(() => expect(out.vectors.size).toBe(6), WAIT);
      expect(out.ordered('default-v1')[5]!.gapBefore).toBe(true);
      // ... then bar 5 arrives late: out of order. Bar 2 again: redelivered. Then bar 7.
      await h.bus.publishBatch(TOPICS.mdCandles, [candles[5]!, candles[2]!, candles[7]!], { runId });
      await eventually(() => expect(out.vectors.size).toBe(7), WAIT);
      await eventually(() => expect(out.dead).toHaveLength(1), WAIT);
      expect(out.dead[0]!.reason).toMatch(/out-of-order-open-time: bar .* is older than the last applied .* and was never applied/);
      expect(JSON.parse(Buffer.from(out.dead[0]!.valueBase64, 'base64').toString()).openTime).toBe(candles[5]!.openTime);
      expect(await counterValue(h.metrics, 'features_candles_total', { outcome: 'redelivered' })).toBe(1);
      const seq = [0, 1, 2, 3, 4, 6, 7].map((i) => candles[i]!);
      expectSameAsBacktester(out.ordered('default-v1'), seq);
      await out.close();
    });
  });

  describe('configuration', () => {
    it('FEATURE_SETS lists registered sets and spec lists (parameters written out); FEATURE_SET is the default', () => {
      expect(configuredFeatureSets({ FEATURE_SET: 'default-v1' }).map((s) => s.name)).toEqual(['default-v1']);
      const [a, b] = configuredFeatureSets({ FEATURE_SET: 'default-v1', FEATURE_SETS: 'default-v1;mine-v2=rsi,macd:12:26:9' });
      expect(a!.name).toBe('default-v1');
      expect(b).toMatchObject({ name: 'mine-v2', version: 2, specs: ['rsi:14', 'macd:12:26:9'] });
    });
    it.each([
      ['nope', /unknown feature set "nope"/],
      ['x=rsi:0', /feature set "x": .*rsi/],
      ['x=sma:5,sma:5', /column sma_5 appears twice/],
      ['default-v1;default-v1', /listed twice/],
      ['X Y=sma', /must match/],
    ])('refuses %s', (text, msg) => {
      expect(() => configuredFeatureSets({ FEATURE_SET: 'default-v1', FEATURE_SETS: text })).toThrow(msg);
    });
  });
});
