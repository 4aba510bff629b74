// Structure of docker-compose.yml (the same stack as `npm test`'s local infra, for Docker users),
// the root Dockerfile, Prometheus and Grafana provisioning. When a docker client with the compose
// plugin is present, `docker compose config -q` must accept the file too (it needs no engine).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { dockerCompose } from './manifest-tools';

const ROOT = path.resolve(__dirname, '..');
const APP_SERVICES = ['market-feed', 'otc-quotes', 'features', 'ml-inference', 'strategy', 'risk', 'execution', 'pnl', 'gateway'];
const METRICS = ['atp_bus_messages_total', 'atp_bus_handle_seconds', 'atp_orders_total', 'atp_fills_total', 'atp_equity'];

type Svc = Record<string, any>;
const compose = parse(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Svc>; volumes?: Record<string, unknown> };
const services = compose.services;

function envOf(s: Svc): Record<string, string> {
  if (Array.isArray(s.environment)) return Object.fromEntries(s.environment.map((e: string) => e.split(/=(.*)/s).slice(0, 2)));
  return (s.environment ?? {}) as Record<string, string>;
}
function dependsOn(s: Svc): string[] {
  return Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
}
/** Host paths of bind mounts written relative to the compose file (./...). */
function bindSources(s: Svc): string[] {
  return (s.volumes ?? [])
    .map((v: string | { type?: string; source?: string }) => (typeof v === 'string' ? v.split(':')[0] : v.type === 'bind' ? v.source : undefined))
    .filter((src: string | undefined): src is string => !!src && src.startsWith('./'));
}

describe('docker-compose.yml', () => {
  it('has the infra, every NestJS service, topic-init, prometheus and grafana', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['kafka', 'mongo', 'topic-init', 'prometheus', 'grafana', ...APP_SERVICES]));
  });

  it.each(Object.keys(services))('%s has an image or a build, and a healthcheck unless one-shot', (name) => {
    const s = services[name];
    expect(s.image || s.build).toBeTruthy();
    if (s.restart === 'no') return; // one-shot job (topic-init)
    expect(s.healthcheck?.test).toBeDefined();
    expect(s.healthcheck.disable).not.toBe(true);
  });

  it('uses the official images: apache/kafka in KRaft mode with container and host listeners, and mongo', () => {
    expect(services.kafka.image).toMatch(/^apache\/kafka:\d/);
    const env = envOf(services.kafka);
    expect(env.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(env.KAFKA_ADVERTISED_LISTENERS).toMatch(/kafka:9092/);
    expect(env.KAFKA_ADVERTISED_LISTENERS).toMatch(/localhost:19092/);
    expect(String(env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR)).toBe('1');
    expect(services.mongo.image).toMatch(/^mongo:\d/);
    expect(services['topic-init'].image).toMatch(/^apache\/kafka:/);
    expect(dependsOn(services['topic-init'])).toContain('kafka');
  });

  it.each(APP_SERVICES)('%s is built from the root Dockerfile, wired to kafka/mongo, with /health', (name) => {
    const s = services[name];
    expect(s.build.context).toBe('.');
    expect(s.build.dockerfile).toBe('Dockerfile');
    expect(s.build.args.SERVICE).toBe(name);
    expect(dependsOn(s)).toEqual(expect.arrayContaining(['kafka', 'mongo', 'topic-init']));
    expect(s.depends_on['topic-init'].condition).toBe('service_completed_successfully');
    const env = envOf(s);
    expect(env.KAFKA_BROKERS).toBe('kafka:9092');
    expect(env.MONGO_URL).toMatch(/^mongodb:\/\/mongo:27017\//);
    expect(Number(env.SERVICE_PORT)).toBeGreaterThan(0);
    // Free-running deployment, as the k8s overlays: commits every 100 ms; only pnl (nothing waits for it) batches its fetches.
    expect(env.KAFKA_COMMIT_INTERVAL_MS).toBe('100');
    expect(env.KAFKA_FETCH_MIN_BYTES).toBe(name === 'pnl' ? '1048576' : undefined);
    expect(JSON.stringify(s.healthcheck.test)).toContain('/health');
    expect(fs.existsSync(path.join(ROOT, 'services', name, 'package.json'))).toBe(true);
  });

  it('passes the gateway its kill-switch token GATEWAY_ADMIN_TOKEN from the environment, required, with no default or literal', () => {
    const raw = fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
    expect(envOf(services.gateway).GATEWAY_ADMIN_TOKEN).toMatch(/^\$\{GATEWAY_ADMIN_TOKEN:\?[^}$]+\}$/);
    expect(raw.match(/^\s+GATEWAY_ADMIN_TOKEN:/gm)).toHaveLength(1); // the gateway's entry only
    for (const name of Object.keys(services).filter((n) => n !== 'gateway')) expect({ name, token: envOf(services[name]).GATEWAY_ADMIN_TOKEN }).toEqual({ name, token: undefined });
  });

  it('gives every service its own port', () => {
    const ports = APP_SERVICES.map((n) => envOf(services[n]).SERVICE_PORT);
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('references only files that exist', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const src of bindSources(s)) {
        expect({ service: name, path: src, exists: fs.existsSync(path.join(ROOT, src)) }).toEqual({ service: name, path: src, exists: true });
      }
      if (s.build) {
        const ctx = typeof s.build === 'string' ? s.build : s.build.context;
        expect(fs.existsSync(path.join(ROOT, ctx, s.build.dockerfile ?? 'Dockerfile'))).toBe(true);
      }
    }
  });

  it('scrapes every service from prometheus.yml on its SERVICE_PORT', () => {
    const prom = parse(fs.readFileSync(path.join(ROOT, 'infra/prometheus/prometheus.yml'), 'utf8'));
    const targets: string[] = prom.scrape_configs.flatMap((j: any) => j.static_configs.flatMap((c: any) => c.targets));
    for (const n of APP_SERVICES) expect(targets).toContain(`${n}:${envOf(services[n]).SERVICE_PORT}`);
  });

  it('provisions a Grafana datasource and a dashboard with a panel per platform metric', () => {
    const ds = parse(fs.readFileSync(path.join(ROOT, 'infra/grafana/provisioning/datasources/prometheus.yml'), 'utf8'));
    expect(ds.datasources[0]).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090' });
    const provider = parse(fs.readFileSync(path.join(ROOT, 'infra/grafana/provisioning/dashboards/atp.yml'), 'utf8'));
    expect(provider.providers[0].options.path).toBe('/var/lib/grafana/dashboards');
    const dash = JSON.parse(fs.readFileSync(path.join(ROOT, 'infra/grafana/dashboards/atp.json'), 'utf8'));
    const exprs: string[] = dash.panels.flatMap((p: any) => p.targets.map((t: any) => t.expr));
    for (const m of METRICS) expect(exprs.some((e) => e.includes(m))).toBe(true);
    expect(exprs.some((e) => /histogram_quantile\(.*atp_bus_handle_seconds_bucket/.test(e))).toBe(true);
    for (const p of dash.panels) expect(p.datasource.uid).toBe(ds.datasources[0].uid);
  });
});

describe('Dockerfile', () => {
  const df = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  it('is multi-stage on node:20-slim, installs with npm ci and runs a service through tools/register.cjs', () => {
    expect(df.match(/^FROM node:20-slim/gm)?.length).toBeGreaterThanOrEqual(2);
    expect(df).toMatch(/npm ci/);
    expect(df).toMatch(/ARG SERVICE/);
    expect(df).toMatch(/node -r \.\/tools\/register\.cjs services\/\$\{SERVICE_NAME\}\/src\/main\.ts/);
    expect(fs.existsSync(path.join(ROOT, 'tools/register.cjs'))).toBe(true);
  });
});

// `docker compose config` validates the file against the compose spec without an engine (Docker
// Compose v2, built by `npm test` through infra/tools/install.sh when no docker CLI has it).
describe('docker compose config', () => {
  const compose = dockerCompose();
  it('accepts docker-compose.yml', () => {
    const file = path.join(ROOT, 'docker-compose.yml');
    const r = spawnSync(compose[0]!, [...compose.slice(1), '-f', file, 'config', '-q'], { encoding: 'utf8', env: { ...process.env, GATEWAY_ADMIN_TOKEN: 'test-token' } });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('refuses to start without GATEWAY_ADMIN_TOKEN', () => {
    const env = { ...process.env };
    delete env['GATEWAY_ADMIN_TOKEN'];
    const r = spawnSync(compose[0]!, [...compose.slice(1), '-f', path.join(ROOT, 'docker-compose.yml'), 'config', '-q'], { encoding: 'utf8', env });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/GATEWAY_ADMIN_TOKEN/);
  });
});
