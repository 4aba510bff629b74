import { loadRecordedSeries, parsePipelineSpec, sliceSeriesByTime, type BarSeries, type PipelineSpec } from '@atp/backtest';

/** The four recorded 1h symbols (Binance spot, 2020-12-01 .. 2021-07-17, 5,482 bars each, 6 common gaps). */
export const SYMBOLS = ['ADA/USDT', 'BTC/USDT', 'ETH/USDT', 'XRP/USDT'] as const;

/**
 * The parity run: MA crossover (fast 10 / slow 30 SMA, stop loss 2 ATR below the close on entry:
 * native brackets in the paper exchange) on the given symbols, default risk (95% of equity shared
 * by the (strategy, symbol) slots), next-open fills with 5 bps slippage, 0.1% fees, 10,000 USDT.
 */
export function maCrossoverSpec(runId: string, symbols: readonly string[] = SYMBOLS, over: Partial<Record<string, unknown>> = {}): PipelineSpec {
  return parsePipelineSpec({
    version: 1,
    runId,
    exchange: 'binance',
    timeframe: '1h',
    symbols: [...symbols],
    initialCash: '10000',
    strategies: [{ id: 'ma-x', strategy: 'ma-crossover', params: { fast: 10, slow: 30, atrStop: 2 } }],
    execution: { fillModel: { marketFill: 'next-open', slippageBps: 5 } },
    ...over,
  });
}

/** The recorded series of the spec's symbols, optionally only bars with open time in [from, to). */
export function recordedSeries(spec: PipelineSpec, from = -Infinity, to = Infinity): BarSeries[] {
  return [...spec.symbols].sort().map((s) => sliceSeriesByTime(loadRecordedSeries(s, '1h'), from, to));
}
