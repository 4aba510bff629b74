/**
 * Preload (`--require`) of the pipeline bench's PIPELINE_BENCH_PROFILE runs: a V8 CPU profile of the
 * process (0.5 ms sampling) written to $CPU_PROFILE_DIR/<script>-<pid>.cpuprofile when it exits
 * (NODE_OPTIONS does not allow --cpu-prof).
 */
const inspector = require('node:inspector');
const fs = require('node:fs');
const path = require('node:path');

const session = new inspector.Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 500 });
session.post('Profiler.start');
let written = false;
process.on('exit', () => {
  if (written) return;
  written = true;
  // The in-process session answers synchronously: the profile is written before the process ends.
  session.post('Profiler.stop', (err, r) => {
    if (err) return;
    const name = (process.argv[process.argv.length - 1] ?? 'node').replace(/\W+/g, '_');
    fs.writeFileSync(path.join(process.env.CPU_PROFILE_DIR ?? '.', `${name}-${process.pid}.cpuprofile`), JSON.stringify(r.profile));
  });
});
