import { backtestConfigFromSpec, parsePipelineSpec, PipelineSpecError, specRiskLimits, specSlots, strategyInstances } from './run-spec';

const SPEC = {
  version: 1,
  runId: 'r1',
  exchange: 'binance',
  timeframe: '1h',
  symbols: ['ETH/USDT', 'BTC/USDT'],
  initialCash: '10000',
  strategies: [
    { id: 'b', strategy: 'ma-crossover', params: { fast: 5, slow: 20 } },
    { id: 'a', strategy: 'ma-crossover', symbols: ['BTC/USDT'], sizing: { method: 'fixed-notional', notional: '500' } },
  ],
  risk: { limits: { sizing: { method: 'fixed-notional', notional: '1000' } } },
};

describe('pipeline spec', () => {
  it('validates, freezes and orders instances by id with sorted symbols', () => {
    const spec = parsePipelineSpec(SPEC);
    expect(Object.isFrozen(spec.strategies[0])).toBe(true);
    expect(strategyInstances(spec).map((s) => [s.id, s.symbols])).toEqual([
      ['a', ['BTC/USDT']],
      ['b', ['BTC/USDT', 'ETH/USDT']],
    ]);
    expect(specSlots(spec)).toBe(3);
    expect(specRiskLimits(spec)?.sizingByStrategy).toEqual({ a: { method: 'fixed-notional', notional: '500' } });
  });

  it('names every bad field', () => {
    expect(() => parsePipelineSpec({ ...SPEC, initialCash: 'lots' })).toThrow(/initialCash/);
    expect(() => parsePipelineSpec({ ...SPEC, strategies: [{ id: 'x', strategy: 'nope' }] })).toThrow(/strategies\[0\]: unknown strategy "nope"/);
    expect(() => parsePipelineSpec({ ...SPEC, strategies: [{ id: 'x', strategy: 'ma-crossover', params: { fast: 50, slow: 20 } }] })).toThrow(PipelineSpecError);
    expect(() => parsePipelineSpec({ ...SPEC, strategies: [{ id: 'x', strategy: 'ma-crossover', symbols: ['XRP/USDT'] }] })).toThrow(/XRP\/USDT is not a symbol of the run/);
  });

  it('gives the backtester the same run, refusing what it cannot run', () => {
    const spec = parsePipelineSpec({ ...SPEC, strategies: [SPEC.strategies[0]] });
    const cfg = backtestConfigFromSpec(spec);
    expect(cfg.runId).toBe('r1');
    expect(cfg.strategies.map((s) => s.id)).toEqual(['b']);
    expect(cfg.markets?.map((m) => m.symbol)).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(() => backtestConfigFromSpec(parsePipelineSpec(SPEC))).toThrow(/every symbol/);
  });
});
