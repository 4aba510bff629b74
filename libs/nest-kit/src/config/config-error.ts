/** One problem with one configuration key. */
export interface ConfigIssue {
  /** The environment variable name as the user would set it (with its prefix, if any). */
  key: string;
  /** Completes "KEY must be ...", or a full sentence when `sentence` is true. */
  rule: string;
  /** The offending value, already redacted when the key is secret; absent when unset. */
  got?: string;
}

/**
 * A bad configuration: start-up stops with this ONE message, naming every offending key and its
 * rule, e.g. `Invalid configuration: KAFKA_BROKERS must be a comma-separated list of host:port (got "x")`.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';

  constructor(readonly issues: readonly ConfigIssue[]) {
    super(`Invalid configuration: ${issues.map(formatIssue).join('; ')}`);
  }
}

export function formatIssue(i: ConfigIssue): string {
  const got = i.got === undefined ? '' : ` (got ${JSON.stringify(i.got)})`;
  return `${i.key} ${i.rule}${got}`;
}
