#!/usr/bin/env node
// Creates the pipeline topics listed in topics.txt (and each one's <topic>.dlq), idempotently.
// usage: node create-topics.cjs [brokers=$KAFKA_BROKERS|127.0.0.1:19092] [partitions=$KAFKA_TOPIC_PARTITIONS|3]
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { Kafka, logLevel } = require('kafkajs');

const brokers = (process.argv[2] || process.env.KAFKA_BROKERS || `127.0.0.1:${process.env.KAFKA_PORT || 19092}`).split(',');
const partitions = Number(process.argv[3] || process.env.KAFKA_TOPIC_PARTITIONS || 3);
const names = fs
  .readFileSync(path.join(__dirname, 'topics.txt'), 'utf8')
  .split('\n')
  .map((l) => l.replace(/#.*/, '').trim())
  .filter(Boolean);
const topics = names.flatMap((t) => [t, `${t}.dlq`]);

(async () => {
  const admin = new Kafka({ clientId: 'atp-topic-init', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
      });
    }
    console.error(`topics: ${missing.length} created, ${topics.length - missing.length} existed (${partitions} partitions each)`);
  } finally {
    await admin.disconnect();
  }
})().catch((e) => {
  console.error(`create-topics failed: ${e && e.message ? e.message : e}`);
  process.exit(1);
});
