import type { Command } from 'commander';
import { CliError, EXIT, type CliIo } from '../io';
import { liveStreamsEnv, runEmbedded, tradingRunCommand, type TradingRunOptions } from './paper';

export const LIVE_CONFIRM = 'yes-i-understand';

/**
 * What stands between this environment and live trading, as sentences a user can act on (empty:
 * nothing). Credentials are checked for presence only and never echoed.
 */
export function liveTradingBlockers(env: Readonly<Record<string, string | undefined>>): string[] {
  const out: string[] = [];
  const mode = env['TRADING_MODE']?.trim();
  if (mode !== 'live') out.push(`TRADING_MODE must be live (got ${mode ? `"${mode}"` : 'nothing'}): live orders are only ever sent when the whole process is configured for them`);
  const confirm = env['ATP_LIVE_CONFIRM']?.trim();
  if (confirm !== LIVE_CONFIRM) out.push(`ATP_LIVE_CONFIRM must be "${LIVE_CONFIRM}" (${confirm ? 'got another value' : 'unset'}): real orders spend real money`);
  const missing = ['EXCHANGE_API_KEY', 'EXCHANGE_API_SECRET'].filter((k) => !(env[`EXECUTION_${k}`]?.trim() || env[k]?.trim()));
  if (missing.length) out.push(`${missing.join(' and ')} must be set: the exchange account's API credentials (trading permission, no withdrawals)`);
  return out;
}

/**
 * `live`: as `paper`, but execution sends real orders to the exchange. Refuses (exit 1, listing
 * every missing condition) unless TRADING_MODE=live, ATP_LIVE_CONFIRM=yes-i-understand and the
 * exchange credentials are set; the services check the same again when they start.
 */
export function liveCommand(io: CliIo): Command {
  return tradingRunCommand(
    'live',
    'LIVE trading with real orders: every service in one process on live ccxt.pro streams; refuses unless TRADING_MODE=live, ATP_LIVE_CONFIRM=yes-i-understand and EXCHANGE_API_KEY/SECRET are set',
    'a proxy, a testnet',
  ).action(async (o: TradingRunOptions) => {
    const env = liveStreamsEnv(o, 'live');
    const blockers = liveTradingBlockers(io.env);
    if (blockers.length) throw new CliError(`live trading refused:\n${blockers.map((b) => `  - ${b}`).join('\n')}\nUse \`paper\` to trade on paper against the same live data.`, EXIT.failure);
    io.err(`LIVE: ${o.symbols} ${o.timeframe} on ${o.exchange}${o.exchangeApiUrl ? ` (at ${o.exchangeApiUrl})` : ''}: REAL ORDERS\n`);
    const code = await runEmbedded(io, env, o);
    if (code !== 0) throw new CliError(`the platform exited with code ${code}`, code);
  });
}
