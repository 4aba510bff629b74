import { busMetrics, createMetrics, Metrics, recordServiceInfo } from './index';

describe('metrics registry', () => {
  it('prefixes every metric with atp_, including the default process metrics', async () => {
    const m = createMetrics();
    const bus = busMetrics(m);
    bus.messages.inc({ topic: 'md.candles.v1', group: 'features', outcome: 'ok' });
    bus.handleSeconds.observe({ topic: 'md.candles.v1', group: 'features' }, 0.003);
    recordServiceInfo(m, { service: 'features', version: '0.1.0', mode: 'paper' });
    const text = await m.text();
    expect(text).toContain('atp_bus_messages_total{topic="md.candles.v1",group="features",outcome="ok"} 1');
    expect(text).toContain('atp_bus_handle_seconds_bucket{le="0.005",topic="md.candles.v1",group="features"} 1');
    expect(text).toContain('atp_service_info{service="features",version="0.1.0",mode="paper"} 1');
    expect(text).toContain('atp_process_cpu_user_seconds_total');
    const names = (await m.registry.getMetricsAsJSON()).map((x) => x.name);
    expect(names.filter((n) => !n.startsWith('atp_'))).toEqual([]);
    expect(m.contentType).toContain('text/plain');
  });

  it('returns the same metric when asked twice, and refuses a type clash', () => {
    const m = createMetrics({ defaultMetrics: false });
    expect(m.counter('x_total', 'x')).toBe(m.counter('atp_x_total', 'x'));
    expect(() => m.gauge('x_total', 'x')).toThrow(/already registered/);
    expect(Metrics.fullName('y')).toBe('atp_y');
  });

  it('keeps registries apart, so several services can live in one process', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.counter('only_a_total', 'a').inc();
    expect(await b.text()).not.toContain('atp_only_a_total');
  });
});
