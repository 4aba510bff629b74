import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { PermanentError } from '@atp/bus';
import { TOPICS, type CandleEvent } from '@atp/contracts';
import { OnEvent, SERVICE_RUNTIME, type ServiceRuntime } from '@atp/nest-kit';
import type { SnapshotStore } from '@atp/storage';
import { configuredFeatureSets, type FeaturesConfig } from './config';
import { FeaturesCore, streamKey, type StreamState } from './features-core';

/** Version of the snapshot document layout (`Snapshot.version`). */
export const SNAPSHOT_VERSION = 1;
/** Snapshots live in `<prefix>snapshots`: the service's own `features_snapshots` collection. */
export const SNAPSHOT_PREFIX = 'features_';

/**
 * The features service's bus adapter. For each closed candle of md.candles.v1: load the stream's
 * snapshot on first sight, apply the bar in the {@link FeaturesCore}, publish the vectors on
 * features.v1, save the stream's snapshot (state + position = the bar's open time), and only then
 * acknowledge. A restart therefore resumes from the state of the last acknowledged bar or a later
 * one; a redelivered bar the snapshot already includes is skipped (its vectors were published
 * before the snapshot was saved). A failed publish or save drops the stream from memory, so the
 * retry starts again from the last durable snapshot and re-publishes the same vectors (same ids).
 *
 * Bad input: a bad bar (non-finite or non-positive price, high < low, open/close outside the
 * range, bad volume) or an older bar never applied -> PermanentError -> md.candles.v1.dlq with the
 * reason; the same bar again -> skipped, logged and counted.
 */
@Injectable()
export class FeaturesHandlers implements OnModuleInit {
  readonly core: FeaturesCore;
  private readonly snapshots: SnapshotStore;
  private readonly candles;
  private readonly vectors;

  constructor(@Inject(SERVICE_RUNTIME) private readonly rt: ServiceRuntime<FeaturesConfig>) {
    this.core = new FeaturesCore(configuredFeatureSets(rt.config), rt.clock, rt.name);
    this.snapshots = rt.store.snapshots(SNAPSHOT_PREFIX);
    this.candles = rt.metrics.counter('features_candles_total', 'md.candles.v1 records seen by the features service, by outcome', ['outcome']);
    this.vectors = rt.metrics.counter('features_vectors_total', 'features.v1 vectors published, by feature set', ['feature_set']);
  }

  onModuleInit(): void {
    this.rt.logger.info('features ready', { sets: this.core.sets.map((s) => ({ name: s.name, version: s.version, specs: s.specs })) });
  }

  @OnEvent(TOPICS.mdCandles)
  async onCandle(c: CandleEvent): Promise<void> {
    if (!c.closed) {
      this.candles.inc({ outcome: 'open-bar' });
      return;
    }
    const key = streamKey(c);
    if (!this.core.has(key)) await this.loadStream(c, key);
    const out = this.core.apply(c);
    if (out.kind === 'duplicate') {
      this.candles.inc({ outcome: out.reason === 'redelivered' ? 'redelivered' : 'duplicate' });
      this.rt.logger.info('candle skipped: already applied', { stream: key, openTime: c.openTime, eventId: c.eventId, reason: out.reason });
      return;
    }
    if (out.kind === 'rejected') {
      this.candles.inc({ outcome: 'rejected' });
      this.rt.logger.warn('candle rejected', { stream: key, openTime: c.openTime, eventId: c.eventId, reason: out.reason, detail: out.detail });
      throw new PermanentError(`${out.reason}: ${out.detail}`);
    }
    try {
      await this.rt.bus.publishBatch(TOPICS.features, out.vectors, { runId: this.rt.config.RUN_ID });
      await this.snapshots.save<StreamState>({ _id: key, version: SNAPSHOT_VERSION, position: String(c.openTime), state: this.core.state(key), savedAt: this.rt.clock.now() });
    } catch (e) {
      this.core.forget(key); // the retry resumes from the last durable snapshot
      throw e;
    }
    this.candles.inc({ outcome: 'applied' });
    for (const v of out.vectors) this.vectors.inc({ feature_set: v.featureSet });
  }

  private async loadStream(c: CandleEvent, key: string): Promise<void> {
    const snap = await this.snapshots.load<StreamState>(key);
    if (snap && snap.version !== SNAPSHOT_VERSION) throw new Error(`features snapshot ${key}: version ${snap.version}, expected ${SNAPSHOT_VERSION}`);
    const { freshSets } = this.core.load(c, snap?.state ?? null);
    if (snap) this.rt.logger.info('feature stream resumed', { stream: key, position: snap.position, bars: snap.state.bars, ...(freshSets.length ? { freshSets } : {}) });
    if (freshSets.length) this.rt.logger.warn('feature sets not in the snapshot start from scratch', { stream: key, freshSets });
  }
}
