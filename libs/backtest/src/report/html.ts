import type { BacktestResult } from '../engine';
import type { BarSeries } from '../series';
import { drawdownSeries, monthlyReturns, pricePanels, resultJson, type PricePanel } from './report-data';

/**
 * The backtest report: one self-contained HTML page (inline CSS, inline SVG, a few lines of inline
 * JS for the trade-table filter; no external resource, no CDN), so it opens offline and renders
 * with no console errors. Pure: returns the page as a string (the adapter writes it).
 */

const W = 1100;
const COLORS = ['#e6550d', '#3182bd', '#31a354', '#756bb1', '#636363', '#d6616b', '#8c6d31'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmt(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return Math.abs(x) >= 1e6 ? x.toExponential(3) : Number(x.toFixed(digits)).toString();
}
const pct = (x: number | null | undefined, d = 2) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(d)}%`);
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

/** Min/max decimation: at most ~2 points per pixel column, extremes kept. Returns index list. */
function decimate(xs: ArrayLike<number>, ys: ArrayLike<number>, columns: number): number[] {
  const n = xs.length;
  if (n <= columns * 2) return Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  const per = n / columns;
  for (let c = 0; c < columns; c++) {
    const a = Math.floor(c * per);
    const b = Math.min(n, Math.floor((c + 1) * per));
    let lo = -1;
    let hi = -1;
    for (let i = a; i < b; i++) {
      const y = ys[i];
      if (!Number.isFinite(y)) continue;
      if (lo < 0 || y < ys[lo]) lo = i;
      if (hi < 0 || y > ys[hi]) hi = i;
    }
    if (lo < 0) continue;
    if (lo === hi) out.push(lo);
    else out.push(Math.min(lo, hi), Math.max(lo, hi));
  }
  return out;
}

interface Scale {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  w: number;
  h: number;
  pad: number;
}
const sx = (s: Scale, x: number) => s.pad + ((x - s.x0) / (s.x1 - s.x0 || 1)) * (s.w - 2 * s.pad);
const sy = (s: Scale, y: number) => s.h - 20 - ((y - s.y0) / (s.y1 - s.y0 || 1)) * (s.h - 40);

function path(s: Scale, xs: ArrayLike<number>, ys: ArrayLike<number>): string {
  const idx = decimate(xs, ys, Math.floor(s.w - 2 * s.pad));
  let d = '';
  let pen = false;
  for (const i of idx) {
    const y = ys[i];
    if (!Number.isFinite(y)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${sx(s, xs[i]).toFixed(1)},${sy(s, y).toFixed(1)}`;
    pen = true;
  }
  return d;
}

function range(arrays: ArrayLike<number>[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const a of arrays)
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  if (lo === Infinity) return [0, 1];
  if (lo === hi) return [lo - 1, hi + 1];
  const m = (hi - lo) * 0.04;
  return [lo - m, hi + m];
}

function axes(s: Scale, yFmt: (v: number) => string): string {
  let g = '';
  for (let k = 0; k <= 4; k++) {
    const v = s.y0 + ((s.y1 - s.y0) * k) / 4;
    const y = sy(s, v).toFixed(1);
    g += `<line x1="${s.pad}" x2="${s.w - s.pad}" y1="${y}" y2="${y}" class="grid"/><text x="${s.pad - 4}" y="${y}" class="yl">${esc(yFmt(v))}</text>`;
  }
  for (let k = 0; k <= 5; k++) {
    const t = s.x0 + ((s.x1 - s.x0) * k) / 5;
    g += `<text x="${sx(s, t).toFixed(1)}" y="${s.h - 4}" class="xl">${iso(t).slice(0, 10)}</text>`;
  }
  return g;
}

/** `yMax`: an upper bound of the values (0 for drawdowns), so the axis does not pad above it. */
function lineChart(title: string, xs: ArrayLike<number>, series: { name: string; ys: ArrayLike<number>; color: string; fill?: boolean }[], yFmt: (v: number) => string, h = 260, yMax?: number): string {
  if (xs.length === 0) return `<h2>${esc(title)}</h2><p>no data</p>`;
  const [y0, padded] = range(series.map((s) => s.ys));
  const y1 = yMax !== undefined && y0 < yMax ? Math.min(padded, yMax) : padded;
  const s: Scale = { x0: xs[0], x1: xs[xs.length - 1], y0, y1, w: W, h, pad: 70 };
  let body = axes(s, yFmt);
  for (const ser of series) {
    const d = path(s, xs, ser.ys);
    if (ser.fill) body += `<path d="${d}L${sx(s, s.x1).toFixed(1)},${sy(s, Math.max(y0, Math.min(y1, 0))).toFixed(1)}L${sx(s, s.x0).toFixed(1)},${sy(s, Math.max(y0, Math.min(y1, 0))).toFixed(1)}Z" fill="${ser.color}" fill-opacity="0.25" stroke="none"/>`;
    body += `<path d="${d}" fill="none" stroke="${ser.color}" stroke-width="1.2"/>`;
  }
  const legend = series.map((x) => `<span style="color:${x.color}">■ ${esc(x.name)}</span>`).join(' ');
  return `<h2>${esc(title)}</h2><div class="legend">${legend}</div><svg viewBox="0 0 ${W} ${h}" width="100%" role="img" aria-label="${esc(title)}">${body}</svg>`;
}

function priceChart(p: PricePanel): string {
  const xs = p.times;
  const series = [{ name: `${p.symbol} close`, ys: p.close, color: '#222' }, ...p.overlays.map((o, i) => ({ name: o.name, ys: o.values, color: COLORS[i % COLORS.length]! }))];
  const [y0, y1] = range(series.map((s) => s.ys));
  const h = 340;
  const s: Scale = { x0: xs[0] ?? 0, x1: xs[xs.length - 1] ?? 1, y0, y1, w: W, h, pad: 70 };
  let body = axes(s, (v) => Number(v.toPrecision(5)).toString());
  for (const ser of series) body += `<path d="${path(s, xs, ser.ys)}" fill="none" stroke="${ser.color}" stroke-width="${ser.color === '#222' ? 1 : 0.9}"/>`;
  // markers at the fill's bar open time (fill time is the bar close)
  const tf = xs.length > 1 ? xs[1] - xs[0] : 0;
  for (const b of p.buys) body += `<path d="M${sx(s, b.time - tf).toFixed(1)},${(sy(s, b.price) + 2).toFixed(1)}l-4,8h8z" class="buy"><title>buy ${b.price} @ ${iso(b.time)}</title></path>`;
  for (const b of p.sells) body += `<path d="M${sx(s, b.time - tf).toFixed(1)},${(sy(s, b.price) - 2).toFixed(1)}l-4,-8h8z" class="sell"><title>sell ${b.price} @ ${iso(b.time)}</title></path>`;
  const legend = series.map((x) => `<span style="color:${x.color}">■ ${esc(x.name)}</span>`).join(' ') + ' <span class="buyc">▲ buy</span> <span class="sellc">▼ sell</span>';
  return `<h2>Price ${esc(p.symbol)} with indicators and trades</h2><div class="legend">${legend}</div><svg viewBox="0 0 ${W} ${h}" width="100%" role="img" aria-label="price ${esc(p.symbol)}">${body}</svg>`;
}

function monthlyTable(times: ArrayLike<number>, equity: ArrayLike<number>, start: number): string {
  const m = monthlyReturns(times, equity, start);
  const names = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  let rows = '';
  for (const [y, months] of [...m.entries()].sort((a, b) => a[0] - b[0])) {
    let yr = 1;
    const cells = months
      .map((r) => {
        if (r === undefined) return '<td></td>';
        yr *= 1 + r;
        return `<td class="${r >= 0 ? 'pos' : 'neg'}">${pct(r, 1)}</td>`;
      })
      .join('');
    rows += `<tr><th>${y}</th>${cells}<td class="${yr - 1 >= 0 ? 'pos' : 'neg'}"><b>${pct(yr - 1, 1)}</b></td></tr>`;
  }
  return `<h2>Monthly returns</h2><table class="monthly"><tr><th></th>${names.map((n) => `<th>${n}</th>`).join('')}<th>Year</th></tr>${rows}</table>`;
}

function metricsTable(r: BacktestResult): string {
  const m = r.metrics;
  const f = r.final;
  const rows: [string, string][] = [
    ['Initial cash', r.initialCash],
    ['Final equity (exact)', f.equity],
    ['Realized P&L (gross)', f.realized],
    ['Unrealized P&L', f.unrealized],
    ['Fees', f.fees],
    ['Total return', pct(m.bars.totalReturn)],
    ['Annual return (CAGR)', pct(m.bars.annualReturn)],
    ['Annual volatility (per-bar)', pct(m.bars.annualVolatility)],
    ['Sharpe (per-bar)', fmt(m.bars.sharpe, 3)],
    ['Sortino (per-bar)', fmt(m.bars.sortino, 3)],
    ['Sharpe (daily)', fmt(m.daily.sharpe, 3)],
    ['Sortino (daily)', fmt(m.daily.sortino, 3)],
    ['Max drawdown', pct(m.bars.maxDrawdown)],
    ['Calmar', fmt(m.bars.calmar, 3)],
    ['Trades (round trips)', String(m.trades.trades)],
    ['Win rate', pct(m.trades.winRate)],
    ['Profit factor', fmt(m.trades.profitFactor, 3)],
    ['Exposure', pct(m.exposure)],
    ['Turnover', fmt(m.turnover, 2)],
    ['Bars', String(r.bars)],
  ];
  return `<h2>Metrics</h2><table class="kv">${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`;
}

function tradesTable(r: BacktestResult): string {
  const rows = r.roundTrips
    .map(
      (t, i) =>
        `<tr><td>${i + 1}</td><td>${esc(t.symbol)}</td><td>${esc(t.strategyId)}</td><td>${t.side}</td><td>${iso(t.entryTime)}</td><td>${iso(t.exitTime)}</td><td>${esc(t.quantity)}</td><td>${esc(t.avgEntry)}</td><td>${esc(t.avgExit)}</td><td>${esc(t.fees)}</td><td class="${t.netPnl.startsWith('-') ? 'neg' : 'pos'}">${esc(t.netPnl)}</td><td>${t.barsHeld}</td></tr>`,
    )
    .join('');
  return `<h2>Trades (${r.roundTrips.length})</h2><input id="q" placeholder="filter trades" aria-label="filter trades"><table class="trades" id="trades"><thead><tr><th>#</th><th>Symbol</th><th>Strategy</th><th>Side</th><th>Entry (UTC)</th><th>Exit (UTC)</th><th>Qty</th><th>Entry px</th><th>Exit px</th><th>Fees</th><th>Net P&amp;L</th><th>Bars</th></tr></thead><tbody>${rows}</tbody></table>`;
}

const CSS = `body{font:13px/1.4 system-ui,sans-serif;margin:20px;color:#222;max-width:1160px}h1{font-size:20px}h2{font-size:15px;margin:22px 0 4px}
svg{background:#fff;border:1px solid #ddd}.grid{stroke:#eee}.yl{font-size:10px;text-anchor:end;dominant-baseline:middle;fill:#666}.xl{font-size:10px;text-anchor:middle;fill:#666}
.legend{font-size:11px;margin:2px 0}.buy{fill:#2ca02c}.sell{fill:#d62728}.buyc{color:#2ca02c}.sellc{color:#d62728}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ddd;padding:2px 6px;text-align:right}th{background:#f6f6f6}
.kv th{text-align:left}.pos{color:#1a7f37}.neg{color:#c62828}.trades{width:100%}#q{margin:4px 0;padding:2px 4px}`;

const JS = `(function(){var q=document.getElementById('q');var rows=document.querySelectorAll('#trades tbody tr');if(!q)return;q.addEventListener('input',function(){var v=q.value.toLowerCase();for(var i=0;i<rows.length;i++){rows[i].style.display=rows[i].textContent.toLowerCase().indexOf(v)>=0?'':'none';}});})();`;

/** Renders the report page of a run over `series` (the bars it ran on). */
export function renderReportHtml(r: BacktestResult, series: readonly BarSeries[], title = `Backtest ${r.runId}`): string {
  const eqT = r.equity.times;
  const eq = r.equity.equity;
  const dd = drawdownSeries(eq);
  const strategies = r.strategies.map((s) => `${esc(s.id)} <code>${esc(s.version)}</code>`).join('<br>');
  const summary = JSON.stringify({ runId: r.runId, symbols: r.symbols, timeframe: r.timeframe, counts: resultJson(r).counts }).replace(/</g, '\\u003c');
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    // an empty inline icon: otherwise a browser asks the server for /favicon.ico (a 404 in the console)
    '<link rel="icon" href="data:,">',
    `<title>${esc(title)}</title><style>${CSS}</style></head><body>`,
    `<h1>${esc(title)}</h1><p>${r.symbols.map(esc).join(', ')} · ${r.timeframe} · ${eqT.length > 0 ? `${iso(eqT[0])} → ${iso(eqT[eqT.length - 1])} UTC` : ''}<br>${strategies}</p>`,
    metricsTable(r),
    lineChart('Equity', eqT, [{ name: 'equity (quote)', ys: eq, color: '#3182bd' }], (v) => Number(v.toPrecision(6)).toString()),
    lineChart('Drawdown', eqT, [{ name: 'drawdown', ys: dd, color: '#d62728', fill: true }], (v) => pct(v, 1), 180, 0),
    ...pricePanels(r, series).map(priceChart),
    monthlyTable(eqT, eq, Number(r.initialCash)),
    tradesTable(r),
    `<script type="application/json" id="summary">${summary}</script>`,
    `<script>${JS}</script>`,
    '</body></html>',
  ].join('\n');
}
