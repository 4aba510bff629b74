import { ManualClock } from '@atp/core';
import type { AuditEntry } from '@atp/audit';
import { EXEC_INPUT, ExecutionCore, type ExecutionOutput } from './execution-core';
import { executionAuditEntries, executionAuditPreparer } from './execution.audit';
import { approval, candle, spec } from './test-support';

describe('execution audit entries built lazily (executionAuditPreparer)', () => {
  it('gives the eager entries of every batch, built after the venue moved on (bracket legs filled, cancelled, pruned); none for marker-only batches', () => {
    const core = new ExecutionCore(spec, new ManualClock(0));
    const eager = executionAuditEntries(core);
    const prepare = executionAuditPreparer(core);
    const batches: { eager: AuditEntry[]; build: (() => AuditEntry[]) | undefined; out: ExecutionOutput[] }[] = [];
    const inputs: [string, unknown][] = [
      [EXEC_INPUT.candle, candle(0, 100, 101, 99, 100)],
      [EXEC_INPUT.approval, approval('c1', 0, { bracket: { stopLoss: '95', takeProfit: '110' } })],
      [EXEC_INPUT.candle, candle(1, 101, 102, 100, 101)], // entry fills, legs armed
      [EXEC_INPUT.candle, candle(2, 100, 111, 99, 105)], // take-profit fills, stop-loss cancelled
      [EXEC_INPUT.approval, approval('c2', 2, { bracket: { stopLoss: '90' } })],
      [EXEC_INPUT.candle, candle(3, 104, 105, 103, 104)],
      [EXEC_INPUT.candle, candle(4, 100, 101, 85, 88)], // stop-loss fills
      [EXEC_INPUT.candle, candle(5, 88, 89, 87, 88)],
    ];
    for (const [k, v] of inputs) {
      const out = core.apply(k, v, false);
      batches.push({ out, eager: eager(out), build: prepare(out) });
    }
    const withLegs = batches.flatMap((b) => b.eager).filter((e) => e.kind === 'order' && e.causes?.[0]?.kind === 'order');
    expect(withLegs.length).toBeGreaterThanOrEqual(3); // bracket legs caused by their entry order were recorded
    for (const b of batches) {
      if (b.eager.length === 0) expect(b.build).toBeUndefined();
      else expect(b.build!()).toEqual(b.eager);
    }
    expect(batches.filter((b) => b.build === undefined).length).toBeGreaterThan(0); // marker-only batches append nothing
  });
});
