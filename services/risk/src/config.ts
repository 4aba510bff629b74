import { Type, type Static } from '@sinclair/typebox';
import { commonConfigProperties, Env, serviceConfig } from '@atp/nest-kit';
import { specIssue } from './spec';

/** risk configuration: the common keys (HTTP port 3006 by default) and its own. */
export const riskConfigSchema = Type.Object({
  ...commonConfigProperties({ port: 3006 }),
  PIPELINE_SPEC: Type.Optional(Env.string({ description: 'the pipeline spec (path to a JSON file, or the JSON): limits, sizing, instances, run id; default: the built-in spec' })),
  JOURNAL: Env.oneOf(['auto', 'on', 'off'] as const, { default: 'auto', description: 'the input journal (restart state): on, off, or auto = on with STORE=mongo, off with STORE=memory (where it would only grow)' }),
  RISK_MAX_ORDER_NOTIONAL: Type.Optional(Env.decimal({ description: 'overrides maxPositionNotional: largest notional per symbol (position + pending entries), quote currency' })),
  RISK_MAX_DAILY_LOSS_FRACTION: Type.Optional(Env.number({ exclusiveMinimum: 0, maximum: 1, description: 'overrides dailyLossLimitPct: daily loss (fraction of the day-start equity) that trips the kill switch' })),
  NATIVE_STOPS: Env.bool({ default: true, description: 'the venue arms stop losses natively (paper: yes); false: risk strips brackets and its stop monitor fires the stop exits' }),
  RISK_CLOCK: Env.oneOf(['event', 'wall'] as const, { default: 'event', description: 'clock of the late-decision check of the stale-data guard: event time (replay) or the system clock (paper, live)' }),
  KILL_SWITCH_CHECK: Env.oneOf(['decisions', 'every-bar'] as const, { default: 'decisions', description: 'check daily loss and drawdown at each decision (as the backtester) or at every bar close' }),
});

export type RiskConfig = Readonly<Static<typeof riskConfigSchema>>;

export const riskConfig = serviceConfig(riskConfigSchema, [(c, key) => specIssue(c, key)]);

/** The service-local limit overrides of the RISK_* keys. */
export function limitOverrides(c: RiskConfig): { limit: string; value: string }[] {
  const out: { limit: string; value: string }[] = [];
  if (c.RISK_MAX_ORDER_NOTIONAL !== undefined) out.push({ limit: 'maxPositionNotional', value: c.RISK_MAX_ORDER_NOTIONAL });
  if (c.RISK_MAX_DAILY_LOSS_FRACTION !== undefined) out.push({ limit: 'dailyLossLimitPct', value: String(Math.round(c.RISK_MAX_DAILY_LOSS_FRACTION * 1e10) / 1e8) });
  return out;
}
