import { clientOrderId, Dec, decAdd, decApprox, decCmp, decDiv, decProduct, decSub, decToString, gtZero, ltZero, lteZero, roundToStep, timeframeMs, toDecimal, type RoundingMode, type Side } from '@atp/core';
import type { OrderIntent } from '@atp/contracts';
import { decOf, decString } from './dec-memo';
import { marketNumbers, type MarketNumbers } from './market';
import { sizePosition } from './sizing';
import { observeEquity, type RiskAlert, type RiskState } from './state';
import type { Approval, ApprovedBracket, DecisionRef, OpenOrderView, RejectionCode, RiskRequest, RiskResult } from './types';

const ZERO = new Dec(0);
const HUNDRED = new Dec(100);
const NO_ORDERS: readonly OpenOrderView[] = Object.freeze([]);

type Details = Record<string, string | number | null>;

class Reject {
  constructor(
    readonly code: RejectionCode,
    readonly reason: string,
    readonly details: Details = {},
  ) {}
}

const s = decToString;

/**
 * The full risk decision for one decision record (ARCHITECTURE.md, "Intents and sizing"): a pure
 * function of its request. Every intent gets exactly one Approval or Rejection; a no-op record
 * gets `noop`. The returned state carries the kill switch, the day / peak equity watermarks and
 * the order-rate window; persist it and pass it to the next call.
 *
 * Order of evaluation (the first failing rule decides):
 * 1. the intent is well formed and about the market given (INVALID_INTENT);
 * 2. equity is observed: a daily-loss or drawdown limit breach trips the kill switch;
 * 3. the target is compared with the strategy's position in the instrument:
 *    - same direction already held, or an entry order for it pending: ALREADY_IN_POSITION
 *      (the chosen no-op semantics: nothing is added to a position by repeating the target);
 *    - `flat` while flat: NO_POSITION;
 *    - `flat`, or the opposite direction while holding a position: a reduce-only exit of the whole
 *      position (less exits already pending, else EXIT_PENDING). A reversal takes two decisions:
 *      this one closes, a later one opens;
 *    - `short` on a long-only market: SHORT_NOT_ALLOWED;
 * 4. exits: only rounding and the market minimums (a dust position cannot be closed: MIN_AMOUNT /
 *    MIN_NOTIONAL) and the price collar for limit exits. The kill switch, stale data and the order
 *    rate never block an exit;
 * 5. entries: kill switch (KILL_SWITCH, or the limit code that tripped it during this call), stale
 *    data, order rate, required stop, protective levels, price collar, sizing, caps (cash, max
 *    position quantity / notional, gross exposure / leverage, market max amount), rounding down
 *    to the amount step, market minimums.
 */
export function decideRisk(req: RiskRequest): RiskResult {
  const d = req.decision;
  const ref: DecisionRef = { runId: d.runId, decisionId: d.decisionId, strategyId: d.strategyId, exchange: d.exchange, symbol: d.symbol, decisionTime: d.decisionTime };
  if (d.kind === 'noop') return { outcome: { kind: 'noop', runId: ref.runId, decisionId: ref.decisionId, strategyId: ref.strategyId, exchange: ref.exchange, symbol: ref.symbol, decisionTime: ref.decisionTime }, state: req.state, alerts: [] };

  const alerts: RiskAlert[] = [];
  let state = req.state;
  try {
    const intent = d.intent;
    if (!intent) throw new Reject('INVALID_INTENT', 'a decision of kind intent carries no intent');
    if (req.market.exchange !== d.exchange || req.market.symbol !== d.symbol) {
      throw new Reject('INVALID_INTENT', `market rules of ${req.market.exchange}:${req.market.symbol} given for a decision on ${d.exchange}:${d.symbol}`);
    }
    if (intent.entry === 'limit' && intent.limitPrice === undefined) throw new Reject('INVALID_INTENT', 'a limit entry without a limit price');
    const m = marketNumbers(req.market);
    const equity = decOf(req.portfolio.equity);
    const last = decOf(req.marketData.lastClose);
    if (lteZero(last)) throw new Reject('INVALID_INTENT', `last close must be > 0, got ${s(last)}`);

    const obs = observeEquity(state, req.limits, req.portfolio.equity, d.decisionTime);
    state = obs.state;
    for (let i = 0; i < obs.alerts.length; i++) alerts.push(obs.alerts[i]!);

    const own = (x: { strategyId: string; exchange: string; symbol: string }) => x.strategyId === d.strategyId && x.exchange === d.exchange && x.symbol === d.symbol;
    let position = ZERO;
    const positions = req.portfolio.positions;
    for (let i = 0; i < positions.length; i++) if (own(positions[i]!)) position = decAdd(position, decOf(positions[i]!.quantity));
    const openOrders = req.portfolio.openOrders ?? NO_ORDERS;
    const ownOrders = openOrders.length === 0 ? NO_ORDERS : openOrders.filter(own);

    const want = intent.target;
    if (want === 'flat' || (want === 'long' && ltZero(position)) || (want === 'short' && gtZero(position))) {
      if (position.isZero()) throw new Reject('NO_POSITION', `target flat but the position of ${d.strategyId} in ${d.symbol} is already 0`, { position: '0' });
      const approval = exit(req, ref, intent, m, last, position, ownOrders);
      state = recordOrder(state, req, d.decisionTime);
      return { outcome: approval, state, alerts };
    }
    const side: Side = want === 'long' ? 'buy' : 'sell';
    let pendingEntry = ZERO;
    for (let i = 0; i < ownOrders.length; i++) if (!ownOrders[i]!.reduceOnly && ownOrders[i]!.side === side) pendingEntry = pendingEntry.plus(ownOrders[i]!.quantity);
    if (!position.isZero() || gtZero(pendingEntry)) {
      throw new Reject('ALREADY_IN_POSITION', `target ${want} but ${d.strategyId} already holds ${s(position)} ${d.symbol}${pendingEntry.gt(0) ? ` and has an entry order for ${s(pendingEntry)} pending` : ''}: nothing to do`, {
        position: s(position),
        pendingEntry: s(pendingEntry),
      });
    }
    if (want === 'short' && !req.market.shortable) throw new Reject('SHORT_NOT_ALLOWED', `${d.exchange}:${d.symbol} is long-only (spot): short entries are refused`);

    if (state.killSwitch.engaged) {
      const code: RejectionCode = obs.tripped ?? 'KILL_SWITCH';
      throw new Reject(code, `kill switch on since ${state.killSwitch.since} (${state.killSwitch.cause}): ${state.killSwitch.reason}; entries blocked, exits allowed`, { cause: state.killSwitch.cause });
    }
    const approval = entry(req, ref, intent, side, m, equity, last, openOrders, state);
    if (approval instanceof Reject) return rejected(ref, approval, state, alerts); // a cap's rejection: returned, not thrown
    state = recordOrder(state, req, d.decisionTime);
    return { outcome: approval, state, alerts };
  } catch (e) {
    if (!(e instanceof Reject)) throw e;
    return rejected(ref, e, state, alerts);
  }
}

/** The result of a rejected decision: the state and alerts as they were when the rule failed. */
function rejected(ref: DecisionRef, e: Reject, state: RiskState, alerts: RiskAlert[]): RiskResult {
  const outcome = { kind: 'rejection' as const, runId: ref.runId, decisionId: ref.decisionId, strategyId: ref.strategyId, exchange: ref.exchange, symbol: ref.symbol, decisionTime: ref.decisionTime, code: e.code, reason: e.reason, details: e.details };
  return { outcome, state, alerts };
}

/** A view's cash as the text a rejection shows: a string as given, a Dec printed. */
function cashText(c: string | Dec): string {
  return typeof c === 'string' ? c : s(c);
}

/** Keeps the event times of approvals inside the rate window (pruned; all of them when no limit). */
function recordOrder(state: RiskState, req: RiskRequest, time: number): RiskState {
  const w = req.limits.maxOrderRate;
  const kept = w ? state.orderTimes.filter((t) => t > time - w.windowMs) : [];
  kept.push(time);
  // Object.assign then a store: the same object as `{ ...state, orderTimes }` (same keys, same
  // order), without V8's slow path for properties added after a spread.
  const next = Object.assign({}, state) as { -readonly [K in keyof RiskState]: RiskState[K] };
  next.orderTimes = kept;
  return next;
}

function roundPrice(p: Dec, tick: Dec, mode: RoundingMode): Dec {
  return roundToStep(p, tick, mode);
}

function collar(req: RiskRequest, limit: Dec, last: Dec): void {
  const pct = req.limits.priceCollarPct;
  if (pct === undefined) return;
  const band = last.mul(toDecimal(pct)).div(HUNDRED);
  const dist = limit.minus(last).abs();
  if (dist.gt(band)) {
    throw new Reject('PRICE_COLLAR', `limit price ${s(limit)} is ${s(dist.div(last).mul(HUNDRED).toDecimalPlaces(4))}% from the last close ${s(last)}, outside the ${s(toDecimal(pct))}% collar [${s(last.minus(band))}, ${s(last.plus(band))}]`, {
      limitPrice: s(limit),
      lastClose: s(last),
      collarPct: s(toDecimal(pct)),
    });
  }
}

function checkMinimums(qty: Dec, price: Dec, m: MarketNumbers, contextOf: () => string): void {
  if (lteZero(qty) || (m.minAmount && qty.lt(m.minAmount))) {
    throw new Reject('MIN_AMOUNT', `${contextOf()}: quantity ${s(qty)} after rounding down to the step ${s(m.amountStep)} is below the market minimum ${m.minAmount ? s(m.minAmount) : s(m.amountStep)}`, {
      quantity: s(qty),
      amountStep: s(m.amountStep),
      minAmount: m.minAmount ? s(m.minAmount) : null,
    });
  }
  if (m.minCost) {
    const notional = qty.mul(price);
    if (notional.lt(m.minCost)) {
      throw new Reject('MIN_NOTIONAL', `${contextOf()}: notional ${s(notional)} = ${s(qty)} x ${s(price)} is below the market minimum ${s(m.minCost)}`, {
        quantity: s(qty),
        price: s(price),
        notional: s(notional),
        minCost: s(m.minCost),
      });
    }
  }
}

/** A reduce-only order for the whole position (less exits already pending). */
function exit(req: RiskRequest, ref: DecisionRef, intent: OrderIntent, m: MarketNumbers, last: Dec, position: Dec, ownOrders: readonly OpenOrderView[]): Approval {
  const side: Side = gtZero(position) ? 'sell' : 'buy';
  let pendingExit = ZERO;
  for (let i = 0; i < ownOrders.length; i++) if (ownOrders[i]!.reduceOnly && ownOrders[i]!.side === side) pendingExit = pendingExit.plus(ownOrders[i]!.quantity);
  // (minus 0 only copies and re-rounds what abs() already rounded: skipped)
  const toClose = pendingExit.isZero() ? position.abs() : position.abs().minus(pendingExit);
  if (lteZero(toClose)) {
    throw new Reject('EXIT_PENDING', `exit orders for ${s(pendingExit)} already cover the position ${s(position)}`, { position: s(position), pendingExit: s(pendingExit) });
  }
  const qty = roundToStep(toClose, m.amountStep, 'down');
  let limitPrice: Dec | undefined;
  if (intent.entry === 'limit') {
    // Never a worse price than asked: a sell limit rounds up, a buy limit down.
    limitPrice = roundPrice(toDecimal(intent.limitPrice!), m.priceTick, side === 'sell' ? 'up' : 'down');
    collar(req, limitPrice, last);
  }
  const price = limitPrice ?? last;
  checkMinimums(qty, price, m, () => `exit of ${s(position)}`);
  const reversing = intent.target !== 'flat';
  const sizing: Record<string, string | number | null> = {
    method: reversing ? 'close-before-reverse' : 'close-position',
    position: s(position),
    pendingExit: s(pendingExit),
    quantity: s(qty),
    dust: qty !== toClose && decCmp(qty, toClose) === 0 ? '0' : s(toClose.minus(qty)), // (x - x is +0: '0')
    price: s(price),
  };
  if (reversing) sizing.note = `target ${intent.target} while holding ${s(position)}: closing first, a later decision may open`;
  return approvalOf(ref, clientOrderId(ref.runId, ref.strategyId, ref.symbol, ref.decisionTime, req.orderSeq ?? 0), side, intent.entry, qty, limitPrice, true, undefined, undefined, sizing);
}

/**
 * An Approval, its keys in the wire order (optional ones only when set). Built by stores rather
 * than object spreads: V8 takes a slow path (microseconds) for properties added after a spread.
 */
function approvalOf(
  ref: DecisionRef,
  coid: string,
  side: Side,
  type: 'market' | 'limit',
  quantity: Dec,
  limitPrice: Dec | undefined,
  reduceOnly: boolean,
  expireAt: number | undefined,
  bracket: ApprovedBracket | undefined,
  sizing: Record<string, string | number | null>,
): Approval {
  const a: { -readonly [K in keyof Approval]: Approval[K] } = {
    kind: 'approval',
    runId: ref.runId,
    decisionId: ref.decisionId,
    strategyId: ref.strategyId,
    exchange: ref.exchange,
    symbol: ref.symbol,
    decisionTime: ref.decisionTime,
    clientOrderId: coid,
    side,
    type,
    quantity,
  } as Approval;
  if (limitPrice) a.limitPrice = limitPrice;
  a.timeInForce = 'GTC';
  a.postOnly = false;
  a.reduceOnly = reduceOnly;
  if (expireAt !== undefined) a.expireAt = expireAt;
  if (bracket) a.bracket = bracket;
  a.sizing = sizing;
  return a;
}

interface Cap {
  name: string;
  code: RejectionCode;
  /** The largest quantity the cap allows; or, when undefined, `ratio`'s room / (price x factor). */
  maxQty: Dec | undefined;
  /**
   * The cap as room / (price x factor), a 60-digit division: worked out only when the float
   * estimate cannot tell that it exceeds the quantity (see {@link surelyAbove}).
   */
  ratio?: { readonly room: Dec; readonly price: Dec; readonly factor: Dec };
  /** Made only when the cap rejects (its decimal strings are not free). */
  detail: () => string;
}

/**
 * True when room / (price x factor) is certainly above `qty` (all > 0): its float estimate exceeds
 * the estimate of qty by a relative 1e-12, far more than the estimates' errors (each operand
 * within 1e-13, a few float64 roundings of 2^-53) and the 60-digit division's rounding could
 * close. False when unsure (close values, zeros, negatives, values beyond the normal float
 * range): the caller then divides.
 */
function surelyAbove(room: Dec, price: Dec, factor: Dec, qty: Dec): boolean {
  const r = decApprox(room);
  const u = decApprox(price) * decApprox(factor);
  const q = decApprox(qty);
  if (!(r > 1e-300 && r < 1e300 && u > 1e-300 && u < 1e300 && q > 1e-300 && q < 1e300)) return false;
  return r / u > q * (1 + 1e-12);
}

function entry(
  req: RiskRequest,
  ref: DecisionRef,
  intent: OrderIntent,
  side: Side,
  m: MarketNumbers,
  equity: Dec,
  last: Dec,
  openOrders: readonly OpenOrderView[],
  state: RiskState,
): Approval | Reject {
  const { limits } = req;
  const long = side === 'buy';
  const T = ref.decisionTime;

  if (limits.staleAfterBars !== undefined) {
    const bar = timeframeMs(req.decision.timeframe);
    const maxAge = limits.staleAfterBars * bar;
    const age = T - req.marketData.lastBarTime;
    if (age > maxAge) {
      throw new Reject('STALE_DATA', `last closed bar at ${req.marketData.lastBarTime} is ${age / bar} bars older than the decision time ${T} (limit ${limits.staleAfterBars} bars of ${req.decision.timeframe})`, {
        lastBarTime: req.marketData.lastBarTime,
        decisionTime: T,
        ageBars: age / bar,
        staleAfterBars: limits.staleAfterBars,
      });
    }
    const lag = req.clock.now() - T;
    if (lag > maxAge) {
      throw new Reject('STALE_DATA', `the decision for ${T} arrives at ${req.clock.now()}, ${lag / bar} bars late (limit ${limits.staleAfterBars} bars)`, { decisionTime: T, now: req.clock.now(), lagBars: lag / bar });
    }
  }

  if (limits.maxOrderRate) {
    const { count, windowMs } = limits.maxOrderRate;
    const recent = state.orderTimes.filter((t) => t > T - windowMs && t <= T).length;
    if (recent >= count) {
      throw new Reject('ORDER_RATE', `${recent} orders approved in the ${windowMs} ms before ${T}: the limit is ${count} per window`, { recent, count, windowMs });
    }
  }

  if (limits.requireStopLoss && intent.stopLoss === undefined) throw new Reject('STOP_REQUIRED', 'entries must carry a stop loss (requireStopLoss)');

  // Entry reference price: the limit (rounded to the tick, never worse than asked) or the last close.
  let limitPrice: Dec | undefined;
  if (intent.entry === 'limit') {
    limitPrice = roundPrice(toDecimal(intent.limitPrice!), m.priceTick, long ? 'down' : 'up');
    if (limitPrice.lte(0)) throw new Reject('INVALID_INTENT', `limit price ${intent.limitPrice} rounds to ${s(limitPrice)} at tick ${s(m.priceTick)}`);
    collar(req, limitPrice, last);
  }
  const entryPrice = limitPrice ?? last;

  // Protective levels: the stop rounds toward the entry (never more risk than sized), the take
  // profit to the nearest tick; then they must sit on the right side of the entry.
  const bracket: { stopLoss?: Dec; takeProfit?: Dec; trailingStopPct?: number } = {};
  if (intent.stopLoss !== undefined) {
    const raw = toDecimal(intent.stopLoss);
    const stop = roundPrice(raw, m.priceTick, long ? 'up' : 'down');
    if (stop.lte(0) || (long ? stop.gte(entryPrice) : stop.lte(entryPrice))) {
      throw new Reject('INVALID_STOP_LOSS', `stop loss ${s(stop)} must be ${long ? 'below' : 'above'} the entry price ${s(entryPrice)} for a ${long ? 'long' : 'short'}`, {
        stopLoss: s(stop),
        entryPrice: s(entryPrice),
      });
    }
    bracket.stopLoss = stop;
  }
  if (intent.takeProfit !== undefined) {
    const tp = roundPrice(toDecimal(intent.takeProfit), m.priceTick, 'half-away-from-zero');
    if (tp.lte(0) || (long ? tp.lte(entryPrice) : tp.gte(entryPrice))) {
      throw new Reject('INVALID_TAKE_PROFIT', `take profit ${s(tp)} must be ${long ? 'above' : 'below'} the entry price ${s(entryPrice)} for a ${long ? 'long' : 'short'}`, {
        takeProfit: s(tp),
        entryPrice: s(entryPrice),
      });
    }
    bracket.takeProfit = tp;
  }
  if (intent.trailingStopPct !== undefined) {
    const t = intent.trailingStopPct;
    if (!Number.isFinite(t) || t <= 0 || t >= 100) throw new Reject('INVALID_TRAILING_STOP', `trailing stop ${t}% must be in (0, 100)`, { trailingStopPct: t });
    bracket.trailingStopPct = t;
  }

  if (lteZero(equity)) throw new Reject('NO_EQUITY', `equity ${s(equity)} is not positive`, { equity: s(equity) });

  const rule = limits.sizingByStrategy?.[ref.strategyId] ?? limits.sizing;
  const sized = sizePosition(rule, { equity, entryPrice, stopLoss: bracket.stopLoss, atr: req.marketData.atr });
  if (!sized.ok) throw new Reject(sized.code, sized.reason, { method: rule.method });

  // Caps: cash (long) or equity (short), then limits counting positions and open entry orders.
  const fee = intent.entry === 'limit' ? m.makerFee : m.takerFee;
  const costFactor = intent.entry === 'limit' ? m.makerCostFactor : m.takerCostFactor; // 1 + fee
  const caps: Cap[] = [];
  const entries = openOrders.length === 0 ? openOrders : openOrders.filter((o) => !o.reduceOnly);
  if (long) {
    let reserved = ZERO;
    // (core's decAdd/decProduct: decimal.js's plus/mul, the same Decs, without its work on short values)
    for (let i = 0; i < entries.length; i++) if (entries[i]!.side === 'buy') reserved = decAdd(reserved, decProduct(decProduct(decOf(entries[i]!.quantity), decOf(entries[i]!.price)), costFactor));
    const spendable = decSub(decOf(req.portfolio.cash), reserved);
    caps.push({ name: 'cash', code: 'INSUFFICIENT_CASH', maxQty: undefined, ratio: { room: spendable, price: entryPrice, factor: costFactor }, detail: () => `cash ${cashText(req.portfolio.cash)} - open buys ${s(reserved)} = ${s(spendable)} at ${s(entryPrice)} x (1 + fee ${s(fee)})` });
  } else {
    caps.push({ name: 'equity', code: 'INSUFFICIENT_CASH', maxQty: equity.div(entryPrice), detail: () => `short notional capped at equity ${s(equity)}` });
  }
  const sameSymbol = (x: { exchange: string; symbol: string }) => x.exchange === ref.exchange && x.symbol === ref.symbol;
  if (limits.maxPositionQty !== undefined) {
    const max = toDecimal(limits.maxPositionQty);
    const used = req.portfolio.positions.filter(sameSymbol).reduce((a, p) => a.plus(toDecimal(p.quantity).abs()), ZERO).plus(entries.filter(sameSymbol).reduce((a, o) => a.plus(o.quantity), ZERO));
    caps.push({ name: 'maxPositionQty', code: 'MAX_POSITION_QTY', maxQty: max.minus(used), detail: () => `max ${s(max)} ${req.market.base} per symbol, ${s(used)} held or pending` });
  }
  if (limits.maxPositionNotional !== undefined) {
    const max = toDecimal(limits.maxPositionNotional);
    const used = req.portfolio.positions
      .filter(sameSymbol)
      .reduce((a, p) => a.plus(toDecimal(p.quantity).abs().mul(p.mark)), ZERO)
      .plus(entries.filter(sameSymbol).reduce((a, o) => a.plus(toDecimal(o.quantity).mul(o.price)), ZERO));
    caps.push({ name: 'maxPositionNotional', code: 'MAX_POSITION_NOTIONAL', maxQty: max.minus(used).div(entryPrice), detail: () => `max ${s(max)} ${req.market.quote} per symbol, ${s(used)} held or pending` });
  }
  if (limits.maxGrossExposure !== undefined || limits.maxGrossLeverage !== undefined) {
    const used = req.portfolio.positions.reduce((a, p) => a.plus(toDecimal(p.quantity).abs().mul(p.mark)), ZERO).plus(entries.reduce((a, o) => a.plus(toDecimal(o.quantity).mul(o.price)), ZERO));
    if (limits.maxGrossExposure !== undefined) {
      const max = toDecimal(limits.maxGrossExposure);
      caps.push({ name: 'maxGrossExposure', code: 'MAX_GROSS_EXPOSURE', maxQty: max.minus(used).div(entryPrice), detail: () => `max gross ${s(max)}, ${s(used)} used` });
    }
    if (limits.maxGrossLeverage !== undefined) {
      const lev = toDecimal(limits.maxGrossLeverage);
      const max = equity.mul(lev);
      caps.push({ name: 'maxGrossLeverage', code: 'MAX_GROSS_EXPOSURE', maxQty: max.minus(used).div(entryPrice), detail: () => `max gross ${s(lev)} x equity ${s(equity)} = ${s(max)}, ${s(used)} used` });
    }
  }
  const maxAmount = m.maxAmount;
  if (maxAmount) caps.push({ name: 'marketMaxAmount', code: 'MIN_AMOUNT', maxQty: maxAmount, detail: () => `market max amount ${s(maxAmount)}` });

  let qty = sized.qty;
  let cappedBy: string | null = null;
  for (const c of caps) {
    let max = c.maxQty;
    if (max === undefined) {
      const { room, price, factor } = c.ratio!;
      if (surelyAbove(room, price, factor, qty)) continue; // neither rejects nor binds
      max = decDiv(room, price.mul(factor));
    }
    // returned rather than thrown: the usual rejection of a full slot, and a throw costs microseconds
    if (lteZero(max)) return new Reject(c.code, `no room under ${c.name}: ${c.detail()}`, { limit: c.name, maxQty: s(max) });
    if (decCmp(max, qty) < 0) {
      qty = max;
      cappedBy = c.name;
    }
  }
  const rounded = roundToStep(qty, m.amountStep, 'down');
  const cappedQty = qty;
  checkMinimums(rounded, entryPrice, m, () => `${rule.method} size ${s(sized.qty)}${cappedBy ? ` capped by ${cappedBy} to ${s(cappedQty)}` : ''}`);

  const expireAt = intent.entry === 'limit' && limits.limitOrderTtlBars !== undefined ? T + limits.limitOrderTtlBars * timeframeMs(req.decision.timeframe) : undefined;
  const cleanBracket: ApprovedBracket | undefined = Object.keys(bracket).length > 0 ? bracket : undefined;
  const rawQty = s(sized.qty);
  const cappedQuantity = qty === sized.qty ? rawQty : s(qty);
  let sizing: Record<string, string | number | null>;
  if (rule.method === 'fixed-notional') {
    // { ...explain, equity, ..., notional } for fixed-notional's explain { method, notional }: the
    // final notional takes the explain's slot, so these are its keys in order. One literal is one
    // object with every field in place; the stores below add six fields to a four-slot object,
    // i.e. a property array too, and the approved event's copy of it (toOutcomeEvent) is then
    // made the same way.
    sizing = {
      method: 'fixed-notional',
      notional: s(decProduct(rounded, entryPrice)),
      equity: decString(equity),
      entryPrice: decString(entryPrice),
      stopLoss: bracket.stopLoss ? s(bracket.stopLoss) : null,
      rawQuantity: rawQty,
      cappedBy,
      cappedQuantity,
      amountStep: m.amountStepText,
      quantity: s(rounded),
    };
  } else {
    // sizing = { ...sized.explain, equity, ... } (same keys, same order), without the spread's slow path
    sizing = Object.assign({}, sized.explain);
    sizing.equity = decString(equity);
    sizing.entryPrice = decString(entryPrice);
    sizing.stopLoss = bracket.stopLoss ? s(bracket.stopLoss) : null;
    sizing.rawQuantity = rawQty;
    sizing.cappedBy = cappedBy;
    sizing.cappedQuantity = cappedQuantity;
    sizing.amountStep = m.amountStepText;
    sizing.quantity = s(rounded);
    sizing.notional = s(decProduct(rounded, entryPrice));
  }
  return approvalOf(ref, clientOrderId(ref.runId, ref.strategyId, ref.symbol, T, req.orderSeq ?? 0), side, intent.entry, rounded, limitPrice, false, expireAt, cleanBracket, sizing);
}
