import { InProcessBus } from '@atp/bus';
import { replayPacer, stoppableLagBus } from './replay-pacing';

describe('replayPacer', () => {
  it('spaces event times at `rate` per second from the first one', async () => {
    const pace = replayPacer(50); // 20 ms each
    const t0 = Date.now();
    for (let i = 0; i < 6; i++) await pace();
    // The first call starts the schedule; the 6th is due 6 x 20 ms after it.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(6 * 20 - 3);
  });
  it('does not wait with rate 0, nor when the pipeline is slower than the rate', async () => {
    let now = 0;
    const slow = replayPacer(10, () => now);
    await slow();
    now = 5_000; // far behind schedule: restarts instead of bursting
    const t0 = Date.now();
    await slow();
    await replayPacer(0)();
    expect(Date.now() - t0).toBeLessThan(50);
  });
});

describe('stoppableLagBus', () => {
  it('answers lag reads until stopping, then rejects them; everything else is the bus', async () => {
    const bus = new InProcessBus();
    let stopping = false;
    const b = stoppableLagBus(bus, () => stopping, () => new Error('stopped'));
    expect(await b.lag('g', ['t'])).toBe(0);
    stopping = true;
    await expect(b.lag('g', ['t'])).rejects.toThrow('stopped');
    expect((await b.health()).ok).toBe(true);
    await b.close();
    expect((await bus.health()).ok).toBe(false);
  });
});
