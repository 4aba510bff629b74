import * as ind from '@atp/indicators';
const N = 1_000_000;
const x = new Float64Array(N), h = new Float64Array(N), l = new Float64Array(N), v = new Float64Array(N), t = new Float64Array(N);
let p = 30000; let s = 1;
const r = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
for (let i = 0; i < N; i++) { const o = p; p *= 1 + (r() - 0.5) * 0.02; x[i] = p; h[i] = Math.max(o, p) * (1 + r() * 0.005); l[i] = Math.min(o, p) * (1 - r() * 0.005); v[i] = r() * 100; t[i] = i * 3600000; }
function best(name: string, f: () => void, reps = 5) { let b = Infinity; for (let k = 0; k < reps; k++) { const t0 = process.hrtime.bigint(); f(); const d = Number(process.hrtime.bigint() - t0); if (d < b) b = d; } console.log(name.padEnd(22), (b / N).toFixed(2)); }
const o1 = new Float64Array(N), o2 = new Float64Array(N), o3 = new Float64Array(N);
const which = process.argv[2] ?? 'all';
if (which === 'all' || which === 'stream') {
best('sma stream', () => { const q = new ind.Sma(20); for (let i = 0; i < N; i++) q.update(x[i]); });
best('ema stream', () => { const q = new ind.Ema(20); for (let i = 0; i < N; i++) q.update(x[i]); });
best('wma stream', () => { const q = new ind.Wma(20); for (let i = 0; i < N; i++) q.update(x[i]); });
best('rsi stream', () => { const q = new ind.Rsi(14); for (let i = 0; i < N; i++) q.update(x[i]); });
best('bbands stream', () => { const q = new ind.BBands(20, 2); for (let i = 0; i < N; i++) q.update(x[i]); });
best('macd stream', () => { const q = new ind.Macd(); for (let i = 0; i < N; i++) q.update(x[i]); });
best('atr stream', () => { const q = new ind.Atr(14); for (let i = 0; i < N; i++) q.update({ high: h[i], low: l[i], close: x[i] }); });
best('stoch stream', () => { const q = new ind.Stoch(); for (let i = 0; i < N; i++) q.update({ high: h[i], low: l[i], close: x[i] }); });
best('dmi stream', () => { const q = new ind.Dmi(14); for (let i = 0; i < N; i++) q.update({ high: h[i], low: l[i], close: x[i] }); });
best('cci stream', () => { const q = new ind.Cci(14); for (let i = 0; i < N; i++) q.update({ high: h[i], low: l[i], close: x[i] }); });
best('donchian stream', () => { const q = new ind.Donchian(20); for (let i = 0; i < N; i++) q.update({ high: h[i], low: l[i] }); });
}
if (which === 'all' || which === 'batch') {
best('sma', () => ind.sma(x, 20, o1));
best('wma', () => ind.wma(x, 20, o1));
best('rsi', () => ind.rsi(x, 14, o1));
best('stddev', () => ind.stddev(x, 20, 1, o1));
best('bbands', () => ind.bbands(x, 20, 2, 2, { upper: o1, middle: o2, lower: o3 }));
best('cci', () => ind.cci(h, l, x, 14, o1));
best('stoch', () => ind.stoch(h, l, x, 5, 3, 3, { k: o1, d: o2 }));
best('stochf', () => ind.stochf(h, l, x, 5, 3, { k: o1, d: o2 }));
best('donchian', () => ind.donchian(h, l, 20, { upper: o1, middle: o2, lower: o3 }));
best('dmi', () => ind.dmi(h, l, x, 14, { adx: o1, plusDi: o2, minusDi: o3 }));
best('obv', () => ind.obv(x, v, o1));
best('atr', () => ind.atr(h, l, x, 14, o1));
}
