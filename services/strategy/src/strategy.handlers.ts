import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { TOPICS, type CandleEvent, type DecisionEvent, type FeatureVectorEvent, type FillEvent, type OrderEvent, type SignalEvent } from '@atp/contracts';
import { decisionEntry } from '@atp/audit';
import { AuditLog, InputJournal, JOURNAL_HOLD_MS, JOURNALED, OnEvent, SERVICE_RUNTIME, type ServiceRuntime } from '@atp/nest-kit';
import type { StrategyConfig } from './config';
import { serviceSpec } from './spec';
import { STRATEGY_INPUT, StrategyCore } from './strategy-core';

/**
 * The strategy service's bus adapter: candles, features, signals, order events (markers) and fills
 * go through the input journal (its persisted state: a restart replays it and resumes) into the
 * {@link StrategyCore}; its decision records are published on orders.intents.v1.
 */
@Injectable()
export class StrategyHandlers implements OnModuleInit {
  readonly core: StrategyCore;
  readonly journal: InputJournal<DecisionEvent>;
  private readonly audit: AuditLog;

  constructor(@Inject(SERVICE_RUNTIME) private readonly rt: ServiceRuntime<StrategyConfig>) {
    const c = rt.config;
    this.core = new StrategyCore(serviceSpec(c), rt.clock, { features: c.FEATURES_SOURCE, featureSet: c.FEATURE_SET, joinSignals: c.JOIN_SIGNALS, only: c.STRATEGIES });
    this.audit = AuditLog.for(rt);
    const publishOpts = Object.freeze({ runId: c.RUN_ID });
    this.journal = new InputJournal<DecisionEvent>({
      store: rt.store,
      batchWindow: rt.config.STORE === 'memory' ? 'microtask' : 'turn',
      durable: rt.config.JOURNAL === 'on' || (rt.config.JOURNAL === 'auto' && rt.config.STORE === 'mongo'),
      collection: 'strategy_journal',
      // A candle before execution's marker of its bar is written with the marker (one journal write per bar, not two).
      holdMs: JOURNAL_HOLD_MS,
      // Outputs go out while the inputs' journal write is in flight (acknowledged after it): the store's round trip is off the path to the next service.
      writeBehind: true,
      core: this.core,
      // The decision records' audit is written alongside (off the path to risk); inputs are acknowledged after it (`acknowledge`).
      // Lazily: decision records are never changed once published, and each makes one entry.
      publish: this.audit.alongside((d) => d.map(decisionEntry), (d) => rt.bus.publishBatch(TOPICS.ordersIntents, d, publishOpts), { lazy: true }),
      acknowledge: (processed) => this.audit.acknowledged(processed),
      onCoreError: (kind, key, err) => rt.logger.error('strategy core failed on an input', { kind, key, err }),
    });
  }

  async onModuleInit(): Promise<void> {
    const t0 = Date.now();
    const n = await this.journal.start();
    this.rt.logger.info('strategy ready', { runId: this.core.spec.runId, symbols: this.core.instrumentSymbols, features: this.rt.config.FEATURES_SOURCE, replayedInputs: n, replayMs: Date.now() - t0 });
  }

  @OnEvent(TOPICS.mdCandles, JOURNALED)
  onCandle(c: CandleEvent): Promise<void> | void {
    if (!c.closed || !this.core.wants(c)) return;
    return this.journal.submit(STRATEGY_INPUT.candle, c.eventId, c);
  }

  @OnEvent(TOPICS.features, JOURNALED)
  onFeatures(f: FeatureVectorEvent): Promise<void> | void {
    if (this.rt.config.FEATURES_SOURCE !== 'topic' || f.featureSet !== this.rt.config.FEATURE_SET || !this.core.wants(f)) return;
    return this.journal.submit(STRATEGY_INPUT.features, f.eventId, f);
  }

  @OnEvent(TOPICS.signals, JOURNALED)
  onSignal(s: SignalEvent): Promise<void> | void {
    if (!this.rt.config.JOIN_SIGNALS || !this.core.wants(s)) return;
    return this.journal.submit(STRATEGY_INPUT.signal, s.eventId, s);
  }

  @OnEvent(TOPICS.ordersEvents, JOURNALED)
  onOrderEvent(e: OrderEvent): Promise<void> | void {
    if (!this.core.wants(e)) return;
    return this.journal.submit(STRATEGY_INPUT.orderEvent, e.eventId, e);
  }

  @OnEvent(TOPICS.fills, JOURNALED)
  onFill(f: FillEvent): Promise<void> | void {
    if (!this.core.wants(f)) return;
    return this.journal.submit(STRATEGY_INPUT.fill, f.fillId, f);
  }
}
