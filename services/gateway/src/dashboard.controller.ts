import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { BadRequestException, Body, Controller, Get, Header, Headers, HttpCode, HttpException, Inject, Ip, Post, Query, Res, ServiceUnavailableException, UnauthorizedException } from '@nestjs/common';
import { TOPICS, type FillEvent, type PnlEvent, type RiskCommandEvent } from '@atp/contracts';
import { SERVICE_RUNTIME, type HttpResponse, type ServiceRuntime } from '@atp/nest-kit';
import { bearerMatches } from './admin-token';
import type { GatewayConfig } from './config';
import { DashboardStore } from './dashboard.feed';
import type { DashboardSnapshot, KillSwitchView } from './dashboard-state';

/** The dashboard page: one self-contained HTML file (inline CSS and JS, no external requests). */
const DASHBOARD_HTML = readFileSync(path.join(__dirname, 'dashboard', 'index.html'), 'utf8');

/** What the page may load: itself, its WebSocket, nothing else. */
const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self' ws: wss:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export interface KillSwitchRequest {
  engaged: boolean;
  reason?: string;
}

export interface KillSwitchAccepted {
  accepted: true;
  commandId: string;
  kind: RiskCommandEvent['kind'];
  /** The state as the gateway knew it when the command was sent (risk's alert updates it). */
  killSwitch: KillSwitchView;
}

export interface PnlResponse {
  /** Account-wide P&L (strategyId '*'), null before the first bar. */
  account: PnlEvent | null;
  strategies: PnlEvent[];
}

/**
 * The dashboard (`GET /`) and its REST API: `GET /api/dashboard` (the snapshot the WebSocket sends
 * on connect), `GET /api/fills?limit=`, `GET /api/pnl`, `GET /api/kill-switch`, and
 * `POST /api/kill-switch {engaged, reason}`: with `Authorization: Bearer <GATEWAY_ADMIN_TOKEN>` it publishes
 * a kill-switch command on risk.commands.v1 (202); 401 without the right token; 503 when no token
 * is configured.
 */
@Controller()
export class DashboardController {
  constructor(
    @Inject(SERVICE_RUNTIME) private readonly rt: ServiceRuntime<GatewayConfig>,
    @Inject(DashboardStore) private readonly store: DashboardStore,
  ) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', CSP)
  @Header('Cache-Control', 'no-store')
  page(): string {
    return DASHBOARD_HTML;
  }

  @Get('api/dashboard')
  dashboard(): DashboardSnapshot {
    return this.store.state.snapshot();
  }

  @Get('api/fills')
  fills(@Query('limit') limit?: string): FillEvent[] {
    const all = this.store.state.snapshot().fills;
    const n = limit === undefined ? all.length : Number(limit);
    if (!Number.isInteger(n) || n < 0) throw new BadRequestException('limit must be a non-negative integer');
    return n === 0 ? [] : all.slice(-n);
  }

  @Get('api/pnl')
  pnl(): PnlResponse {
    const s = this.store.state.snapshot();
    return { account: s.pnl, strategies: s.strategies };
  }

  @Get('api/kill-switch')
  killSwitch(): KillSwitchView {
    return this.store.state.snapshot().killSwitch;
  }

  @Post('api/kill-switch')
  @HttpCode(202)
  async setKillSwitch(
    @Headers('authorization') authorization: string | undefined,
    @Body() body: unknown,
    @Ip() ip: string,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<KillSwitchAccepted> {
    const token = this.rt.config.GATEWAY_ADMIN_TOKEN;
    if (!token) throw new ServiceUnavailableException('admin commands are disabled: set GATEWAY_ADMIN_TOKEN');
    if (!bearerMatches(token, authorization)) {
      this.rt.logger.warn('admin command refused', { command: 'kill-switch', ip, cause: authorization ? 'wrong token' : 'no bearer token' });
      res.setHeader('WWW-Authenticate', 'Bearer realm="atp"');
      throw new UnauthorizedException(authorization ? 'wrong token' : 'a bearer token is required: Authorization: Bearer <GATEWAY_ADMIN_TOKEN>');
    }
    const req = parseKillSwitchRequest(body);
    const now = this.rt.clock.now();
    const commandId = randomUUID();
    const kind = req.engaged ? 'kill-switch-on' : 'kill-switch-off';
    const command: RiskCommandEvent = { eventId: commandId, tsEvent: now, tsInit: now, source: 'gateway', commandId, kind, reason: req.reason ?? 'from the dashboard', actor: 'gateway admin' };
    try {
      await this.rt.bus.publish(TOPICS.riskCommands, command, { runId: this.rt.config.RUN_ID });
    } catch (e) {
      this.rt.logger.error('kill switch command not published', { commandId, err: e });
      throw new HttpException('the command could not be published on risk.commands.v1', 502);
    }
    this.rt.logger.warn('kill switch command sent', { commandId, kind, reason: command.reason, ip });
    return { accepted: true, commandId, kind, killSwitch: this.store.state.snapshot().killSwitch };
  }
}

function parseKillSwitchRequest(body: unknown): KillSwitchRequest {
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b !== 'object' || typeof b['engaged'] !== 'boolean') throw new BadRequestException('body must be JSON {"engaged": true|false, "reason": "..."}');
  const reason = b['reason'];
  if (reason !== undefined && (typeof reason !== 'string' || reason.length > 500)) throw new BadRequestException('reason must be a string of at most 500 characters');
  const r = typeof reason === 'string' ? reason.trim() : '';
  return { engaged: b['engaged'], ...(r ? { reason: r } : {}) };
}
