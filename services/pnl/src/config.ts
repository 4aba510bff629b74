import { Type, type Static } from '@sinclair/typebox';
import { commonConfigProperties, Env, serviceConfig } from '@atp/nest-kit';
import { serviceSpec, specIssue } from './spec';

/** pnl configuration: the common keys (HTTP port 3008 by default) and its own. */
export const pnlConfigSchema = Type.Object({
  ...commonConfigProperties({ port: 3008 }),
  PIPELINE_SPEC: Type.Optional(Env.string({ description: 'the pipeline spec (path to a JSON file, or the JSON): initial cash, symbols, instances, run id; default: the built-in spec' })),
  JOURNAL: Env.oneOf(['auto', 'on', 'off'] as const, { default: 'auto', description: 'the input journal (restart state): on, off, or auto = on with STORE=mongo, off with STORE=memory (where it would only grow)' }),
  INITIAL_CASH: Type.Optional(Env.decimal({ description: 'starting cash, in the quote currency; must agree with the pipeline spec when set' })),
  QUOTE_CURRENCY: Type.Optional(Env.string({ pattern: '^[A-Z]{2,10}$', rule: 'a currency code such as USDT', description: 'must agree with the pipeline spec when set' })),
  METRICS_EVERY_BARS: Env.int({ default: 500, minimum: 1, description: 'recompute and store the run metrics every this many bars (and at shutdown)' }),
  PERSIST_EVERY_MS: Env.int({ default: 250, minimum: 0, description: 'write the new equity points and pnl_summary at most this often, ms (read models of the journaled state: also written after a restart and at shutdown); 0 = with every closed bar, before its inputs are acknowledged' }),
});

export type PnlConfig = Readonly<Static<typeof pnlConfigSchema>>;

export const pnlConfig = serviceConfig(pnlConfigSchema, [
  (c, key) => specIssue(c, key),
  (c, key) => {
    let spec;
    try {
      spec = serviceSpec(c);
    } catch {
      return undefined; // reported by the spec check
    }
    if (c.INITIAL_CASH !== undefined && Number(c.INITIAL_CASH) !== Number(spec.initialCash)) return { key: key('INITIAL_CASH'), rule: `must equal the pipeline spec's initial cash ${spec.initialCash}` };
    if (c.QUOTE_CURRENCY !== undefined && c.QUOTE_CURRENCY !== (spec.quoteCurrency ?? 'USDT')) return { key: key('QUOTE_CURRENCY'), rule: `must equal the pipeline spec's quote currency ${spec.quoteCurrency ?? 'USDT'}` };
    return undefined;
  },
]);
