// `npm run cli -- <verb> [options]`; `npm run cli -- --help` lists the verbs.
import { runCli } from './program';
import { processIo } from './io';

runCli(process.argv.slice(2), processIo).then((code) => {
  process.exitCode = code;
  // A client library's lingering socket must not keep a finished command alive.
  setTimeout(() => process.exit(code), 500).unref();
});
