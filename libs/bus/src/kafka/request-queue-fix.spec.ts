import { kafkajsRequestQueue } from './request-queue-fix';

/** kafkajs's RequestQueue as the fix leaves it (request-queue-fix.ts patches the prototype on import). */
interface Queue {
  pending: { send(): void; expectResponse: boolean; correlationId: number }[];
  inflight: Map<number, unknown>;
  throttledUntil: number;
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
  destroy(): void;
}
const RequestQueue = kafkajsRequestQueue() as unknown as new (o: object) => Queue;
const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const queue = (maxInFlightRequests: number | null = null): Queue => new RequestQueue({ maxInFlightRequests, requestTimeout: 30_000, enforceRequestTimeout: false, clientId: 'spec', broker: 'localhost:9092', logger });
const request = (correlationId: number) => ({ send: jest.fn(), expectResponse: true, correlationId });

describe('kafkajs RequestQueue without the idle spin', () => {
  afterEach(() => jest.useRealTimers());

  it('arms no timer when nothing is pending (kafkajs 2.2.4 re-arms a 1 ms one forever)', () => {
    jest.useFakeTimers();
    const q = queue();
    q.checkPendingRequests(); // what every response triggers
    expect(q.throttleCheckTimeoutId).toBeNull();
    expect(jest.getTimerCount()).toBe(0);
    q.throttledUntil = Date.now() + 500; // a throttle with nothing queued: nothing to check either
    q.scheduleCheckPendingRequests();
    expect(jest.getTimerCount()).toBe(0);
    q.destroy();
  });

  it('sends a request queued behind a broker throttle once the throttle ends, not before', () => {
    jest.useFakeTimers();
    const q = queue();
    q.throttledUntil = Date.now() + 200;
    const r = request(1);
    q.pending.push(r);
    q.scheduleCheckPendingRequests();
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(199);
    expect(r.send).not.toHaveBeenCalled();
    jest.advanceTimersByTime(2);
    expect(r.send).toHaveBeenCalledTimes(1);
    expect(q.pending).toHaveLength(0);
    // and then the queue is quiet again
    expect(jest.getTimerCount()).toBe(0);
    q.destroy();
  });

  it('re-checks every 10 ms while a request waits for an in-flight slot (the marginal-throttle case too)', () => {
    jest.useFakeTimers();
    const q = queue(1);
    q.inflight.set(7, {}); // the one slot is taken
    const r = request(8);
    q.pending.push(r);
    q.scheduleCheckPendingRequests();
    jest.advanceTimersByTime(30);
    expect(r.send).not.toHaveBeenCalled();
    expect(jest.getTimerCount()).toBe(1); // still waiting, still checking
    q.inflight.delete(7); // the response arrives
    jest.advanceTimersByTime(10);
    expect(r.send).toHaveBeenCalledTimes(1);
    expect(jest.getTimerCount()).toBe(0);
    q.destroy();
  });
});
