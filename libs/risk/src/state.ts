import { decCmp, decToString, isDecimalString, toDecimal, utcDayStart, type Dec, type DecimalString } from '@atp/core';
import { decOf, decString } from './dec-memo';
import type { RiskCommandEvent } from '@atp/contracts';
import { withLimit, type RiskLimits } from './limits';

/**
 * The kill switch. A state machine with two states:
 *
 *   off --(command 'kill-switch-on', or a tripped limit: daily loss, max drawdown)--> on
 *   on  --(command 'kill-switch-off' only)--> off
 *
 * While on, every entry is rejected (KILL_SWITCH) and reducing exits are still approved.
 * Tripping or engaging again while on keeps the first cause. Nothing releases it but a command.
 */
export interface KillSwitch {
  readonly engaged: boolean;
  /** Event time it was engaged at (or released at, when off). */
  readonly since: number | null;
  /** 'command' or the limit code that tripped it (DAILY_LOSS_LIMIT, MAX_DRAWDOWN). */
  readonly cause: string | null;
  readonly reason: string | null;
}

/** Serialisable risk state of one account (JSON-safe): what a restarted risk service resumes from. */
export interface RiskState {
  readonly version: 1;
  readonly killSwitch: KillSwitch;
  /** The UTC day (start, Unix ms) of the last equity observation and the equity at its first observation. */
  readonly day: { readonly start: number; readonly startEquity: DecimalString } | null;
  /** Highest equity observed. */
  readonly peakEquity: DecimalString | null;
  /** Event times of recently approved orders (pruned to the rate window), ascending. */
  readonly orderTimes: readonly number[];
}

/** Something a human should see, for risk.alerts.v1. */
export interface RiskAlert {
  readonly code: string;
  readonly severity: 'info' | 'warning' | 'critical';
  readonly message: string;
  readonly time: number;
  readonly details: Readonly<Record<string, string | number | boolean | null>>;
}

export function initialRiskState(): RiskState {
  return { version: 1, killSwitch: { engaged: false, since: null, cause: null, reason: null }, day: null, peakEquity: null, orderTimes: [] };
}

/** Engages the kill switch (no-op when already on: the first cause is kept). */
export function engageKillSwitch(state: RiskState, time: number, cause: string, reason: string): { state: RiskState; alerts: RiskAlert[] } {
  if (state.killSwitch.engaged) return { state, alerts: [] };
  return {
    state: { ...state, killSwitch: { engaged: true, since: time, cause, reason } },
    alerts: [{ code: 'KILL_SWITCH_TRIPPED', severity: 'critical', message: `kill switch engaged (${cause}): ${reason}`, time, details: { cause } }],
  };
}

/** Releases the kill switch: only ever called for an explicit command. */
export function releaseKillSwitch(state: RiskState, time: number, reason: string): { state: RiskState; alerts: RiskAlert[] } {
  if (!state.killSwitch.engaged) return { state, alerts: [] };
  return {
    state: { ...state, killSwitch: { engaged: false, since: time, cause: null, reason } },
    alerts: [{ code: 'KILL_SWITCH_RELEASED', severity: 'warning', message: `kill switch released: ${reason}`, time, details: { previousCause: state.killSwitch.cause } }],
  };
}

// The peak string last made or read and its Dec: the next decision compares against the same
// peak, usually long out of decOf's small memo (a parse per decision otherwise). Dec values are
// immutable and the string denotes exactly that value.
let peakStr: string | undefined;
let peakVal: Dec | undefined;

/** The state's peak as a comparand: its Dec (a non-decimal string compares as decimal.js parses it, as before). */
function peakDec(prev: DecimalString): Dec | string {
  if (prev === peakStr) return peakVal!;
  if (!isDecimalString(prev)) return prev;
  const d = decOf(prev);
  peakStr = prev;
  peakVal = d;
  return d;
}

function newPeak(e: Dec): string {
  const str = decString(e);
  peakStr = str;
  peakVal = e;
  return str;
}

/**
 * Observes account equity at event time `time` (every mark and every decision): rolls the UTC day
 * (the day's starting equity is the first one observed at or after its 00:00), raises the peak,
 * and trips the kill switch when
 * - daily loss: equity <= dayStartEquity x (1 - dailyLossLimitPct / 100), or
 * - drawdown:   equity <= peakEquity x (1 - maxDrawdownPct / 100).
 * Exact decimals. Observations older than the current day are applied to the peak only.
 * `tripped` and the alerts are set only by the observation that engages the switch; while it is on,
 * observations only move the watermarks.
 */
export function observeEquity(state: RiskState, limits: RiskLimits, equity: DecimalString | Dec, time: number): { state: RiskState; alerts: RiskAlert[]; tripped: null | 'DAILY_LOSS_LIMIT' | 'MAX_DRAWDOWN' } {
  const e = decOf(equity);
  const dayStart = utcDayStart(time);
  let day = state.day;
  if (!day || dayStart > day.start) day = { start: dayStart, startEquity: decString(e) };
  const prevPeak = state.peakEquity;
  let higher = prevPeak === null;
  if (!higher) {
    const pk = peakDec(prevPeak!);
    higher = typeof pk === 'string' ? e.gt(pk) : decCmp(e, pk) > 0;
  }
  const peak = higher ? newPeak(e) : prevPeak!;
  let next: RiskState = state;
  if (day !== state.day || peak !== prevPeak) {
    // { ...state, day, peakEquity } by stores (same keys, same order): no slow path after a spread.
    // (Unchanged, the state itself stands for that copy: states are read-only values.)
    const obs = Object.assign({}, state) as { -readonly [K in keyof RiskState]: RiskState[K] };
    obs.day = day;
    obs.peakEquity = peak;
    next = obs;
  }
  const alerts: RiskAlert[] = [];
  let tripped: null | 'DAILY_LOSS_LIMIT' | 'MAX_DRAWDOWN' = null;
  // Once engaged, the switch stays on until a command: further breaches raise nothing new.
  if (state.killSwitch.engaged) return { state: next, alerts, tripped };

  if (limits.dailyLossLimitPct !== undefined) {
    const pct = toDecimal(limits.dailyLossLimitPct);
    const start = toDecimal(day.startEquity);
    const floor = start.mul(toDecimal(1).minus(pct.div(100)));
    if (e.lte(floor) && start.gt(0)) {
      const loss = start.minus(e);
      const reason = `equity ${decToString(e)} is ${decToString(loss)} below the UTC day's start ${decToString(start)} (limit ${decToString(pct)}% = floor ${decToString(floor)})`;
      tripped = 'DAILY_LOSS_LIMIT';
      alerts.push({ code: 'DAILY_LOSS_LIMIT', severity: 'critical', message: reason, time, details: { equity: decToString(e), dayStartEquity: decToString(start), limitPct: decToString(pct) } });
      const k = engageKillSwitch(next, time, 'DAILY_LOSS_LIMIT', reason);
      next = k.state;
      alerts.push(...k.alerts);
    }
  }
  if (limits.maxDrawdownPct !== undefined) {
    const pct = toDecimal(limits.maxDrawdownPct);
    const p = toDecimal(peak);
    const floor = p.mul(toDecimal(1).minus(pct.div(100)));
    if (e.lte(floor) && p.gt(0)) {
      const dd = p.minus(e).div(p).mul(100);
      const reason = `equity ${decToString(e)} is ${decToString(dd.toDecimalPlaces(4))}% below its peak ${decToString(p)} (limit ${decToString(pct)}% = floor ${decToString(floor)})`;
      tripped = tripped ?? 'MAX_DRAWDOWN';
      alerts.push({ code: 'MAX_DRAWDOWN', severity: 'critical', message: reason, time, details: { equity: decToString(e), peakEquity: decToString(p), limitPct: decToString(pct) } });
      const k = engageKillSwitch(next, time, 'MAX_DRAWDOWN', reason);
      next = k.state;
      alerts.push(...k.alerts);
    }
  }
  return { state: next, alerts, tripped };
}

/**
 * Applies a risk.commands.v1 command: kill switch on / off, or a limit change. Returns the new
 * state and limits. Throws RangeError for a set-limit with an unknown limit or a bad value.
 */
export function applyRiskCommand(
  state: RiskState,
  limits: RiskLimits,
  cmd: Pick<RiskCommandEvent, 'kind' | 'limit' | 'value' | 'reason' | 'actor' | 'tsEvent'>,
): { state: RiskState; limits: RiskLimits; alerts: RiskAlert[] } {
  switch (cmd.kind) {
    case 'kill-switch-on': {
      const r = engageKillSwitch(state, cmd.tsEvent, 'command', `${cmd.reason} (by ${cmd.actor})`);
      return { ...r, limits };
    }
    case 'kill-switch-off': {
      const r = releaseKillSwitch(state, cmd.tsEvent, `${cmd.reason} (by ${cmd.actor})`);
      return { ...r, limits };
    }
    case 'set-limit': {
      if (!cmd.limit || cmd.value === undefined) throw new RangeError('set-limit needs limit and value');
      const next = withLimit(limits, cmd.limit, cmd.value);
      return {
        state,
        limits: next,
        alerts: [{ code: 'LIMIT_CHANGED', severity: 'info', message: `${cmd.limit} set to ${cmd.value} by ${cmd.actor}: ${cmd.reason}`, time: cmd.tsEvent, details: { limit: cmd.limit, value: cmd.value } }],
      };
    }
  }
}
