import type { HealthReport } from '@atp/nest-kit';

/** The human summary `npm start` prints once every service is ready (with the admin token it made, if any: printed once, never logged). */
export function formatSummary(report: HealthReport, url: string, startupMs: number, opts: { generatedToken?: string } = {}): string {
  const services = Object.values(report.services);
  const width = Math.max(...services.map((s) => s.name.length));
  const readyCount = services.filter((s) => s.ready).length;
  const head = report.ready
    ? `ATP embedded: ${readyCount}/${services.length} services ready in ${startupMs} ms (${report.mode} trading, in-process bus, memory stores)`
    : `ATP embedded: only ${readyCount}/${services.length} services ready after ${startupMs} ms`;
  const lines = services.map((s) => {
    const failed = Object.entries(s.checks).filter(([, c]) => !c.ok).map(([n, c]) => `${n}: ${c.detail ?? 'failed'}`);
    return `  ${s.name.padEnd(width)}  ${s.version.padEnd(8)} ${s.ready ? 'ready' : `NOT READY (${failed.join(', ') || report.phase})`}`;
  });
  const ws = url.replace(/^http/, 'ws');
  return [
    head,
    ...lines,
    `  Dashboard  ${url}/`,
    `  Status     ${url}/api/status`,
    `  Health     ${url}/health`,
    `  Metrics    ${url}/metrics`,
    `  Events     ${ws}/ws`,
    ...(opts.generatedToken ? [`  Admin token (kill switch) for this start: ${opts.generatedToken}   (set GATEWAY_ADMIN_TOKEN to choose it)`] : []),
    `Open ${url}/ — press Ctrl-C to stop.`,
  ].join('\n');
}
