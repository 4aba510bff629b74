import { BREAKOUT } from './breakout/breakout';
import { MA_CROSSOVER } from './ma-crossover/ma-crossover';
import { MEAN_REVERSION } from './mean-reversion/mean-reversion';
import type { Strategy, StrategyDefinition } from './strategy';

/** Every strategy the CLI and the strategy service can run, by name. */
export const STRATEGIES: Readonly<Record<string, StrategyDefinition>> = Object.freeze({
  [MA_CROSSOVER.name]: MA_CROSSOVER,
  [MEAN_REVERSION.name]: MEAN_REVERSION,
  [BREAKOUT.name]: BREAKOUT,
});

export function strategyNames(): string[] {
  return Object.keys(STRATEGIES);
}

/** Throws naming the known strategies when `name` is not registered. */
export function strategyDefinition(name: string): StrategyDefinition {
  const d = STRATEGIES[name];
  if (!d) throw new Error(`unknown strategy "${name}"; known: ${strategyNames().join(', ')}`);
  return d;
}

/** New instance of a registered strategy (one per symbol); throws on bad parameters. */
export function createStrategy(name: string, params: Readonly<Record<string, unknown>> = {}, id: string = name): Strategy {
  return strategyDefinition(name).create(params, id);
}
