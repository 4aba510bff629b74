import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type Metric } from 'prom-client';

/** Every metric of the platform is named `atp_<...>` so dashboards can select them in one pattern. */
export const METRIC_PREFIX = 'atp_';

/** Handler latency buckets in seconds: 0.5 ms .. 10 s. */
export const HANDLE_SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

export interface MetricsOptions {
  /** Node/process metrics (`atp_process_cpu_seconds_total`, `atp_nodejs_eventloop_lag_seconds`, ...). Default true. */
  defaultMetrics?: boolean;
  /** Labels added to every series (e.g. `{ instance }`); none by default. */
  defaultLabels?: Record<string, string>;
}

/**
 * A prom-client registry of its own (never the global one, so several services or tests in one
 * process do not collide) with idempotent helpers that prefix names with `atp_`.
 */
export class Metrics {
  readonly registry = new Registry();

  constructor(opts: MetricsOptions = {}) {
    if (opts.defaultLabels) this.registry.setDefaultLabels(opts.defaultLabels);
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });
  }

  /** `atp_`-prefixed name; a name that already has the prefix is kept. */
  static fullName(name: string): string {
    return name.startsWith(METRIC_PREFIX) ? name : METRIC_PREFIX + name;
  }

  /** Returns the counter registered under this name, or registers it. */
  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return this.getOrCreate(name, Counter, () => new Counter<L>({ name: Metrics.fullName(name), help, labelNames, registers: [this.registry] }));
  }

  gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    return this.getOrCreate(name, Gauge, () => new Gauge<L>({ name: Metrics.fullName(name), help, labelNames, registers: [this.registry] }));
  }

  histogram<L extends string>(name: string, help: string, labelNames: readonly L[] = [], buckets: readonly number[] = HANDLE_SECONDS_BUCKETS): Histogram<L> {
    return this.getOrCreate(
      name,
      Histogram,
      () => new Histogram<L>({ name: Metrics.fullName(name), help, labelNames, buckets: [...buckets], registers: [this.registry] }),
    );
  }

  /** Prometheus text exposition of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private getOrCreate<M extends Metric>(name: string, kind: abstract new (...args: never[]) => Metric, create: () => M): M {
    const existing = this.registry.getSingleMetric(Metrics.fullName(name));
    if (existing) {
      if (!(existing instanceof kind)) throw new Error(`metric ${Metrics.fullName(name)} is already registered as another type`);
      return existing as M;
    }
    return create();
  }
}

export function createMetrics(opts: MetricsOptions = {}): Metrics {
  return new Metrics(opts);
}

/** Outcome of one delivery of a message to a handler. */
export type BusOutcome = 'ok' | 'error';

/** The bus consumer metrics every service exposes. */
export interface BusMetrics {
  /** `atp_bus_messages_total{topic,group,outcome}`: handled deliveries. */
  readonly messages: Counter<'topic' | 'group' | 'outcome'>;
  /** `atp_bus_handle_seconds{topic,group}`: handler duration in seconds. */
  readonly handleSeconds: Histogram<'topic' | 'group'>;
}

export function busMetrics(m: Metrics): BusMetrics {
  return {
    messages: m.counter('bus_messages_total', 'Messages delivered to a handler, by outcome (ok, error: retried or dead-lettered by the bus).', ['topic', 'group', 'outcome']),
    handleSeconds: m.histogram('bus_handle_seconds', 'Time a bus handler took, in seconds.', ['topic', 'group']),
  };
}

/** `atp_service_info{service,version,mode} 1`: which services run, at which version, in which trading mode. */
export function recordServiceInfo(m: Metrics, info: { service: string; version: string; mode: string }): void {
  m.gauge('service_info', 'Service metadata; the value is always 1.', ['service', 'version', 'mode']).set(info, 1);
}
