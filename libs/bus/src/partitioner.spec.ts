import { murmur2, partitionForKey, KeyPartitioner } from './partitioner';
// kafkajs's own Java-compatible implementation, as a second reference
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2') as (k: Buffer) => number;

describe('murmur2 partitioner (Kafka DefaultPartitioner)', () => {
  it('matches the reference values of Kafka UtilsTest.testMurmur2', () => {
    // org.apache.kafka.common.utils.UtilsTest#testMurmur2 (Apache Kafka, clients tests)
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [k, h] of cases) expect(murmur2(Buffer.from(k))).toBe(h);
  });

  it('agrees with kafkajs on random keys, so both buses put a key on the same partition', () => {
    for (let i = 0; i < 2000; i++) {
      const key = `binance:${Math.random().toString(36).slice(2, 2 + (i % 17))}/USDT`;
      expect(murmur2(Buffer.from(key))).toBe(kafkajsMurmur2(Buffer.from(key)));
    }
    expect(partitionForKey('binance:BTC/USDT', 6)).toBe((kafkajsMurmur2(Buffer.from('binance:BTC/USDT')) & 0x7fffffff) % 6);
  });

  it('spreads null keys round-robin and caches keyed partitions', () => {
    const p = new KeyPartitioner(3, 2);
    expect([p.partition(null), p.partition(null), p.partition(null), p.partition(null)]).toEqual([0, 1, 2, 0]);
    for (const k of ['a', 'b', 'c', 'a']) expect(p.partition(k)).toBe(partitionForKey(k, 3));
  });
});
