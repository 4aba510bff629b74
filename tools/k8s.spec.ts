// Structure of the Kustomize manifests in k8s/: every NestJS service has a Deployment (probes,
// resources, ConfigMap env, Prometheus annotations) and a Service; Kafka and MongoDB run as
// StatefulSets behind headless Services; a topic-init Job; paper/live overlays; and no secret
// value is ever written into the manifests. If `kustomize` or `kubectl` is on PATH, both
// overlays must also build.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { kustomizeBuild } from './manifest-tools';

const ROOT = path.resolve(__dirname, '..');
const K8S = path.join(ROOT, 'k8s');
const APP_SERVICES = ['market-feed', 'otc-quotes', 'features', 'ml-inference', 'strategy', 'risk', 'execution', 'pnl', 'gateway'];
const STATELESS = ['gateway', 'ml-inference', 'otc-quotes'];
const SECRETISH = /(KEY|SECRET|PASSWORD|PASSPHRASE|TOKEN|PRIVATE)/i;

type Doc = Record<string, any> & { kind: string; metadata: { name: string; [k: string]: any } };

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return yamlFiles(p);
    return /\.ya?ml$/.test(e.name) ? [p] : [];
  });
}

const files = yamlFiles(K8S);
const docsByFile = new Map<string, Doc[]>(
  files.map((f) => {
    const docs = parseAllDocuments(fs.readFileSync(f, 'utf8'));
    for (const d of docs) if (d.errors.length) throw new Error(`${path.relative(ROOT, f)}: ${d.errors[0].message}`);
    return [f, docs.map((d) => d.toJS() as Doc).filter(Boolean)];
  }),
);
const isKustomization = (f: string) => path.basename(f) === 'kustomization.yaml';
const manifests = [...docsByFile.entries()].filter(([f]) => !isKustomization(f)).flatMap(([, d]) => d);
const base = [...docsByFile.entries()].filter(([f]) => f.startsWith(path.join(K8S, 'base')) && !isKustomization(f)).flatMap(([, d]) => d);
const find = (kind: string, name: string) => base.find((d) => d.kind === kind && d.metadata?.name === name);
const kustomization = (dir: string) => parse(fs.readFileSync(path.join(K8S, dir, 'kustomization.yaml'), 'utf8'));

function containerOf(d: Doc) {
  return d.spec.template.spec.containers[0];
}
function topicList(file: string): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean);
}

describe('k8s manifests', () => {
  it('parse, and every manifest has apiVersion, kind and a name', () => {
    expect(manifests.length).toBeGreaterThan(20);
    for (const d of manifests) {
      expect(d.apiVersion).toBeTruthy();
      expect(d.kind).toBeTruthy();
      expect(d.metadata?.name).toBeTruthy();
    }
  });

  it('base kustomization lists every base manifest, and each listed file exists', () => {
    const k = kustomization('base');
    for (const r of k.resources) expect(fs.existsSync(path.join(K8S, 'base', r))).toBe(true);
    const listed = new Set(k.resources.map((r: string) => path.join(K8S, 'base', r)));
    for (const f of files.filter((f) => f.startsWith(path.join(K8S, 'base')) && !isKustomization(f))) expect(listed).toContain(f);
  });

  describe.each(APP_SERVICES)('%s', (name) => {
    const dep = find('Deployment', name)!;
    const svc = find('Service', name)!;

    it('has a Deployment and a Service that selects its pods', () => {
      expect(dep).toBeDefined();
      expect(svc).toBeDefined();
      const labels = dep.spec.template.metadata.labels;
      expect(dep.spec.selector.matchLabels).toEqual(expect.objectContaining(svc.spec.selector));
      for (const [k, v] of Object.entries(svc.spec.selector)) expect(labels[k]).toBe(v);
    });

    it('has readiness /health/ready and liveness /health/live probes on its port, and resources', () => {
      const c = containerOf(dep);
      expect(c.readinessProbe.httpGet.path).toBe('/health/ready');
      expect(c.livenessProbe.httpGet.path).toBe('/health/live');
      const port = c.ports.find((p: any) => p.name === c.readinessProbe.httpGet.port || p.containerPort === c.readinessProbe.httpGet.port);
      expect(port).toBeDefined();
      expect(c.resources.requests.cpu).toBeTruthy();
      expect(c.resources.requests.memory).toBeTruthy();
      expect(c.resources.limits.memory).toBeTruthy();
      expect(c.env.find((e: any) => e.name === 'SERVICE_PORT').value).toBe(String(port.containerPort));
      expect(svc.spec.ports[0].targetPort).toBe(port.name);
    });

    it('takes env from the atp-config ConfigMap and exchange keys only from the optional atp-exchange-keys Secret', () => {
      const c = containerOf(dep);
      expect(c.envFrom).toEqual(expect.arrayContaining([{ configMapRef: { name: 'atp-config' } }]));
      for (const ef of c.envFrom.filter((e: any) => e.secretRef)) expect(ef.secretRef).toEqual({ name: 'atp-exchange-keys', optional: true });
      for (const e of c.env ?? []) {
        const sk = e.valueFrom?.secretKeyRef;
        if (sk && e.name === 'GATEWAY_ADMIN_TOKEN') continue; // the gateway's admin token, below
        if (sk) expect(sk).toMatchObject({ name: 'atp-exchange-keys', optional: true });
      }
    });

    it('is scraped by Prometheus on /metrics', () => {
      const a = dep.spec.template.metadata.annotations;
      expect(a['prometheus.io/scrape']).toBe('true');
      expect(a['prometheus.io/path']).toBe('/metrics');
      expect(a['prometheus.io/port']).toBe(String(containerOf(dep).ports[0].containerPort));
    });

    it(STATELESS.includes(name) ? 'is autoscaled by an HPA' : 'is a single Recreate replica (stateful), without HPA', () => {
      const hpa = find('HorizontalPodAutoscaler', name);
      if (STATELESS.includes(name)) {
        expect(hpa?.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name });
        expect(hpa!.spec.maxReplicas).toBeGreaterThan(hpa!.spec.minReplicas);
      } else {
        expect(hpa).toBeUndefined();
        expect(dep.spec.replicas).toBe(1);
        expect(dep.spec.strategy.type).toBe('Recreate');
      }
    });
  });

  it('wires GATEWAY_ADMIN_TOKEN (kill switch) into the gateway only, from the required Secret atp-gateway-admin, never a literal', () => {
    const env = containerOf(find('Deployment', 'gateway')!).env as any[];
    const tok = env.filter((e) => e.name === 'GATEWAY_ADMIN_TOKEN');
    expect(tok).toEqual([{ name: 'GATEWAY_ADMIN_TOKEN', valueFrom: { secretKeyRef: { name: 'atp-gateway-admin', key: 'GATEWAY_ADMIN_TOKEN' } } }]);
    for (const name of APP_SERVICES.filter((n) => n !== 'gateway')) {
      const c = containerOf(find('Deployment', name)!);
      expect({ name, token: JSON.stringify([c.env, c.envFrom]).includes('GATEWAY_ADMIN_TOKEN') || JSON.stringify(c.envFrom).includes('atp-gateway-admin') }).toEqual({ name, token: false });
    }
    for (const f of files) expect({ file: path.relative(ROOT, f), literal: /GATEWAY_ADMIN_TOKEN\s*=/.test(fs.readFileSync(f, 'utf8').replace(/#.*$/gm, '')) }).toMatchObject({ literal: false });
  });

  it.each([
    ['kafka', /^apache\/kafka:\d/],
    ['mongo', /^mongo:\d/],
  ])('%s runs as a StatefulSet of the official image behind a headless Service', (name, image) => {
    const sts = find('StatefulSet', name)!;
    const svc = find('Service', name)!;
    expect(containerOf(sts).image).toMatch(image);
    expect(svc.spec.clusterIP).toBe('None');
    expect(sts.spec.serviceName).toBe(name);
    expect(sts.spec.volumeClaimTemplates.length).toBeGreaterThan(0);
    expect(containerOf(sts).readinessProbe).toBeDefined();
  });

  it('Kafka is KRaft (broker+controller) and the ConfigMap points at the StatefulSet pods', () => {
    const env = Object.fromEntries(containerOf(find('StatefulSet', 'kafka')!).env.map((e: any) => [e.name, e.value]));
    expect(env.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    const lit = Object.fromEntries(kustomization('base').configMapGenerator.find((g: any) => g.name === 'atp-config').literals.map((l: string) => l.split(/=(.*)/s)));
    expect(lit.KAFKA_BROKERS).toBe('kafka-0.kafka:9092');
    expect(lit.MONGO_URL).toMatch(/^mongodb:\/\/mongo-0\.mongo:27017\//);
  });

  it('has a topic-init Job that creates the same topics as infra/kafka/topics.txt', () => {
    const job = find('Job', 'topic-init')!;
    expect(job).toBeDefined();
    expect(containerOf(job).image).toMatch(/^apache\/kafka:/);
    expect(job.spec.template.spec.volumes[0].configMap.name).toBe('atp-topics');
    expect(topicList(path.join(K8S, 'base/topics.txt'))).toEqual(topicList(path.join(ROOT, 'infra/kafka/topics.txt')));
  });

  it('inlines no Secret value anywhere', () => {
    expect(manifests.filter((d) => d.kind === 'Secret')).toEqual([]);
    for (const f of files.filter(isKustomization)) {
      const k = parse(fs.readFileSync(f, 'utf8'));
      expect(k.secretGenerator).toBeUndefined();
      for (const g of k.configMapGenerator ?? []) {
        for (const l of g.literals ?? []) expect({ file: path.relative(ROOT, f), literal: l, secretish: SECRETISH.test(l.split('=')[0]) }).toMatchObject({ secretish: false });
      }
    }
    const walk = (o: unknown, where: string): void => {
      if (Array.isArray(o)) return o.forEach((x, i) => walk(x, `${where}[${i}]`));
      if (!o || typeof o !== 'object') return;
      const r = o as Record<string, unknown>;
      if (typeof r.name === 'string' && 'value' in r && SECRETISH.test(r.name)) throw new Error(`inline secret-like env ${r.name} at ${where}`);
      for (const [k, v] of Object.entries(r)) walk(v, `${where}.${k}`);
    };
    for (const d of manifests) walk(d, `${d.kind}/${d.metadata.name}`);
  });

  it('paper and live overlays set their namespace and mode; only live opts in to live trading', () => {
    const paper = kustomization('overlays/paper');
    const live = kustomization('overlays/live');
    const lits = (k: any) => (k.configMapGenerator ?? []).flatMap((g: any) => g.literals ?? []);
    for (const k of [paper, live]) {
      expect(k.resources).toContain('../../base');
      expect(k.namespace).toBeTruthy();
      expect(k.images.map((i: any) => i.name).sort()).toEqual(APP_SERVICES.map((s) => `atp/${s}`).sort());
    }
    expect(paper.namespace).not.toBe(live.namespace);
    expect(lits(paper)).toContain('TRADING_MODE=paper');
    expect(lits(live)).toEqual(expect.arrayContaining(['TRADING_MODE=live', 'ATP_LIVE_CONFIRM=yes-i-understand']));
    const everywhereElse = files.filter((f) => !f.startsWith(path.join(K8S, 'overlays/live')));
    for (const f of everywhereElse) expect(fs.readFileSync(f, 'utf8')).not.toMatch(/ATP_LIVE_CONFIRM/);
    expect(live.images.every((i: any) => i.newTag && i.newTag !== 'latest')).toBe(true);
  });
});

// Build the overlays with kustomize (built by `npm test` through infra/tools/install.sh; it needs no cluster).
describe('kustomize build', () => {
  const kustomizeCmd = kustomizeBuild();
  it.each(['overlays/paper', 'overlays/live'])('%s builds, with the generated ConfigMap wired into every Deployment', (o) => {
    const r = spawnSync(kustomizeCmd[0]!, [...kustomizeCmd.slice(1), path.join(K8S, o)], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJS() as Doc);
    const cm = docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name.startsWith('atp-config'))!;
    expect(cm.data.TRADING_MODE).toBe(o.endsWith('live') ? 'live' : 'paper');
    for (const d of docs.filter((x) => x.kind === 'Deployment')) {
      expect(containerOf(d).envFrom[0].configMapRef.name).toBe(cm.metadata.name);
      expect(d.metadata.namespace).toBe(o.endsWith('live') ? 'atp-live' : 'atp-paper');
    }
    const gw = containerOf(docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'gateway')!);
    expect(gw.env.find((e: any) => e.name === 'GATEWAY_ADMIN_TOKEN').valueFrom.secretKeyRef.name).toBe('atp-gateway-admin');
    expect(docs.filter((d) => d.kind === 'Secret')).toEqual([]);
    // Free-running deployments: commits every 100 ms; pnl (nothing waits for it) fetches in batches of up to 100 ms, the others at once.
    expect(cm.data.KAFKA_COMMIT_INTERVAL_MS).toBe('100');
    const envOf = (name: string) => Object.fromEntries((containerOf(docs.find((d) => d.kind === 'Deployment' && d.metadata.name === name)!).env as { name: string; value?: string }[]).map((e) => [e.name, e.value]));
    expect(envOf('pnl')).toMatchObject({ KAFKA_FETCH_MIN_BYTES: '1048576', KAFKA_MAX_WAIT_TIME_MS: '100', SERVICE_NAME: 'pnl' });
    for (const s of ['strategy', 'risk', 'execution']) expect(envOf(s).KAFKA_FETCH_MIN_BYTES).toBeUndefined();
  });
});
