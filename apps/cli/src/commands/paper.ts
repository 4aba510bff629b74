import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { Command } from 'commander';
import { defaultPipelineSpec, parsePipelineSpec } from '@atp/backtest';
import { CliError, EXIT, type CliIo } from '../io';
import { parseSymbols, parseTimeframe } from './import';

/** The repository root (tools/register.cjs, the embedded launcher). */
const ROOT = path.resolve(__dirname, '../../../..');
const LAUNCHER = 'apps/embedded/src/main.ts';

export interface TradingRunOptions {
  exchange: string;
  symbols: string;
  timeframe: string;
  port?: string;
  exchangeApiUrl?: string;
  exitAfterReady?: boolean;
}

/** The options `paper` and `live` share (instruments, port, an API base URL for proxies and testnets). */
export function tradingRunCommand(name: string, description: string, apiUrlUse: string): Command {
  return new Command(name)
    .description(description)
    .option('--exchange <id>', 'ccxt exchange id', 'binance')
    .option('--symbols <list>', 'BASE/QUOTE symbols, comma-separated', 'BTC/USDT,ETH/USDT')
    .option('--timeframe <tf>', 'candle timeframe of the strategies', '1h')
    .option('--port <n>', 'HTTP port of the dashboard and API (default GATEWAY_SERVICE_PORT or 8080)')
    .option('--exchange-api-url <url>', `send REST and WebSocket calls to this base URL instead of the venue (${apiUrlUse})`)
    .option('--exit-after-ready', 'stop once every service is ready (smoke test)');
}

/**
 * The environment of the embedded launcher trading on live ccxt.pro streams: market-feed
 * FEED_SOURCE=live on `exchange`/`symbols`/`timeframe`, and a pipeline spec (the built-in one's
 * strategies and cash) on the same instruments for strategy, risk, execution and pnl.
 */
export function liveStreamsEnv(o: TradingRunOptions, mode: 'paper' | 'live'): Record<string, string> {
  if (!/^[a-z0-9]+$/.test(o.exchange)) throw new CliError(`--exchange must be a ccxt exchange id such as binance (got "${o.exchange}")`, EXIT.usage);
  const symbols = parseSymbols(o.symbols);
  const timeframe = parseTimeframe(o.timeframe);
  if (o.port !== undefined && !/^[0-9]{1,5}$/.test(o.port)) throw new CliError(`--port must be a TCP port (got "${o.port}")`, EXIT.usage);
  const base = defaultPipelineSpec(mode);
  const spec = parsePipelineSpec({ ...base, exchange: o.exchange, timeframe, symbols });
  return {
    TRADING_MODE: mode,
    MARKET_FEED_FEED_SOURCE: 'live',
    MARKET_FEED_EXCHANGE: o.exchange,
    MARKET_FEED_SYMBOLS: symbols.join(','),
    MARKET_FEED_TIMEFRAMES: timeframe,
    PIPELINE_SPEC: JSON.stringify(spec),
    ...(o.exchangeApiUrl ? { EXCHANGE_API_URL: o.exchangeApiUrl } : {}),
  };
}

/**
 * Runs the embedded launcher (what `npm start` runs) in a child process with `env` over this
 * process's environment; SIGINT/SIGTERM are forwarded; resolves to its exit code.
 */
export function runEmbedded(io: CliIo, env: Record<string, string>, o: Pick<TradingRunOptions, 'port' | 'exitAfterReady'>): Promise<number> {
  const args = ['-r', './tools/register.cjs', LAUNCHER, ...(o.port !== undefined ? ['--port', o.port] : []), ...(o.exitAfterReady ? ['--exit-after-ready'] : [])];
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...io.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d: Buffer) => io.out(d.toString()));
  child.stderr.on('data', (d: Buffer) => io.err(d.toString()));
  const forward = (signal: NodeJS.Signals) => () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return new Promise((resolve) => {
    const done = (code: number) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(code);
    };
    child.on('error', (e) => {
      io.err(`error: cannot run the embedded launcher: ${e.message}\n`);
      done(EXIT.failure);
    });
    child.on('exit', (code, signal) => done(code ?? (signal ? EXIT.failure : EXIT.ok)));
  });
}

/**
 * `paper`: the whole platform in this machine's one process (as `npm start`), trading on paper
 * against LIVE market data: market-feed streams closed candles from the exchange through ccxt.pro,
 * execution fills on the paper exchange, the dashboard on --port. Public data only: no credentials.
 */
export function paperCommand(io: CliIo): Command {
  return tradingRunCommand('paper', 'Paper trading on live ccxt.pro streams: every service in one process (as npm start), paper fills, the dashboard on --port', 'a proxy, a fake exchange')
    .action(async (o: TradingRunOptions) => {
      const env = liveStreamsEnv(o, 'paper');
      io.err(`paper: ${o.symbols} ${o.timeframe} candles live from ${o.exchange}${o.exchangeApiUrl ? ` (at ${o.exchangeApiUrl})` : ''}, paper fills\n`);
      const code = await runEmbedded(io, env, o);
      if (code !== 0) throw new CliError(`the platform exited with code ${code}`, code);
    });
}
