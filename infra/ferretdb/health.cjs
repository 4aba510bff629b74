#!/usr/bin/env node
// Waits until a MongoDB-wire server answers `ping` through the official mongodb driver.
// usage: node health.cjs <mongodb-url> [timeoutSeconds=60] [pidToWatch]
'use strict';
const { MongoClient } = require('mongodb');

const url = process.argv[2] || `mongodb://127.0.0.1:${process.env.MONGO_PORT || 27018}/`;
const timeoutMs = Number(process.argv[3] || 60) * 1000;
const pid = process.argv[4] ? Number(process.argv[4]) : undefined;
const deadline = Date.now() + timeoutMs;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const alive = (p) => {
  try {
    process.kill(p, 0);
    return true;
  } catch {
    return false;
  }
};

(async () => {
  let last = 'not tried';
  while (Date.now() < deadline) {
    if (pid !== undefined && !alive(pid)) {
      console.error(`mongo health: server process ${pid} exited`);
      process.exit(1);
    }
    const client = new MongoClient(url, { serverSelectionTimeoutMS: 1000, connectTimeoutMS: 1000 });
    try {
      await client.connect();
      const r = await client.db('admin').command({ ping: 1 });
      if (r.ok !== 1) throw new Error(`ping answered ${JSON.stringify(r)}`);
      const b = await client.db('admin').command({ buildInfo: 1 });
      console.error(`mongo health: ok, ${url} (${b.ferretdbVersion ? `FerretDB ${b.ferretdbVersion}, ` : ''}MongoDB ${b.version})`);
      await client.close();
      process.exit(0);
    } catch (e) {
      last = e && e.message ? e.message : String(e);
      await client.close().catch(() => {});
    }
    await sleep(200);
  }
  console.error(`mongo health: ${url} did not answer ping within ${timeoutMs / 1000}s (last error: ${last})`);
  process.exit(1);
})();
