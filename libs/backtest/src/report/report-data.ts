import { computeIndicator, parseIndicatorSpec, columnNames } from '@atp/indicators';
import type { MetricsReport } from '@atp/metrics';
import type { BacktestResult } from '../engine';
import type { BarSeries } from '../series';

/** One fill as `result.json` lists it: exact strings, P&L = realized P&L of the fill (gross of fees). */
export interface ReportFill {
  readonly time: number;
  readonly symbol: string;
  readonly strategyId: string;
  readonly side: 'buy' | 'sell';
  readonly role: string;
  readonly price: string;
  readonly quantity: string;
  readonly fee: string;
  readonly pnl: string;
  readonly fillId: string;
  readonly clientOrderId: string;
}

export interface ReportTrade {
  readonly symbol: string;
  readonly strategyId: string;
  readonly side: 'long' | 'short';
  readonly entryTime: number;
  readonly exitTime: number;
  readonly quantity: string;
  readonly avgEntry: string;
  readonly avgExit: string;
  readonly grossPnl: string;
  readonly fees: string;
  readonly netPnl: string;
  readonly barsHeld: number;
}

/** `result.json`: the run's fills, round trips, equity series and metrics (NaN metrics as null). */
export interface ResultJson {
  readonly runId: string;
  readonly timeframe: string;
  readonly symbols: readonly string[];
  readonly strategies: BacktestResult['strategies'];
  readonly initialCash: string;
  readonly final: BacktestResult['final'];
  readonly fills: readonly ReportFill[];
  readonly roundTrips: readonly ReportTrade[];
  readonly equity: { readonly times: number[]; readonly equity: number[] };
  readonly metrics: MetricsReport;
  readonly counts: { bars: number; decisions: number; intents: number; approved: number; rejected: number; orderEvents: number };
}

export function resultJson(r: BacktestResult): ResultJson {
  const pnlByFill = new Map(r.ledger.map((l) => [l.fillId, l.realizedDelta]));
  let decisions = 0;
  let intents = 0;
  for (const d of r.decisions) {
    decisions += d.count;
    intents += d.intents.length;
  }
  return {
    runId: r.runId,
    timeframe: r.timeframe,
    symbols: r.symbols,
    strategies: r.strategies,
    initialCash: r.initialCash,
    final: r.final,
    fills: r.fills.map((f) => ({
      time: f.tsEvent,
      symbol: f.symbol,
      strategyId: f.strategyId,
      side: f.side,
      role: f.role,
      price: f.price,
      quantity: f.quantity,
      fee: f.fee,
      pnl: pnlByFill.get(f.fillId) ?? '0',
      fillId: f.fillId,
      clientOrderId: f.clientOrderId,
    })),
    roundTrips: r.roundTrips.map((t) => ({
      symbol: t.symbol,
      strategyId: t.strategyId,
      side: t.side,
      entryTime: t.entryTime,
      exitTime: t.exitTime,
      quantity: t.quantity,
      avgEntry: t.avgEntry,
      avgExit: t.avgExit,
      grossPnl: t.grossPnl,
      fees: t.fees,
      netPnl: t.netPnl,
      barsHeld: t.barsHeld,
    })),
    equity: { times: Array.from(r.equity.times), equity: Array.from(r.equity.equity) },
    metrics: r.metrics,
    counts: { bars: r.bars, decisions, intents, approved: r.approved.length, rejected: r.rejected.length, orderEvents: r.orderEvents.length },
  };
}

/** Indicators drawn over the price (same units as price). */
const OVERLAYS = new Set(['sma', 'ema', 'wma', 'bbands', 'donchian', 'keltner', 'vwap']);

export interface PricePanel {
  readonly symbol: string;
  readonly times: Float64Array;
  readonly close: Float64Array;
  readonly overlays: { readonly name: string; readonly values: Float64Array }[];
  readonly buys: { time: number; price: number }[];
  readonly sells: { time: number; price: number }[];
}

/** Per-symbol price, price-scale indicators of the run's strategies (batch form) and fill markers. */
export function pricePanels(r: BacktestResult, series: readonly BarSeries[]): PricePanel[] {
  const specs = [...new Set(r.strategies.flatMap((s) => s.features))].filter((s) => OVERLAYS.has(parseIndicatorSpec(s).name));
  return series.map((s) => {
    const overlays: { name: string; values: Float64Array }[] = [];
    for (const spec of specs) {
      const out = computeIndicator(spec, s);
      const cols = columnNames(spec);
      Object.values(out).forEach((v, i) => {
        const name = cols[i]!;
        if (name.includes('middle')) return; // bands: draw the outer lines only
        overlays.push({ name, values: v });
      });
    }
    const fills = r.fills.filter((f) => f.symbol === s.symbol);
    return {
      symbol: s.symbol,
      times: s.openTime,
      close: s.close,
      overlays,
      buys: fills.filter((f) => f.side === 'buy').map((f) => ({ time: f.tsEvent, price: Number(f.price) })),
      sells: fills.filter((f) => f.side === 'sell').map((f) => ({ time: f.tsEvent, price: Number(f.price) })),
    };
  });
}

/** Monthly returns from the equity curve: year -> month (0-11) -> return (fraction). */
export function monthlyReturns(times: ArrayLike<number>, equity: ArrayLike<number>, startEquity: number): Map<number, (number | undefined)[]> {
  const out = new Map<number, (number | undefined)[]>();
  let prevEnd = startEquity;
  let curKey = -1;
  let last = startEquity;
  const flush = (key: number) => {
    const y = Math.floor(key / 12);
    const m = key % 12;
    if (!out.has(y)) out.set(y, new Array<number | undefined>(12).fill(undefined));
    out.get(y)![m] = last / prevEnd - 1;
    prevEnd = last;
  };
  for (let i = 0; i < times.length; i++) {
    const d = new Date(times[i] - 1); // a bar closing exactly at midnight belongs to the month it ran in
    const key = d.getUTCFullYear() * 12 + d.getUTCMonth();
    if (curKey !== -1 && key !== curKey) flush(curKey);
    curKey = key;
    last = equity[i];
  }
  if (curKey !== -1) flush(curKey);
  return out;
}

/** Drawdown series (fraction below the running peak, <= 0). */
export function drawdownSeries(equity: ArrayLike<number>): Float64Array {
  const out = new Float64Array(equity.length);
  let peak = -Infinity;
  for (let i = 0; i < equity.length; i++) {
    if (equity[i] > peak) peak = equity[i];
    out[i] = peak > 0 ? equity[i] / peak - 1 : 0;
  }
  return out;
}
