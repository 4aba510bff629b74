// Runs the bus bench alone: `node -r ./tools/register.cjs bench/src/bus-main.ts`
// (also `npm run bench -- bus`). See bus.ts.
import { run } from './bus';

run().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
