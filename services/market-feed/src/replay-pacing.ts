import type { Bus } from '@atp/bus';

/**
 * Paces a lockstep replay for people watching it (`npm start`'s dashboard): called after each
 * event time has drained, it waits until `rate` event times per second have elapsed since the
 * first one (catching up without waiting when the pipeline is slower than that). `rate` 0: no
 * pacing, as fast as the pipeline drains.
 */
export function replayPacer(rate: number, now: () => number = Date.now): () => Promise<void> {
  if (!(rate > 0)) return async () => undefined;
  let t0: number | undefined;
  let n = 0;
  return async () => {
    const t = now();
    if (t0 === undefined) t0 = t;
    n++;
    const wait = t0 + (n * 1000) / rate - t;
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    // After a long stall (a slow pipeline), restart the schedule rather than bursting to catch up.
    else if (wait < -1000) {
      t0 = t;
      n = 0;
    }
  };
}

/**
 * The bus a replay driver runs on, whose lag reads throw `stopped()` once `isStopping()` is true:
 * a lockstep wait for a pipeline whose consumers already stopped (host shutdown) ends at once
 * instead of polling until the stall timeout.
 */
export function stoppableLagBus(bus: Bus, isStopping: () => boolean, stopped: () => Error): Bus {
  return new Proxy(bus, {
    get(target, prop, receiver) {
      if (prop === 'lag') {
        return (...args: Parameters<Bus['lag']>) => {
          if (isStopping()) return Promise.reject(stopped());
          return target.lag(...args);
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
