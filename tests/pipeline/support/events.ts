import { eventIdFrom } from '@atp/core';
import type { CandleEvent, DecisionEvent, OrderIntent, RiskCommandEvent } from '@atp/contracts';
import { toCandleEvent } from '@atp/market-data';
import { decisionId } from '@atp/strategies';

export const H = 3_600_000;

/** A closed 1h candle of `symbol` opening at `openTime`. */
export function candle(symbol: string, openTime: number, c: number, over: { o?: number; h?: number; l?: number; v?: number } = {}): CandleEvent {
  const o = over.o ?? c;
  return toCandleEvent(
    { exchange: 'binance', symbol, timeframe: '1h' },
    { openTime, open: o, high: over.h ?? Math.max(o, c) + 1, low: over.l ?? Math.min(o, c) - 1, close: c, volume: over.v ?? 1e6 },
    { closed: true, tsInit: Date.now(), source: 'test' },
  );
}

/** A decision record as the strategy service publishes it: an intent, or a no-op when `intent` is undefined. */
export function decision(runId: string, strategyId: string, symbol: string, decisionTime: number, intent?: Partial<OrderIntent>): DecisionEvent {
  const id = decisionId(runId, strategyId, 'binance', symbol, decisionTime);
  return {
    eventId: id, tsEvent: decisionTime, tsInit: Date.now(), source: 'test', exchange: 'binance', symbol, runId, decisionId: id, strategyId, strategyVersion: 'test', timeframe: '1h', decisionTime,
    kind: intent ? 'intent' : 'noop', ...(intent ? { intent: { target: 'long', entry: 'market', reason: 'test', ...intent } as OrderIntent } : {}), inputs: {}, causeIds: [],
  };
}

/** A risk.commands.v1 command. */
export function riskCommand(kind: RiskCommandEvent['kind'], at: number, extra: Partial<RiskCommandEvent> = {}): RiskCommandEvent {
  const id = eventIdFrom('test-command', kind, at, extra.limit ?? '');
  return { eventId: id, tsEvent: at, tsInit: Date.now(), source: 'test', commandId: id, kind, reason: 'test', actor: 'gateway:test', ...extra };
}
