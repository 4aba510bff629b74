/**
 * `npm run bench [-- <entry>...]`: runs the entries of entries.ts (all by
 * default, or those named) one after the other and prints their tables.
 * `--only <entry>` (repeatable, or comma-separated) names entries too.
 */
import { entries } from './entries';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const wanted: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--only') wanted.push(...(args[++i] ?? '').split(',').filter(Boolean));
    else if (a.startsWith('--only=')) wanted.push(...a.slice('--only='.length).split(',').filter(Boolean));
    else if (!a.startsWith('-')) wanted.push(a);
  }
  const unknown = wanted.filter((w) => !entries.some((e) => e.name === w));
  if (unknown.length > 0) {
    console.error(`unknown bench entr${unknown.length > 1 ? 'ies' : 'y'}: ${unknown.join(', ')}; available: ${entries.map((e) => e.name).join(', ')}`);
    process.exit(2);
  }
  const selected = wanted.length > 0 ? entries.filter((e) => wanted.includes(e.name)) : entries;
  for (const e of selected) {
    console.log(`\n=== ${e.name}: ${e.description}\n`);
    const t0 = process.hrtime.bigint();
    await e.run();
    console.log(`\n(${e.name} took ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s)`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
