import { runCli } from '../program';

function capture(env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  return { io: { out: (t: string) => void (out += t), err: (t: string) => void (err += t), env }, out: () => out, err: () => err };
}

/** Data: the recorded 1h candles (shared/data/binance-spot, NostalgiaForInfinity, GPL-3.0), read in place. */
describe('atp replay', () => {
  it('--help explains the verb', async () => {
    const c = capture();
    expect(await runCli(['replay', '--help'], c.io)).toBe(0);
    expect(c.out()).toContain('Usage: atp replay');
    for (const o of ['--run-id <id>', '--lockstep', '--speed <n>', '--as-fast-as-possible', '--bus <bus>', '--topic-range <topic>']) expect(c.out()).toContain(o);
  });

  it('lockstep over the in-process bus: the pipeline (strategy, risk, execution, pnl) hosted here decides on every bar', async () => {
    const c = capture();
    expect(await runCli(['replay', '--run-id', 'cli-t1', '--symbols', 'BTC/USDT,ETH/USDT', '--timeframe', '1h', '--from', '2021-01-01', '--to', '2021-02-01', '--bus', 'in-process', '--json'], c.io)).toBe(0);
    const r = JSON.parse(c.out());
    // January 2021 has no maintenance gap: 31 x 24 event times, two symbols each.
    expect(r).toMatchObject({ runId: 'cli-t1', mode: 'lockstep', bus: 'in-process', eventTimes: 744, candles: 1488 });
    expect(r.polls).toBeGreaterThanOrEqual(744);
    // One decision record per (strategy, symbol, event time) of the built-in spec's strategies.
    expect(r.pipeline.intents % 1488).toBe(0);
    expect(r.pipeline.intents).toBeGreaterThan(0);
    expect(r.pipeline.fills).toBe(r.pipeline.approved);
  }, 120_000);

  it('as fast as possible over the in-process bus', async () => {
    const c = capture();
    expect(await runCli(['replay', '--run-id', 'cli-t2', '--symbols', 'BTC/USDT', '--from', '2021-01-01', '--to', '2021-01-03', '--bus', 'in-process', '--as-fast-as-possible'], c.io)).toBe(0);
    expect(c.out()).toMatch(/^replayed 48 candles \(48 event times\) of BTC\/USDT 1h on run\.cli-t2\.md\.candles\.v1 in [\d.]+ s \(\d+ candles\/s, free, speed max\)\n/);
  }, 120_000);

  it.each([
    [['--symbols', 'BTC/USDT'], /required option '--run-id <id>' not specified/],
    [['--run-id', 'a b', '--symbols', 'BTC/USDT'], /--run-id must be 1-64 characters/],
    [['--run-id', 'r', '--symbols', 'BTC/USDT', '--lockstep', '--speed', '10'], /give one of --lockstep, --speed <n>, --as-fast-as-possible/],
    [['--run-id', 'r', '--symbols', 'BTC/USDT', '--speed', '0'], /--speed must be a number > 0/],
    [['--run-id', 'r'], /--symbols is required \(or --topic-range\)/],
    [['--run-id', 'r', '--symbols', 'BTC/USDT'], /no Kafka brokers: pass --brokers/],
    [['--run-id', 'r', '--symbols', 'BTC/USDT', '--store', 'memory', '--bus', 'in-process'], /--store memory holds nothing to replay/],
    [['--run-id', 'r', '--topic-range', 'md.candles.v1', '--bus', 'in-process'], /--topic-range reads a Kafka topic: use --bus kafka/],
    [['--run-id', 'r', '--topic-range', 'md.nothing.v9', '--brokers', '127.0.0.1:1'], /unknown topic "md\.nothing\.v9"/],
    [['--run-id', 'r', '--symbols', 'BTC/USDT', '--brokers', '127.0.0.1:1', '--producer-threads', '0'], /--producer-threads \/ KAFKA_PRODUCER_THREADS must be a whole number from 1 to 16 \(got "0"\)/],
    [['--run-id', 'r', '--symbols', 'DOGE/USDT', '--bus', 'in-process', '--as-fast-as-possible'], /DOGE_USDT-1h\.json/],
  ])('%j is refused with a clear message', async (args, message) => {
    const c = capture();
    expect(await runCli(['replay', ...(args as string[])], c.io)).not.toBe(0);
    expect(c.err()).toMatch(message);
  }, 30_000);
});
