import { runCli, type CliIo } from '../index';
import { LIVE_CONFIRM, liveTradingBlockers } from './live';

async function cli(argv: string[], env: Record<string, string>) {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => void (out += t), err: (t) => void (err += t), env };
  const code = await runCli(argv, io);
  return { code, out, err };
}

const KEY = 'AKIA-live-key-do-not-echo';
const SECRET = 'live-secret-do-not-echo';

describe('atp live refuses unless everything says live', () => {
  it('with nothing set: exit 1 naming the three conditions, and starts nothing', async () => {
    const r = await cli(['live'], {});
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      [
        'error: live trading refused:',
        '  - TRADING_MODE must be live (got nothing): live orders are only ever sent when the whole process is configured for them',
        `  - ATP_LIVE_CONFIRM must be "${LIVE_CONFIRM}" (unset): real orders spend real money`,
        "  - EXCHANGE_API_KEY and EXCHANGE_API_SECRET must be set: the exchange account's API credentials (trading permission, no withdrawals)",
        'Use `paper` to trade on paper against the same live data.',
        '',
      ].join('\n'),
    );
    expect(r.out).toBe('');
  });

  it.each([
    [{ TRADING_MODE: 'paper', ATP_LIVE_CONFIRM: LIVE_CONFIRM, EXCHANGE_API_KEY: KEY, EXCHANGE_API_SECRET: SECRET }, ['TRADING_MODE must be live (got "paper")']],
    [{ TRADING_MODE: 'live', ATP_LIVE_CONFIRM: 'yes', EXCHANGE_API_KEY: KEY, EXCHANGE_API_SECRET: SECRET }, [`ATP_LIVE_CONFIRM must be "${LIVE_CONFIRM}" (got another value)`]],
    [{ TRADING_MODE: 'live', ATP_LIVE_CONFIRM: LIVE_CONFIRM, EXCHANGE_API_KEY: KEY }, ['EXCHANGE_API_SECRET must be set']],
    [{ TRADING_MODE: 'live', ATP_LIVE_CONFIRM: LIVE_CONFIRM, EXECUTION_EXCHANGE_API_SECRET: SECRET }, ['EXCHANGE_API_KEY must be set']],
    [{ TRADING_MODE: 'live', EXCHANGE_API_KEY: KEY, EXCHANGE_API_SECRET: ' ' }, ['ATP_LIVE_CONFIRM must be', 'EXCHANGE_API_SECRET must be set']],
  ])('%j: refused for exactly what is missing, credentials never echoed', async (env, reasons) => {
    const blockers = liveTradingBlockers(env);
    expect(blockers).toHaveLength(reasons.length);
    reasons.forEach((r, i) => expect(blockers[i]).toContain(r));
    const res = await cli(['live'], env);
    expect(res.code).toBe(1);
    for (const r of reasons) expect(res.err).toContain(r);
    expect(res.err).not.toContain(KEY);
    expect(res.err).not.toContain(SECRET);
  });

  it('nothing blocks a complete live environment (credentials under the execution prefix too)', () => {
    expect(liveTradingBlockers({ TRADING_MODE: 'live', ATP_LIVE_CONFIRM: LIVE_CONFIRM, EXECUTION_EXCHANGE_API_KEY: KEY, EXCHANGE_API_SECRET: SECRET })).toEqual([]);
  });

  it('checks its options before the environment (usage: exit 2)', async () => {
    const r = await cli(['live', '--symbols', 'btcusdt'], {});
    expect(r.code).toBe(2);
    expect(r.err).toContain('--symbols must be a comma-separated list of BASE/QUOTE');
  });
});
