import { FakeExchangeServer, loadRecordedOhlcv } from '@atp/testing';
import { runCli, type CliIo } from '../index';
import { liveStreamsEnv } from './paper';

async function cli(argv: string[], env: Record<string, string | undefined>) {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => void (out += t), err: (t) => void (err += t), env };
  const code = await runCli(argv, io);
  return { code, out, err };
}

describe('atp paper', () => {
  it('wires market-feed to live streams and the pipeline spec to the same instruments', () => {
    const env = liveStreamsEnv({ exchange: 'kraken', symbols: 'BTC/USD,ETH/USD', timeframe: '5m' }, 'paper');
    expect(env).toMatchObject({ TRADING_MODE: 'paper', MARKET_FEED_FEED_SOURCE: 'live', MARKET_FEED_EXCHANGE: 'kraken', MARKET_FEED_SYMBOLS: 'BTC/USD,ETH/USD', MARKET_FEED_TIMEFRAMES: '5m' });
    expect(JSON.parse(env['PIPELINE_SPEC']!)).toMatchObject({ runId: 'paper', exchange: 'kraken', timeframe: '5m', symbols: ['BTC/USD', 'ETH/USD'], strategies: [{ id: 'ma-crossover' }] });
  });

  it.each([
    [['--exchange', 'Binance US'], '--exchange must be a ccxt exchange id'],
    [['--symbols', 'BTC-USDT'], '--symbols must be a comma-separated list of BASE/QUOTE'],
    [['--timeframe', '7x'], '--timeframe must be a timeframe'],
    [['--port', 'http'], '--port must be a TCP port'],
  ])('refuses %j with exit 2', async (args, message) => {
    const r = await cli(['paper', ...args], {});
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  });

  it('starts every service on the live streams of a (fake) exchange and stops with --exit-after-ready', async () => {
    const server = await FakeExchangeServer.start();
    try {
      server.setCandles('BTCUSDT', '1h', loadRecordedOhlcv('BTC', '1h'));
      server.setCandles('ETHUSDT', '1h', loadRecordedOhlcv('ETH', '1h'));
      const r = await cli(['paper', '--exchange-api-url', server.httpUrl, '--port', '0', '--exit-after-ready'], { ...process.env, SERVICE_HOST: '127.0.0.1', LOG_LEVEL: 'info' });
      expect({ code: r.code, err: r.err.split('\n').filter((l) => l && !l.startsWith('market data:') && !l.startsWith('paper:')) }).toEqual({ code: 0, err: [] });
      expect(r.out).toContain('9/9 services ready');
      const logs = r.out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(logs).toContainEqual(expect.objectContaining({ service: 'market-feed', msg: 'live feeds started', exchange: 'binance', apiUrl: server.httpUrl }));
      expect(logs.find((l) => l['msg'] === 'replay started')).toBeUndefined();
    } finally {
      await server.close();
    }
  }, 90_000);
});
