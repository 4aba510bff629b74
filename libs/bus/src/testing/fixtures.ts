import type { CandleEvent } from '@atp/contracts';

/** Instruments of the test messages: keys `binance:<symbol>`, spread over the partitions. */
export const TEST_SYMBOLS = ['BTC/USDT', 'ETH/USDT', 'XRP/USDT', 'ADA/USDT', 'SOL/USDT', 'BNB/USDT', 'DOGE/USDT', 'DOT/USDT', 'LTC/USDT', 'TRX/USDT', 'LINK/USDT', 'AVAX/USDT'];

const HOUR = 3_600_000;
/** 2020-12-01 00:00 UTC, the first bar of the recorded Binance 1h data. */
const T0 = 1_606_780_800_000;

/**
 * A valid closed 1h candle of `symbol`, number `seq` of its series; `tag` makes event ids unique
 * per test phase. Values shaped like the first recorded BTC/USDT bar (19695.87 / 19720 / 19479.8 /
 * 19565.47, 4570.36 BTC), shifted by seq so each message is distinct.
 */
export function testCandle(symbol: string, seq: number, tag = 'c'): CandleEvent {
  const openTime = T0 + seq * HOUR;
  return {
    eventId: `${tag}:${symbol}:${seq}`,
    tsEvent: openTime + HOUR,
    tsInit: openTime + HOUR + 5,
    source: 'bus-contract-suite',
    exchange: 'binance',
    symbol,
    timeframe: '1h',
    openTime,
    open: 19695.87 + seq,
    high: 19720 + seq,
    low: 19479.8 + seq,
    close: 19565.47 + seq,
    volume: 4570.361518,
    closed: true,
  };
}

/** The sequence number a {@link testCandle} was built with. */
export function seqOf(c: CandleEvent): number {
  return Math.round((c.openTime - T0) / HOUR);
}
