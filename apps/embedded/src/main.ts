// `npm start` (through tools/start.mjs): every service in this one process over the in-process bus
// and memory stores, the gateway on GATEWAY_SERVICE_PORT / SERVICE_PORT (default 8080); market-feed
// replays the recorded candles (DATA_DIR) in lockstep with the pipeline, paced for the dashboard.
// Prints a health summary, the dashboard URL and (when GATEWAY_ADMIN_TOKEN is unset) the admin token
// made for this start; exits 0 on SIGINT/SIGTERM after a graceful stop.
//
//   --exit-after-ready   (or ATP_EXIT_AFTER_READY=1) stop as soon as every service is ready: exit 0
//                        when all were ready, 1 otherwise (smoke tests, CI)
//   --port <n>           the HTTP port (overrides GATEWAY_SERVICE_PORT / SERVICE_PORT)
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { prepareMarketData } from '@atp/market-data-ccxt';
import { exitOnSignals, runMain, type RunningHost } from '@atp/nest-kit';
import { startEmbedded } from './embedded';
import { formatSummary } from './summary';

const READY_WAIT_MS = 15_000;

async function main(): Promise<RunningHost | undefined> {
  const { values } = parseArgs({
    options: { 'exit-after-ready': { type: 'boolean', default: false }, port: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write('Usage: npm start -- [--port <n>] [--exit-after-ready]\n');
    return undefined;
  }
  const env: Record<string, string | undefined> = { ...process.env, ...(values.port !== undefined ? { GATEWAY_SERVICE_PORT: values.port } : {}) };
  const exitAfterReady = values['exit-after-ready'] || /^(1|true|yes)$/i.test(env['ATP_EXIT_AFTER_READY'] ?? '');

  // Market data first: DATA_DIR or ../shared/data read in place; where absent, the default symbols'
  // 1h set is downloaded once through ccxt into ~/.cache/atp/data (EXCHANGE_API_URL redirects it).
  const data = await prepareMarketData(env, { log: (m) => process.stderr.write(`market data: ${m}\n`) });
  env['DATA_DIR'] = data.dataDir;

  // The dashboard's admin token (kill switch): GATEWAY_ADMIN_TOKEN, else one made for this start and
  // printed once with the URL below (never logged).
  const generatedToken = env['GATEWAY_ADMIN_TOKEN']?.trim() ? undefined : randomBytes(18).toString('base64url');
  if (generatedToken) env['GATEWAY_ADMIN_TOKEN'] = generatedToken;

  const host = await startEmbedded({ env });
  const log = host.logger;
  exitOnSignals(host, log);

  const deadline = Date.now() + READY_WAIT_MS;
  let report = await host.report();
  while (!report.ready && Date.now() < deadline && host.context.phase === 'running') {
    await new Promise((r) => setTimeout(r, 100));
    report = await host.report();
  }
  const startupMs = Math.round(process.uptime() * 1000);
  process.stdout.write(`${formatSummary(report, host.url, startupMs, { generatedToken })}\n`);
  log.info(report.ready ? 'all services ready' : 'not every service is ready', { url: host.url, startupMs, ready: report.ready });

  if (exitAfterReady) {
    const code = report.ready ? 0 : 1;
    await host.stop('exit-after-ready').catch((e: unknown) => log.error('shutdown failed', { err: e }));
    process.exitCode = code;
    setTimeout(() => process.exit(code), 200).unref();
  }
  return host;
}

runMain(main);
