import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The Kafka pipeline tests each run five service processes; two such runs side by side on a
 * 2-core machine starve each other's start-up. They take turns through a lock directory
 * (mkdir is atomic), keyed by the broker so separate stacks do not wait on each other.
 */
const lockDir = () => path.join(os.tmpdir(), `atp-kafka-pipeline-${(process.env.KAFKA_BROKERS ?? 'none').replace(/[^A-Za-z0-9]/g, '_')}.lock`);

export async function acquirePipelineTurn(timeoutMs = 900_000): Promise<void> {
  const dir = lockDir();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'pid'), String(process.pid));
      return;
    } catch {
      // A holder that died leaves its pid behind: take the lock over.
      const pid = Number(fs.readFileSync(path.join(dir, 'pid'), { encoding: 'utf8', flag: 'a+' }) || 0);
      let alive = pid > 0;
      if (alive) {
        try { process.kill(pid, 0); } catch { alive = false; }
      }
      if (!alive) fs.rmSync(dir, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${dir}`);
      else await new Promise((r) => setTimeout(r, 500));
    }
  }
}

export function releasePipelineTurn(): void {
  fs.rmSync(lockDir(), { recursive: true, force: true });
}
