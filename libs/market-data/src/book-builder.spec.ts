import * as path from 'node:path';
import { L2BookBuilder, type BookGap } from './book-builder';
import type { L2Diff, L2Snapshot } from './book';
import { readDepthCsv, readHftCapture } from './adapters/import-book';
import { resolveDataDir } from './adapters/files';

const ticks = path.join(resolveDataDir(), 'ticks');
const snap = (id: number, bids: [number, number][] = [[100, 1]], asks: [number, number][] = [[101, 1]]): L2Snapshot => ({ lastUpdateId: id, ts: 0, bids, asks });
const diff = (U: number, u: number, extra: Partial<L2Diff> = {}): L2Diff => ({ firstUpdateId: U, lastUpdateId: u, ts: 0, bids: [], asks: [], ...extra });

describe('L2 book builder, synthetic (Binance rules)', () => {
  it('spot: buffers until the snapshot, drops stale diffs, bridges with U <= id+1 <= u, then requires U == u+1', () => {
    const b = new L2BookBuilder({ sequencing: 'spot' });
    expect(b.onDiff(diff(5, 8)).kind).toBe('buffered');
    expect(b.onDiff(diff(9, 12, { bids: [[100, 0], [99.5, 2]] })).kind).toBe('buffered');
    const replay = b.onSnapshot(snap(10));
    expect(replay.map((r) => r.kind)).toEqual(['stale', 'applied']);
    expect(b.book.lastUpdateId).toBe(12);
    expect(b.book.top()).toEqual({ bid: [99.5, 2], ask: [101, 1] });
    expect(b.onDiff(diff(13, 13, { asks: [[100.5, 3]] })).kind).toBe('applied');
    expect(b.book.top()!.ask).toEqual([100.5, 3]);
  });

  it('spot: a missing update id is a gap that asks for a resync, then a new snapshot recovers', () => {
    const gaps: BookGap[] = [];
    const b = new L2BookBuilder({ sequencing: 'spot', onResync: (g) => gaps.push(g) });
    b.onSnapshot(snap(10));
    expect(b.onDiff(diff(11, 12)).kind).toBe('applied');
    const r = b.onDiff(diff(14, 15)); // 13 lost
    expect(r).toMatchObject({ kind: 'gap', gap: { expectedAfter: 12, got: 14 } });
    expect(b.state).toBe('needs-resync');
    expect(gaps).toHaveLength(1);
    expect(b.onDiff(diff(16, 17)).kind).toBe('buffered');
    const replay = b.onSnapshot(snap(15, [[99, 1]], [[102, 1]]));
    expect(replay.map((x) => x.kind)).toEqual(['stale', 'applied']);
    expect(b.state).toBe('synced');
    expect(b.book.lastUpdateId).toBe(17);
  });

  it('spot: a first diff that starts after id+1 is a gap', () => {
    const b = new L2BookBuilder({ sequencing: 'spot' });
    b.onSnapshot(snap(10));
    expect(b.onDiff(diff(12, 14))).toMatchObject({ kind: 'gap', gap: { expectedAfter: 10, got: 12 } });
  });

  it('futures: bridges with U <= id <= u, then requires pu == previous u', () => {
    const b = new L2BookBuilder({ sequencing: 'futures' });
    b.onSnapshot(snap(100));
    expect(b.onDiff(diff(90, 99, { prevLastUpdateId: 89 })).kind).toBe('stale');
    expect(b.onDiff(diff(95, 105, { prevLastUpdateId: 94 })).kind).toBe('applied');
    expect(b.onDiff(diff(110, 120, { prevLastUpdateId: 105 })).kind).toBe('applied'); // ids may jump: pu chains
    expect(b.onDiff(diff(130, 140, { prevLastUpdateId: 125 }))).toMatchObject({ kind: 'gap', gap: { expectedAfter: 120, got: 125 } });
  });
});

describe('L2 book builder on recorded captures', () => {
  /** hftbacktest Binance combined-stream capture (nkaz001/hftbacktest, MIT), 2024-08-08 23:54 UTC. */
  it('spot capture: the recorded REST snapshot plus all depth@100ms diffs chain with no gap', async () => {
    const b = new L2BookBuilder({ sequencing: 'spot' });
    let replay: string[] = [];
    let diffs = 0;
    let crossed = 0;
    for await (const r of readHftCapture(path.join(ticks, 'hftbacktest/spot_btcusdt_20240808.jsonl.gz'))) {
      if (r.kind === 'snapshot') replay = b.onSnapshot(r.snapshot).map((x) => x.kind);
      else if (r.kind === 'depth') {
        diffs++;
        b.onDiff(r.diff);
        if (!b.book.isConsistent()) crossed++;
      }
    }
    expect(diffs).toBe(3451);
    // 3 diffs arrived before the snapshot: 2 older than it, 1 bridging it.
    expect(replay).toEqual(['stale', 'stale', 'applied']);
    expect(b.gaps).toEqual([]);
    expect(b.applied).toBe(3449);
    expect(b.state).toBe('synced');
    expect(crossed).toBe(0);
    expect(b.book.lastUpdateId).toBe(50093421584); // u of the last depth diff in the file
    expect(b.book.top()).toEqual({ bid: [61685.99, 1.0087], ask: [61686, 2.29327] });
  });

  it('USDT-M futures capture: pu chaining holds, and the book equals bookTicker whenever their update ids meet', async () => {
    const b = new L2BookBuilder({ sequencing: 'futures' });
    let checks = 0;
    const mismatches: number[] = [];
    for await (const r of readHftCapture(path.join(ticks, 'hftbacktest/usdm_btcusdt_20240808.jsonl.gz'))) {
      if (r.kind === 'snapshot') b.onSnapshot(r.snapshot);
      else if (r.kind === 'depth') b.onDiff(r.diff);
      else if (r.kind === 'bookTicker' && b.state === 'synced' && r.top.updateId === b.book.lastUpdateId) {
        checks++;
        const t = b.book.top()!;
        if (t.bid[0] !== r.top.bidPrice || t.bid[1] !== r.top.bidQty || t.ask[0] !== r.top.askPrice || t.ask[1] !== r.top.askQty) mismatches.push(r.line);
      }
    }
    expect(b.gaps).toEqual([]);
    expect(b.applied).toBe(6547); // 6,551 diffs: 4 older than the snapshot, 2 replayed from the buffer + 6,545 live
    expect(checks).toBe(126);
    expect(mismatches).toEqual([]);
  });

  /** nautilus_trader test data (LGPL-3.0): a futures snapshot and a diff recorded ~10 minutes later. */
  it('nautilus depth CSVs: the update does not continue the snapshot, so the builder reports a gap and asks for a resync', async () => {
    const events = [
      ...(await readDepthCsv(path.join(ticks, 'nautilus/btcusdt-depth-snap.csv'))),
      ...(await readDepthCsv(path.join(ticks, 'nautilus/btcusdt-depth-update.csv'))),
    ];
    expect(events.map((e) => e.kind)).toEqual(['snapshot', 'diff']);
    const s = events[0]!.kind === 'snapshot' ? events[0]!.snapshot : null;
    expect(s).toMatchObject({ lastUpdateId: 2098021528332 });
    expect(s!.bids).toHaveLength(100);
    const resyncs: BookGap[] = [];
    const b = new L2BookBuilder({ sequencing: 'futures', onResync: (g) => resyncs.push(g) });
    b.onSnapshot(s!);
    const d = events[1]!.kind === 'diff' ? events[1]!.diff : null;
    expect(d).toMatchObject({ firstUpdateId: 2098041693435, lastUpdateId: 2098041696700, prevLastUpdateId: 2098041693400 });
    expect(d!.bids.length + d!.asks.length).toBe(100);
    expect(b.onDiff(d!).kind).toBe('gap');
    expect(resyncs).toHaveLength(1);
    expect(resyncs[0]).toMatchObject({ expectedAfter: 2098021528332, got: 2098041693435 });
    // A fresh snapshot from the same moment as the diff would bridge it.
    const replay = b.onSnapshot({ lastUpdateId: 2098041695000, ts: d!.ts, bids: [[20000, 1]], asks: [[20500, 1]] });
    expect(replay.map((x) => x.kind)).toEqual(['applied']);
  });
});
