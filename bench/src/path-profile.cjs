/**
 * `node bench/src/path-profile.cjs <embedded-latency.cpuprofile> [N] [filter]`: where the event loop's
 * time between a candle's publication and its order's acknowledgement goes, from the profile the
 * pipeline bench writes of its measured embedded latency run (PIPELINE_BENCH_PROFILE=<dir>). Keeps
 * the samples inside any order's interval (`pathWindows`, the profile's clock: µs) — the pipeline
 * runs on one thread, so whatever runs then is the path or delays it — and prints the top N
 * functions by self and by inclusive time (share of those samples), optionally only those whose
 * name or file contains `filter`.
 */
const fs = require('node:fs');

const [file, nArg, filter] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/src/path-profile.cjs <embedded-latency.cpuprofile> [N] [filter]\n');
  process.exit(2);
}
const top = Number(nArg ?? 40);
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
if (!Array.isArray(profile.pathWindows)) throw new Error(`${file}: no pathWindows (not the bench's embedded latency profile)`);

// Merge the orders' intervals (several orders share an event time) into sorted disjoint ones.
const windows = [];
for (const [a, b] of [...profile.pathWindows].sort((x, y) => x[0] - y[0])) {
  const last = windows[windows.length - 1];
  if (last && a <= last[1]) last[1] = Math.max(last[1], b);
  else windows.push([a, b]);
}

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (cf) => `${cf.functionName || '(anonymous)'} ${cf.url.replace(/^.*?\/(libs|services|bench|apps|tests|node_modules)\//, '$1/')}:${cf.lineNumber + 1}`;

const self = new Map();
const inclusive = new Map();
let kept = 0;
let t = profile.startTime;
let w = 0;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i];
  while (w < windows.length && windows[w][1] < t) w++;
  if (w >= windows.length || t < windows[w][0]) continue;
  const node = byId.get(profile.samples[i]);
  if (node.callFrame.functionName === '(idle)') continue;
  kept++;
  const k = label(node.callFrame);
  self.set(k, (self.get(k) ?? 0) + 1);
  const seen = new Set();
  for (let id = profile.samples[i]; id !== undefined; id = parent.get(id)) {
    const kk = label(byId.get(id).callFrame);
    if (seen.has(kk)) continue; // recursion: counted once per sample
    seen.add(kk);
    inclusive.set(kk, (inclusive.get(kk) ?? 0) + 1);
  }
}

const msPerSample = (profile.endTime - profile.startTime) / profile.samples.length / 1000;
console.log(`${kept} samples between candles and acknowledgements (~${(kept * msPerSample).toFixed(0)} ms over ${windows.length} intervals, ~${((kept * msPerSample) / Math.max(1, windows.length)).toFixed(3)} ms each)`);
for (const [name, m] of [['self', self], ['inclusive', inclusive]]) {
  console.log(`-- ${name}`);
  [...m]
    .filter(([k]) => !filter || k.includes(filter))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .forEach(([k, c]) => console.log(`${((100 * c) / kept).toFixed(1).padStart(6)}% ${k}`));
}
