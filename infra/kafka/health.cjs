#!/usr/bin/env node
// Waits until a Kafka broker answers a real request (admin describeCluster) or gives up.
// usage: node health.cjs <host:port> [timeoutSeconds=90] [pidToWatch]
// Exit 0 when healthy; 1 on timeout or when the watched process died.
'use strict';
const { Kafka, logLevel } = require('kafkajs');

const broker = process.argv[2] || `127.0.0.1:${process.env.KAFKA_PORT || 19092}`;
const timeoutMs = Number(process.argv[3] || 90) * 1000;
const pid = process.argv[4] ? Number(process.argv[4]) : undefined;
const deadline = Date.now() + timeoutMs;

const alive = (p) => {
  try {
    process.kill(p, 0);
    return true;
  } catch {
    return false;
  }
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function attempt() {
  const kafka = new Kafka({
    clientId: 'atp-health',
    brokers: [broker],
    connectionTimeout: 1000,
    requestTimeout: 3000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const c = await admin.describeCluster();
    if (!c.brokers.length || c.controller === null || c.controller === undefined) throw new Error('no controller yet');
    return c;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

(async () => {
  let last = 'not tried';
  while (Date.now() < deadline) {
    if (pid !== undefined && !alive(pid)) {
      console.error(`kafka health: broker process ${pid} exited`);
      process.exit(1);
    }
    try {
      const c = await attempt();
      console.error(`kafka health: ok, cluster ${c.clusterId}, ${c.brokers.length} broker(s), controller ${c.controller}`);
      process.exit(0);
    } catch (e) {
      last = e && e.message ? e.message : String(e);
    }
    await sleep(250);
  }
  console.error(`kafka health: ${broker} did not answer describeCluster within ${timeoutMs / 1000}s (last error: ${last})`);
  process.exit(1);
})();
