import { clientOrderId, decNumber, decToString, eventIdFrom, ManualClock, timeframeMs, toDecimal, type DecimalString, type Timeframe } from '@atp/core';
import type { BarMatched, DecisionEvent, FillEvent, OrderApprovedEvent, OrderEvent, OrderIntent, OrderRejectedEvent, OrderUpdate } from '@atp/contracts';
import { defaultMarket, PaperExchange, submitOrderFromApproval, type FillModel, type MarketSpec, type SubmitOrder } from '@atp/execution';
import { computeMetrics, type MetricsReport } from '@atp/metrics';
import { Portfolio, type FillLedgerEntry, type PnlSnapshot, type RoundTrip } from '@atp/portfolio';
import { createStrategy, decisionId, FeatureComputer, FeatureLayout, noop, WARMUP, type SignalView, type Strategy, type StrategyContext } from '@atp/strategies';
import { DecisionLog } from './decision-log';
import { libRisk } from './lib-risk';
import type { RiskPort, RiskRequest } from './risk-port';
import { toOutcomeEvent, type RiskLimits } from '@atp/risk';
import { Atr } from '@atp/indicators';
import type { BarSeries } from './series';

/** One strategy of a run: its instance id and a factory of one instance per symbol. */
export interface StrategyEntry {
  readonly id: string;
  readonly create: (symbol: string) => Strategy;
}

/** A registered strategy (by name, with parameters) as a run entry. Throws on bad parameters. */
export function registeredStrategy(name: string, params: Readonly<Record<string, unknown>> = {}, id: string = name): StrategyEntry {
  createStrategy(name, params, id); // validate once, up front
  return { id, create: () => createStrategy(name, params, id) };
}

export interface BacktestProgress {
  /** Bars processed / total (all symbols). */
  readonly done: number;
  readonly total: number;
  /** Current event time, Unix ms. */
  readonly time: number;
  readonly fills: number;
}

export interface BacktestConfig {
  /** Run id: prefixes every deterministic id; parity runs share it. */
  readonly runId: string;
  readonly strategies: readonly StrategyEntry[];
  /** Initial cash in the quote currency, decimal string. */
  readonly initialCash: DecimalString;
  readonly quoteCurrency?: string;
  /** Markets of the symbols (default: `defaultMarket(symbol)`, 8 places, 0.1% fees). */
  readonly markets?: readonly MarketSpec[];
  readonly fillModel?: Partial<FillModel>;
  /** The risk decision (default: `libRisk({ limits: riskLimits })`, i.e. `@atp/risk`). */
  readonly risk?: RiskPort;
  /** Limits for the default risk port. Default: 95% of equity per (strategy, symbol) slot. */
  readonly riskLimits?: RiskLimits;
  /** ATR period handed to risk (ATR sizing). Default 14. */
  readonly atrPeriod?: number;
  /** `exchange:symbol` keys that may be shorted. */
  readonly shortable?: readonly string[];
  /** Keep every `bar-matched` marker in `orderEvents` (one per bar and symbol). Default false. */
  readonly recordBarMatched?: boolean;
  /** Assert `equity = initial + realized + unrealized - fees = cash + market value` after every fill (slow). */
  readonly checkIdentity?: boolean;
  readonly onProgress?: (p: BacktestProgress) => void;
  /** Bars between progress calls. Default 10000. */
  readonly progressEvery?: number;
  /**
   * Event time from which strategies may trade: earlier bars only warm the indicators and the
   * strategies up (their decisions are recorded as no-ops 'before the trading window'), and the
   * metrics start there. For walk-forward test windows that need warm-up history.
   */
  readonly tradeFrom?: number;
  /** ML signals of (symbol, event time T), joined with the candle and features of T (signals.v1). */
  readonly signals?: (symbol: string, time: number) => SignalView | undefined;
}

/** Everything a run produced, with the deterministic ids a Kafka replay reproduces. */
export interface BacktestResult {
  readonly runId: string;
  readonly timeframe: Timeframe;
  readonly symbols: readonly string[];
  readonly strategies: readonly { id: string; name: string; version: string; params: Readonly<Record<string, unknown>>; features: readonly string[] }[];
  /** Bars processed (all symbols) and distinct event times. */
  readonly bars: number;
  readonly eventTimes: number;
  /** One log per (strategy, symbol), in (strategy id, symbol) order. */
  readonly decisions: readonly DecisionLog[];
  readonly approved: readonly OrderApprovedEvent[];
  readonly rejected: readonly OrderRejectedEvent[];
  readonly orderEvents: readonly OrderEvent[];
  readonly fills: readonly FillEvent[];
  readonly roundTrips: readonly RoundTrip[];
  /** Exact account state after each fill. */
  readonly ledger: readonly FillLedgerEntry[];
  /** Per-event-time equity (float64, for charts and metrics). */
  readonly equity: { readonly times: Float64Array; readonly equity: Float64Array; readonly exposed: Uint8Array };
  /** Exact P&L at the end (positions marked at their last close). */
  readonly final: PnlSnapshot;
  readonly metrics: MetricsReport;
  readonly initialCash: DecimalString;
}

const BEFORE_WINDOW = noop('before the trading window');

/** A bar object reused for one symbol (strategies and indicators must not keep it). */
class MutableBar {
  /** Event time (the bar's close): not a Bar field, read by the paper exchange and the decision log. */
  time = 0;
  openTime = 0;
  open = 0;
  high = 0;
  low = 0;
  close = 0;
  volume = 0;
}

interface Sym {
  readonly s: BarSeries;
  readonly inst: { exchange: string; symbol: string };
  readonly bar: MutableBar;
  readonly n: number;
  idx: number;
  /** Close (event) time of bar idx: openTime[idx] + the timeframe, Infinity once every bar is done. */
  nextClose: number;
  prevOpen: number;
  barCount: number;
  lastClose: number;
  lastTime: number;
  /** Account position, float view of the exact one. */
  qty: number;
  /** Streaming ATR for risk's ATR sizing (only when the risk port needs it). */
  readonly atr: Atr | undefined;
  /** `exchange:symbol` is in the config's shortable list (set once the list is known). */
  shortable: boolean;
  atrValue: number;
}

interface Slot {
  readonly entry: StrategyEntry;
  readonly strategy: Strategy;
  readonly sym: Sym;
  readonly features: FeatureComputer;
  readonly ctx: StrategyContext & { time: number; barCount: number; position: number };
  readonly log: DecisionLog;
}

/**
 * Runs strategies over the bars of one or many symbols (same timeframe, time-aligned by event
 * time = bar close) on a simulated clock, executing ARCHITECTURE.md's sequence for every event
 * time T:
 *   1. pending orders matched against bar T (paper exchange) -> fills into the portfolio;
 *   2. positions marked at the close of T;
 *   3. features of T computed (streaming indicators; first bar after a gap flagged) and every
 *      (strategy, symbol) with a bar at T decides: one decision record each;
 *   4. the intents of T, in (strategy id, symbol) order, go through the risk decision against the
 *      state after 1-2; approvals are submitted to the paper exchange.
 * No look-ahead by construction: step 3 sees bar T and earlier only, orders decided at T fill on
 * later bars (or at T's close with cheat-on-close). Deterministic: same inputs, same outputs.
 * Throws on mixed timeframes or unsorted bars.
 */
export function runBacktest(config: BacktestConfig, series: readonly BarSeries[]): BacktestResult {
  if (series.length === 0) throw new Error('runBacktest: no series');
  if (config.strategies.length === 0) throw new Error('runBacktest: no strategies');
  const timeframe = series[0]!.timeframe;
  for (const s of series) if (s.timeframe !== timeframe) throw new Error(`runBacktest: mixed timeframes ${timeframe} and ${s.timeframe} (${s.symbol})`);
  const ids = new Set<string>();
  for (const e of config.strategies) {
    if (ids.has(e.id)) throw new Error(`runBacktest: duplicate strategy id ${e.id}`);
    ids.add(e.id);
  }
  const tf = timeframeMs(timeframe);
  const runId = config.runId;
  const exchange = series[0]!.exchange;
  const clock = new ManualClock();
  const markets = new Map((config.markets ?? []).map((m) => [m.symbol, m]));
  const syms: Sym[] = [...series]
    .sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0))
    .map((s) => {
      if (!markets.has(s.symbol)) markets.set(s.symbol, defaultMarket(s.symbol));
      return { s, inst: { exchange: s.exchange, symbol: s.symbol }, bar: new MutableBar(), n: s.openTime.length, idx: 0, nextClose: NaN, prevOpen: NaN, barCount: 0, lastClose: NaN, lastTime: NaN, qty: 0, atr: undefined as Atr | undefined, atrValue: NaN, shortable: false };
    });
  const quote = config.quoteCurrency ?? 'USDT';
  const paper = new PaperExchange({
    exchange,
    runId,
    clock,
    markets: [...markets.values()],
    fillModel: config.fillModel,
    balances: { [quote]: config.initialCash },
    source: 'backtest',
  });
  const portfolio = new Portfolio({ account: runId, quoteCurrency: quote, initialCash: config.initialCash, timeframe, shortable: config.shortable });
  const shortable = new Set(config.shortable ?? []);
  for (const s of syms) {
    s.shortable = shortable.has(`${exchange}:${s.s.symbol}`);
    s.nextClose = s.n > 0 ? s.s.openTime[0] + tf : Infinity;
  }
  const risk = config.risk ?? libRisk({ limits: config.riskLimits });
  if (risk.needsAtr) for (const s of syms) (s as { atr: Atr | undefined }).atr = new Atr(config.atrPeriod ?? 14);

  // (strategy id, symbol) order: the order of decisions and of the risk checks.
  const entries = [...config.strategies].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const slots: Slot[] = [];
  for (const entry of entries) {
    for (const sym of syms) {
      const strategy = entry.create(sym.s.symbol);
      if (strategy.id !== entry.id) throw new Error(`runBacktest: strategy entry ${entry.id} built an instance with id ${strategy.id}`);
      slots.push({
        entry,
        strategy,
        sym,
        features: new FeatureComputer(new FeatureLayout(strategy.features)),
        ctx: { time: 0, exchange, symbol: sym.s.symbol, timeframe, barCount: 0, position: 0, inputs: new Float64Array(strategy.inputNames.length).fill(NaN) },
        // (record i is bar i: its times, and an input equal to its close, are the bar's, not stored again)
        log: new DecisionLog(strategy, exchange, sym.s.symbol, timeframe, sym.n, sym.s),
      });
    }
  }
  // (strategy id, symbol) -> slot, two levels: no key string to build per fill
  const slotIndex = new Map<string, Map<string, Slot>>();
  for (const sl of slots) {
    let bySymbol = slotIndex.get(sl.entry.id);
    if (bySymbol === undefined) slotIndex.set(sl.entry.id, (bySymbol = new Map()));
    bySymbol.set(sl.sym.s.symbol, sl);
  }
  const symByName = new Map(syms.map((s) => [s.s.symbol, s]));

  // The approved events, made at decision time; with a deferring port (decideDeferred) without
  // their two ids (decision id and event id, both '' until the result's `approved` is read: see
  // lazyFields), so the run hashes nothing for them while the Approval itself (Decs, sizing
  // record) dies young instead of being kept, copied by every scavenge, until the end.
  const approvedEvents = objectArray<OrderApprovedEvent>();
  let idsPending = false;
  let rejIdsPending = false;
  const decideDeferred = risk.decideDeferred === undefined ? undefined : risk.decideDeferred.bind(risk);
  const rejected = objectArray<OrderRejectedEvent>();
  const orderEvents = objectArray<OrderEvent>();
  const fills = objectArray<FillEvent>();
  let totalBars = 0;
  for (const s of syms) totalBars += s.n;
  // The curve of event time e is at index e + 1: index 0 is left for the state before the first
  // bar, which the metrics prepend (see the end), so they read these arrays instead of copies.
  const eqTimes = new Float64Array(totalBars + 1);
  const eqValues = new Float64Array(totalBars + 1);
  const eqExposed = new Uint8Array(totalBars);
  const initialCashNum = Number(config.initialCash);
  let cash = initialCashNum;
  let e = 0;
  let barsDone = 0;
  let nextProgress = config.progressEvery ?? 10_000;
  const active = new Int32Array(syms.length);
  const pendSlots: Slot[] = [];
  const pendIntents: OrderIntent[] = [];
  const progressEvery = Math.max(1, config.progressEvery ?? 10_000);
  const onProgress = config.onProgress;
  const recordMarkers = config.recordBarMatched ?? false;
  const checkIdentity = config.checkIdentity ?? false;
  const tradeFrom = config.tradeFrom ?? -Infinity;
  const signals = config.signals;

  const takeOutput = (): void => {
    const evs: OrderUpdate[] = paper.takeEvents();
    for (let i = 0; i < evs.length; i++) orderEvents.push(evs[i]);
    const fs = paper.takeFills();
    for (let i = 0; i < fs.length; i++) applyFill(fs[i]);
  };
  const applyFill = (f: FillEvent): void => {
    fills.push(f);
    portfolio.bookFill(f); // (applyFill's effects, without its result's strings)
    cash = decNumber(portfolio.cash());
    const sym = symByName.get(f.symbol)!;
    sym.qty = decNumber(portfolio.quantity(sym.inst));
    const slot = slotIndex.get(f.strategyId)?.get(f.symbol);
    if (slot) {
      // With one strategy the account's position in the symbol is the strategy's own.
      slot.ctx.position = entries.length === 1 ? sym.qty : decNumber(portfolio.quantity(sym.inst, f.strategyId));
      slot.strategy.onFill?.({ time: f.tsEvent, side: f.side, price: Number(f.price), quantity: Number(f.quantity), role: f.role }, slot.ctx);
    }
    if (checkIdentity) assertIdentity(portfolio, f.fillId);
  };

  let markedAt = NaN;
  /** Step 2, exactly and lazily: the portfolio's marks only matter when risk or the end reads them. */
  const markPortfolio = (T: number): void => {
    if (markedAt === T) return;
    markedAt = T;
    for (const s of syms) if (s.qty !== 0 && s.barCount > 0) portfolio.mark(s.inst, s.lastClose, s.lastTime);
  };

  /**
   * Step 4 for one intent of event time T: the risk decision, then the paper exchange. A function
   * of its own rather than part of the loop's body: V8 compiles it apart from runBacktest (too big
   * to be inlined), so a deoptimisation in the decision's paths (a shape first seen late in a run)
   * throws away and recompiles this function only, not the whole event loop, whose compilation
   * takes 150-290 ms of compiler CPU.
   */
  const riskStep = (sl: Slot, intent: OrderIntent, T: number): void => {
    const sym = sl.sym;
    markPortfolio(T);
    // (a deferring port gets '' and the id is hashed only when an event needs it: see decideDeferred)
    const did = decideDeferred !== undefined ? '' : decisionId(runId, sl.entry.id, exchange, sym.s.symbol, T);
    const req: RiskRequest = {
      runId,
      exchange,
      symbol: sym.s.symbol,
      strategyId: sl.entry.id,
      decisionId: did,
      decisionTime: T,
      clientOrderId: () => clientOrderId(runId, sl.entry.id, sym.s.symbol, T, 0),
      intent,
      price: toDecimal(sym.lastClose),
      position: portfolio.quantity(sym.inst, sl.entry.id),
      equity: portfolio.equity(),
      cash: portfolio.cash(),
      market: markets.get(sym.s.symbol)!,
      slots: slots.length,
      tsInit: T,
      shortable: sym.shortable,
      timeframe,
      portfolio,
      openOrders: paper.openOrders(),
      lastBarTime: sym.lastTime,
      atr: sym.atrValue,
    };
    let submit: SubmitOrder | undefined;
    if (decideDeferred !== undefined) {
      const outcome = decideDeferred(req);
      if (outcome.kind === 'approval') {
        const ev = (toOutcomeEvent(outcome, T, 'risk') as { order: OrderApprovedEvent }).order;
        if (ev.decisionId === '') idsPending = true;
        approvedEvents.push(ev);
        submit = submitOrderFromApproval(ev);
      } else {
        if (outcome.rejection.decisionId === '') rejIdsPending = true;
        rejected.push(outcome.rejection);
      }
    } else {
      const outcome = risk.decide(req);
      if (outcome.kind === 'approved') {
        approvedEvents.push(outcome.order);
        submit = submitOrderFromApproval(outcome.order);
      } else rejected.push(outcome.rejection);
    }
    if (submit !== undefined) {
      const res = paper.submitAndTake(submit);
      for (const ev of res.events) orderEvents.push(ev);
      for (const f of res.fills) applyFill(f);
    }
  };

  for (;;) {
    // Next event time: the earliest bar close among the symbols.
    let T = Infinity;
    for (let k = 0; k < syms.length; k++) {
      const ct = syms[k].nextClose;
      if (ct < T) T = ct;
    }
    if (T === Infinity) break;
    clock.set(T);
    let na = 0;
    let exposed = 0;
    for (let k = 0; k < syms.length; k++) {
      const s = syms[k];
      if (s.qty !== 0) exposed = 1;
      if (s.nextClose === T) active[na++] = k;
    }
    // 1. match pending orders against bar T.
    for (let a = 0; a < na; a++) {
      const s = syms[active[a]];
      const i = s.idx;
      const src = s.s;
      const b = s.bar;
      b.time = T;
      b.openTime = src.openTime[i];
      b.open = src.open[i];
      b.high = src.high[i];
      b.low = src.low[i];
      b.close = src.close[i];
      b.volume = src.volume[i];
      // (the bar object, not six float arguments: a call boxes each float it passes)
      const nf = paper.matchBarOf(src.symbol, b);
      takeOutput();
      if (recordMarkers) orderEvents.push(paper.barMatched(src.symbol, timeframe, T, nf) as BarMatched);
      // 2. mark at the close of T (float view; the exact marks are applied lazily).
      s.lastClose = b.close;
      s.lastTime = T;
      s.barCount++;
      if (s.atr !== undefined) {
        const v = s.atr.update(b);
        s.atrValue = v === null ? NaN : v;
      }
    }
    // 3. features and decisions, (strategy id, symbol) order.
    let np = 0;
    for (let j = 0; j < slots.length; j++) {
      const sl = slots[j];
      const s = sl.sym;
      if (s.nextClose !== T) continue;
      const b = s.bar;
      const gap = s.barCount > 1 && b.openTime - s.prevOpen > tf;
      sl.features.update(b, gap);
      const ctx = sl.ctx;
      ctx.time = T;
      ctx.barCount = s.barCount;
      let d = sl.strategy.onBar(b, sl.features, signals === undefined ? undefined : signals(s.s.symbol, T), ctx);
      if (s.barCount < sl.strategy.warmupBars) d = WARMUP;
      else if (T < tradeFrom) d = BEFORE_WINDOW;
      sl.log.pushOf(b, d, ctx.inputs);
      if (d.kind === 'intent') {
        pendSlots[np] = sl;
        pendIntents[np++] = d.intent;
      }
    }
    for (let a = 0; a < na; a++) {
      const s = syms[active[a]];
      const ot = s.s.openTime;
      const i = s.idx;
      s.prevOpen = ot[i];
      s.idx = i + 1;
      s.nextClose = i + 1 < s.n ? ot[i + 1] + tf : Infinity;
    }
    // 4. risk, then the paper exchange.
    for (let p = 0; p < np; p++) {
      riskStep(pendSlots[p], pendIntents[p], T);
      pendSlots[p] = undefined as unknown as Slot;
    }
    // Equity at the end of T (float64 curve).
    let eq = cash;
    for (let k = 0; k < syms.length; k++) {
      const s = syms[k];
      if (s.qty !== 0) {
        eq += s.qty * s.lastClose;
        exposed = 1;
      }
    }
    eqTimes[e + 1] = T;
    eqValues[e + 1] = eq;
    eqExposed[e] = exposed;
    e++;
    barsDone += na;
    if (onProgress !== undefined && barsDone >= nextProgress) {
      nextProgress = barsDone + progressEvery;
      onProgress({ done: barsDone, total: totalBars, time: T, fills: fills.length });
    }
  }
  // The end: exact marks at every last close.
  for (const s of syms) if (s.barCount > 0) portfolio.mark(s.inst, s.lastClose, s.lastTime);
  if (checkIdentity) assertIdentity(portfolio, 'end');
  onProgress?.({ done: barsDone, total: totalBars, time: e > 0 ? eqTimes[e] : 0, fills: fills.length });

  // (every bar an event time, as with one symbol: the arrays are full, views with no copy)
  const times = e === totalBars ? eqTimes.subarray(1) : eqTimes.slice(1, e + 1);
  const equity = e === totalBars ? eqValues.subarray(1) : eqValues.slice(1, e + 1);
  const exposedArr = e === totalBars ? eqExposed : eqExposed.slice(0, e);
  const roundTrips = portfolio.roundTrips();
  const final = portfolio.pnl();
  if (e > 0) equity[e - 1] = Number(final.equity); // the last point is the exact final equity
  // Metrics on the trading window, with the state just before it prepended (one bar before the
  // first close of the window: the initial cash when the window starts with the run).
  let w0 = 0;
  while (w0 < e && times[w0] < tradeFrom) w0++;
  const wn = e - w0;
  let mt: Float64Array;
  let me: Float64Array;
  if (wn > 0 && w0 === 0 && e === totalBars) {
    // The window is the whole run and the curve is at 1..e of the arrays: slot 0 takes the start.
    eqTimes[0] = times[0] - tf;
    eqValues[0] = initialCashNum;
    mt = eqTimes;
    me = eqValues;
  } else {
    mt = new Float64Array(wn + 1);
    me = new Float64Array(wn + 1);
    if (wn > 0) {
      mt[0] = times[w0] - tf;
      me[0] = w0 > 0 ? equity[w0 - 1] : initialCashNum;
      mt.set(times.subarray(w0), 1);
      me.set(equity.subarray(w0), 1);
    }
  }
  const metrics = computeMetrics({
    times: wn > 0 ? mt : times.subarray(w0),
    equity: wn > 0 ? me : equity.subarray(w0),
    exposed: exposedArr.subarray(w0),
    timeframe,
    trades: roundTrips,
    feesPaid: final.fees,
    tradedNotional: decToString(portfolio.tradedNotional()),
  });
  return lazyFields(
    {
      runId,
      timeframe,
      symbols: syms.map((s) => s.s.symbol),
      strategies: entries.map((en) => {
        const st = slots.find((sl) => sl.entry === en)!.strategy;
        return { id: en.id, name: st.name, version: st.version, params: st.params, features: st.features };
      }),
      bars: totalBars,
      eventTimes: e,
      decisions: slots.map((sl) => sl.log),
      approved: approvedEvents, // a getter when ids are pending: see lazyFields
      rejected,
      orderEvents,
      fills,
      roundTrips,
      ledger: [] as readonly FillLedgerEntry[], // a getter: see lazyLedger
      equity: { times, equity, exposed: exposedArr },
      final,
      metrics,
      initialCash: config.initialCash,
    },
    portfolio,
    idsPending ? approvedEvents : undefined,
    rejIdsPending ? rejected : undefined,
  );
}

/**
 * Makes `result.ledger` a getter (same position among the fields, enumerable: a field like the
 * others for spreads and JSON): the ledger's decimal strings cost more than the rest of a fill's
 * booking, so they are made on first read. Likewise `result.approved` when risk deferred its
 * decision ids: on first read each event without ids gets its decision id (as the decision log
 * makes it) and its event id (`eventIdFrom('approved', decisionId)`, as toOutcomeEvent makes it),
 * set in place (the keys exist already, in the wire order): the very event toOutcomeEvent makes
 * from the Approval with its decision id. And `result.rejected` likewise when risk left the
 * rejections' ids '' (event id `eventIdFrom('rejected', decisionId)`). Made here, not in `runBacktest`, so that the
 * getters keep the portfolio and the events alive and not the whole run (paper exchange, slots, ...).
 */
function lazyFields<T extends { ledger: readonly FillLedgerEntry[]; approved: readonly OrderApprovedEvent[]; rejected: readonly OrderRejectedEvent[] }>(
  result: T,
  portfolio: Portfolio,
  idsPending: OrderApprovedEvent[] | undefined,
  rejIdsPending: OrderRejectedEvent[] | undefined,
): T {
  Object.defineProperty(result, 'ledger', { get: () => portfolio.ledger(), enumerable: true, configurable: true });
  if (idsPending !== undefined) idsOnRead(result, 'approved', idsPending);
  if (rejIdsPending !== undefined) idsOnRead(result, 'rejected', rejIdsPending);
  return result;
}

/**
 * Makes `result[field]` a getter of `events`, whose events left without ids (decisionId '') get them
 * on the first read, in place: the decision id as the decision log makes it and the event id
 * `eventIdFrom(field, decisionId)`, as toOutcomeEvent makes them.
 */
function idsOnRead<E extends OrderApprovedEvent | OrderRejectedEvent>(result: object, field: 'approved' | 'rejected', events: E[]): void {
  let done = false;
  const get = (): E[] => {
    if (!done) {
      done = true;
      for (let i = 0; i < events.length; i++) {
        const ev = events[i] as E & { decisionId: string; eventId: string };
        if (ev.decisionId !== '') continue;
        ev.decisionId = decisionId(ev.runId, ev.strategyId, ev.exchange, ev.symbol, ev.decisionTime);
        ev.eventId = eventIdFrom(field, ev.decisionId);
      }
    }
    return events;
  };
  Object.defineProperty(result, field, { get, enumerable: true, configurable: true });
}

/**
 * An empty array whose elements are already of V8's general kind (any value), not small integers
 * as `[]` starts: the run's event arrays are made anew by every run while the optimised loop that
 * pushes into them lives on, and its push expects the array it saw (objects). An array whose first
 * push comes after the loop was optimised (the 1M synthetic bars' first rejection: its last bars)
 * deoptimised the whole of runBacktest on every run, and each run then compiled it again (70-270 ms
 * of compiler CPU per run, more than any part of the run itself). Emptied, an array keeps its kind.
 */
function objectArray<T>(): T[] {
  const a: unknown[] = [undefined];
  a.length = 0;
  return a as T[];
}

/** Throws when the P&L identity does not hold to the last decimal. */
function assertIdentity(p: Portfolio, at: string): void {
  const s = p.pnl();
  const lhs = toDecimal(s.equity);
  const rhs = toDecimal(s.initialCash).plus(s.realized).plus(s.unrealized).minus(s.fees);
  const cmv = p.cashPlusMarketValue();
  if (!lhs.eq(rhs) || !lhs.eq(cmv)) {
    throw new Error(`P&L identity broken at ${at}: equity ${s.equity}, initial+realized+unrealized-fees ${decToString(rhs)}, cash+market value ${decToString(cmv)}`);
  }
}

/** Candle event id of a bar (market-data's `md.candles.v1` id): the cause of a decision. */
export function candleEventId(exchange: string, symbol: string, timeframe: Timeframe, openTime: number): string {
  return eventIdFrom('candle', exchange, symbol, timeframe, openTime, 'closed');
}

/**
 * Every decision record of a run as `orders.intents.v1` values, in (strategy id, symbol, time)
 * order, each caused by its candle's `md.candles.v1` event id. Materialised on demand: hashing a
 * million ids takes seconds, the run itself keeps them columnar.
 */
export function decisionEvents(r: BacktestResult): DecisionEvent[] {
  const out: DecisionEvent[] = [];
  for (const log of r.decisions) for (const ev of log.toEvents(r.runId, (openTime) => candleEventId(log.exchange, log.symbol, log.timeframe, openTime))) out.push(ev);
  return out;
}
