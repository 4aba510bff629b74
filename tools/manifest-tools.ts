// The manifest validators the k8s and compose specs run: kustomize and Docker Compose v2, built by
// infra/tools/install.sh (which `npm test` runs) into the cache, or found on PATH.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

const CACHE = process.env['ATP_CACHE_DIR'] || path.join(os.homedir(), '.cache', 'atp');
const HINT = 'run through `npm test` (it builds them with infra/tools/install.sh), or run infra/tools/install.sh once';

const runs = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

function cached(envKey: string, dir: string, bin: string): string | undefined {
  const fromEnv = process.env[envKey];
  if (fromEnv && fs.existsSync(fromEnv)) return fromEnv;
  const tools = path.join(CACHE, 'tools');
  const homes = fs.existsSync(tools) ? fs.readdirSync(tools).filter((d) => d.startsWith(`${dir}-`)).sort().reverse() : [];
  for (const h of homes) {
    const p = path.join(tools, h, 'bin', bin);
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}

/** `[command, ...args]` that runs `kustomize build`; throws naming how to get one. */
export function kustomizeBuild(): string[] {
  const p = cached('ATP_KUSTOMIZE', 'kustomize', 'kustomize');
  if (p) return [p, 'build'];
  if (runs('kustomize', ['version'])) return ['kustomize', 'build'];
  if (runs('kubectl', ['version', '--client'])) return ['kubectl', 'kustomize'];
  throw new Error(`no kustomize binary (nor kubectl): ${HINT}`);
}

/** `[command, ...args]` that runs Docker Compose v2 (`docker compose` or a standalone `docker-compose`); throws naming how to get one. */
export function dockerCompose(): string[] {
  const p = cached('ATP_DOCKER_COMPOSE', 'docker-compose', 'docker-compose');
  if (p) return [p];
  if (runs('docker', ['compose', 'version'])) return ['docker', 'compose'];
  throw new Error(`no Docker Compose v2 binary: ${HINT}`);
}
