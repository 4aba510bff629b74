import { candleEventId, type BacktestResult } from '@atp/backtest';
import type { Timeframe } from '@atp/core';
import type { DecisionEvent, FillEvent, OrderApprovedEvent, OrderEvent, OrderRejectedEvent } from '@atp/contracts';
import type { PnlSnapshot } from '@atp/portfolio';

/** The records a parity run compares. */
export interface RunRecords {
  decisions: readonly DecisionEvent[];
  approved: readonly OrderApprovedEvent[];
  rejected: readonly OrderRejectedEvent[];
  orderEvents: readonly OrderEvent[];
  fills: readonly FillEvent[];
}

type Enveloped = { eventId: string; tsInit?: number; source?: string };

/**
 * A record as parity compares it: `tsInit` (local creation time, ARCHITECTURE.md: the only field
 * that may differ) and `source` (the producing component: `backtest` in-process, the service name
 * in the pipeline) removed; a JSON round trip as on the wire.
 */
export function comparable<T extends Enveloped>(x: T): Omit<T, 'tsInit' | 'source'> {
  const { tsInit: _t, source: _s, ...rest } = x;
  return JSON.parse(JSON.stringify(rest)) as Omit<T, 'tsInit' | 'source'>;
}

/**
 * Deduplicates by event id what a consumer may see twice (at-least-once delivery, outputs
 * re-published after a restart). Throws when two copies of one id differ beyond tsInit/source:
 * that would be a real duplicate, not a redelivery.
 */
export function dedupe<T extends Enveloped>(xs: readonly T[], idOf: (x: T) => string = (x) => x.eventId): { unique: Omit<T, 'tsInit' | 'source'>[]; copies: number } {
  const seen = new Map<string, string>();
  const unique: Omit<T, 'tsInit' | 'source'>[] = [];
  let copies = 0;
  for (const x of xs) {
    const c = comparable(x);
    const s = JSON.stringify(c);
    const id = idOf(x);
    const prev = seen.get(id);
    if (prev !== undefined) {
      copies++;
      if (prev !== s) throw new Error(`two different records with id ${id}:\n${prev}\n${s}`);
      continue;
    }
    seen.set(id, s);
    unique.push(c);
  }
  return { unique, copies };
}

const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

/** Normalised, deduplicated, sorted records of one run: equal runs give equal values. */
export function canonical(r: RunRecords) {
  return {
    decisions: dedupe(r.decisions).unique.sort((a, b) => cmp(a.decisionTime, b.decisionTime) || cmp(a.strategyId, b.strategyId) || cmp(a.symbol, b.symbol)),
    approved: dedupe(r.approved).unique.sort((a, b) => cmp(a.decisionTime, b.decisionTime) || cmp(a.strategyId, b.strategyId) || cmp(a.symbol, b.symbol) || cmp(a.clientOrderId, b.clientOrderId)),
    rejected: dedupe(r.rejected).unique.sort((a, b) => cmp(a.decisionTime, b.decisionTime) || cmp(a.strategyId, b.strategyId) || cmp(a.symbol, b.symbol)),
    orderEvents: dedupe(r.orderEvents).unique.sort((a, b) => cmp(a.tsEvent, b.tsEvent) || cmp(a.eventId, b.eventId)),
    fills: dedupe(r.fills, (f) => f.fillId).unique.sort((a, b) => cmp(a.fillId, b.fillId)),
  };
}

/** The backtester's records as the pipeline publishes them (decision records with the candle as cause). */
export function backtestRecords(r: BacktestResult): RunRecords {
  const decisions = r.decisions.flatMap((log) => log.toEvents(r.runId, (openTime) => candleEventId(log.exchange, log.symbol, r.timeframe as Timeframe, openTime)));
  return { decisions, approved: r.approved, rejected: r.rejected, orderEvents: r.orderEvents, fills: r.fills };
}

/**
 * The first difference between two canonical runs, as a readable message (undefined when equal):
 * which stream, how many records each side has, the first index where they differ and both values.
 */
export function firstDifference(a: ReturnType<typeof canonical>, b: ReturnType<typeof canonical>, labels: [string, string] = ['backtest', 'pipeline']): string | undefined {
  for (const k of Object.keys(a) as (keyof typeof a)[]) {
    const x = a[k] as unknown[];
    const y = b[k] as unknown[];
    const n = Math.max(x.length, y.length);
    for (let i = 0; i < n; i++) {
      const sx = JSON.stringify(x[i]);
      const sy = JSON.stringify(y[i]);
      if (sx !== sy) return `${k}: ${labels[0]} has ${x.length}, ${labels[1]} has ${y.length}; first difference at #${i}:\n  ${labels[0]}: ${sx}\n  ${labels[1]}: ${sy}`;
    }
  }
  return undefined;
}

/** A P&L snapshot as compared (JSON round trip). */
export function pnlOf(p: PnlSnapshot): PnlSnapshot {
  return JSON.parse(JSON.stringify(p)) as PnlSnapshot;
}
