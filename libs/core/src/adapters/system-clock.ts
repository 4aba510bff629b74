import type { Clock } from '../clock';

/** The wall clock, for live and paper modes only. The one place domain types meet real time. */
export const systemClock: Clock = {
  now: () => Date.now(),
};
