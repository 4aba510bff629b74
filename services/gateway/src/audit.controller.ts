import { BadRequestException, Controller, Get, Inject, Query } from '@nestjs/common';
import { compareRecords, type AuditRecord } from '@atp/audit';
import { AuditLog, SERVICE_RUNTIME, type ServiceRuntime } from '@atp/nest-kit';

/** The services keeping an audit chain (ARCHITECTURE.md, "Audit"). */
const AUDITED = ['strategy', 'risk', 'execution', 'pnl'] as const;
const MAX_LIMIT = 10_000;

/** GET /api/audit: audit records across the services' chains. */
export interface AuditResponse {
  /** Services whose chains were asked. */
  sources: string[];
  /** Audited services not reachable from this gateway (a standalone gateway reaches none yet). */
  unreachable: string[];
  /** Matching records, by event time, then chain, then seq. */
  records: AuditRecord[];
  /** True when `limit` cut the list. */
  truncated: boolean;
}

/** A time bound: Unix ms or an ISO 8601 date-time. Throws a 400 naming the parameter. */
function parseTime(name: string, v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isSafeInteger(n)) throw new BadRequestException(`${name} must be Unix ms or an ISO 8601 date-time (got "${v}")`);
  return n;
}

/**
 * The audit trail, read through the services' own audit logs (never their collections, see
 * libs/audit/README.md): the logs registered on this gateway's bus, i.e. every pipeline service
 * in the embedded mode.
 *
 * - `GET /api/audit?id=<id>`: records whose subject, ids, causes or input refs hold the id (a decision
 *   id, client order id, fill id or event id), across chains;
 * - `GET /api/audit?from=&to=&service=`: records with event time in [from, to), optionally of one service;
 * - `limit` (default 1,000, at most 10,000).
 */
@Controller('api')
export class AuditController {
  constructor(@Inject(SERVICE_RUNTIME) private readonly runtime: ServiceRuntime) {}

  @Get('audit')
  async audit(@Query('id') id?: string, @Query('from') fromText?: string, @Query('to') toText?: string, @Query('service') service?: string, @Query('limit') limitText?: string): Promise<AuditResponse> {
    const from = parseTime('from', fromText);
    const to = parseTime('to', toText);
    if (!id && from === undefined && to === undefined) throw new BadRequestException('give id=<any id>, or a time range from=&to= (Unix ms or ISO 8601), optionally with service=');
    const limit = limitText === undefined || limitText === '' ? 1_000 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 0 || limit > MAX_LIMIT) throw new BadRequestException(`limit must be an integer in [0, ${MAX_LIMIT}]`);
    if (service !== undefined && !(AUDITED as readonly string[]).includes(service)) throw new BadRequestException(`service must be one of ${AUDITED.join(', ')}`);

    const logs = AuditLog.inProcess(this.runtime.bus).filter((l) => service === undefined || l.service === service);
    const found = (await Promise.all(logs.map((l) => l.query({ id: id || undefined, from, to })))).flat().sort(compareRecords);
    const reached = new Set(logs.map((l) => l.service));
    return {
      sources: [...reached],
      unreachable: AUDITED.filter((s) => (service === undefined || s === service) && !reached.has(s)),
      records: found.slice(0, limit),
      truncated: found.length > limit,
    };
  }
}
