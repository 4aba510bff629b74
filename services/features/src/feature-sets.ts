import { featureSet, FEATURE_SETS, parseIndicatorSpec, formatIndicatorSpec, columnNames, type FeatureSetDef } from '@atp/indicators';

const NAME_RE = /^[a-z0-9][a-z0-9-]*$/;

/**
 * Parses the features service's set list (`FEATURE_SETS`): entries separated by `;`, each either
 * the name of a registered set (`default-v1`) or `name=spec,spec,...` (a set defined here, e.g.
 * `trend=sma:10,atr:14,donchian:20`; a name ending in `-v<N>` gives version N, else 1). Specs are
 * written out in full (`rsi` -> `rsi:14`), so a set's identity does not depend on defaults.
 * Throws with a message naming the entry on an unknown set, a bad spec, a repeated column or name.
 */
export function parseFeatureSets(text: string): FeatureSetDef[] {
  const entries = text.split(';').map((e) => e.trim()).filter((e) => e.length > 0);
  if (entries.length === 0) throw new Error('no feature set given');
  const sets: FeatureSetDef[] = [];
  for (const e of entries) {
    const eq = e.indexOf('=');
    if (eq < 0) {
      if (!FEATURE_SETS[e]) throw new Error(`unknown feature set "${e}" (known: ${Object.keys(FEATURE_SETS).join(', ')}; or define one as name=spec,spec)`);
      sets.push(featureSet(e));
      continue;
    }
    const name = e.slice(0, eq).trim();
    if (!NAME_RE.test(name)) throw new Error(`feature set name "${name}" must match ${NAME_RE.source}`);
    if (FEATURE_SETS[name]) throw new Error(`feature set "${name}" is registered: use its name alone`);
    const specs = e
      .slice(eq + 1)
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0)
      .map((s) => {
        try {
          return formatIndicatorSpec(parseIndicatorSpec(s));
        } catch (err) {
          throw new Error(`feature set "${name}": ${(err as Error).message}`);
        }
      });
    if (specs.length === 0) throw new Error(`feature set "${name}" lists no indicator`);
    const v = /-v([1-9][0-9]*)$/.exec(name);
    sets.push(Object.freeze({ name, version: v ? Number(v[1]) : 1, description: `configured: ${specs.join(',')}`, specs: Object.freeze(specs) }));
  }
  const names = new Set<string>();
  for (const s of sets) {
    if (names.has(s.name)) throw new Error(`feature set "${s.name}" listed twice`);
    names.add(s.name);
    const cols = s.specs.flatMap((sp) => columnNames(sp));
    const dup = cols.find((c, i) => cols.indexOf(c) !== i);
    if (dup) throw new Error(`feature set "${s.name}": column ${dup} appears twice`);
  }
  return sets;
}
