/**
 * Redaction of secrets before anything is logged or printed. Two rules:
 * - a value stored under a key that looks secret (`SECRET_KEY_PATTERN`) is replaced whole;
 * - credentials inside URLs (`scheme://user:password@host`, `?token=...`) are replaced in any string.
 * Applied by the logger to every record and by `config check` to the printed configuration.
 */

/** Keys whose values are never logged: api keys, secrets, passwords, tokens, passphrases. */
export const SECRET_KEY_PATTERN = /key|secret|password|token|passphrase/i;

export const REDACTED = '[REDACTED]';

const MAX_DEPTH = 8;

// scheme://user:password@  (the password part only; usernames help debugging and are not secret)
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:@/?#]*):([^\s@/?#]*)@/gi;
// ?name=value / &name=value in URLs: the value is redacted when the name looks secret
const QUERY_PARAM = /([?&])([^=&\s#]+)=([^&\s#]*)/g;

/** Replaces URL passwords and secret-looking query parameters in a string. */
export function redactUrlCredentials(text: string, keyPattern: RegExp = SECRET_KEY_PATTERN): string {
  if (!text.includes('://') && !text.includes('=')) return text;
  let out = text.replace(URL_USERINFO, (_m, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`);
  if (out.includes('?')) {
    out = out.replace(QUERY_PARAM, (m, sep: string, name: string) => (keyPattern.test(name) ? `${sep}${name}=${REDACTED}` : m));
  }
  return out;
}

export interface RedactOptions {
  /** Keys whose values are replaced (default `SECRET_KEY_PATTERN`). */
  keyPattern?: RegExp;
}

/**
 * A deep copy of `value` that is safe to serialise: secret keys and URL credentials redacted,
 * errors as `{ name, message, stack }`, bigint as string, buffers summarised, cycles cut.
 * Never throws and never mutates its input.
 */
export function redact(value: unknown, opts: RedactOptions = {}): unknown {
  const keyPattern = opts.keyPattern ?? SECRET_KEY_PATTERN;
  const seen = new WeakSet<object>();

  const walk = (v: unknown, depth: number): unknown => {
    if (v === null || v === undefined) return v;
    switch (typeof v) {
      case 'string':
        return redactUrlCredentials(v, keyPattern);
      case 'number':
      case 'boolean':
        return v;
      case 'bigint':
        return v.toString();
      case 'function':
        return `[Function ${(v as { name?: string }).name || 'anonymous'}]`;
      case 'symbol':
        return v.toString();
    }
    const obj = v as object;
    if (seen.has(obj)) return '[Circular]';
    if (depth >= MAX_DEPTH) return '[Truncated]';
    if (Buffer.isBuffer(obj)) return `[Buffer ${obj.length} bytes]`;
    if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? 'Invalid Date' : obj.toISOString();
    seen.add(obj);
    try {
      if (obj instanceof Error) return walkError(obj, depth);
      if (Array.isArray(obj)) return obj.map((x) => walk(x, depth + 1));
      if (obj instanceof Map) return walkEntries([...obj.entries()].map(([k, x]) => [String(k), x]), depth);
      if (obj instanceof Set) return [...obj].map((x) => walk(x, depth + 1));
      if (obj instanceof URL) return redactUrlCredentials(obj.toString(), keyPattern);
      return walkEntries(Object.entries(obj), depth);
    } finally {
      seen.delete(obj);
    }
  };

  const walkEntries = (entries: [string, unknown][], depth: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [k, x] of entries) {
      if (x === undefined) continue;
      out[k] = keyPattern.test(k) && x !== null && x !== '' ? REDACTED : walk(x, depth + 1);
    }
    return out;
  };

  const walkError = (e: Error, depth: number): Record<string, unknown> => {
    const out: Record<string, unknown> = { name: e.name, message: redactUrlCredentials(e.message, keyPattern) };
    if (e.stack) out['stack'] = redactUrlCredentials(e.stack, keyPattern);
    const extra = walkEntries(
      Object.entries(e).filter(([k]) => k !== 'name' && k !== 'message' && k !== 'stack'),
      depth,
    );
    Object.assign(out, extra);
    if (e.cause !== undefined) out['cause'] = walk(e.cause, depth + 1);
    return out;
  };

  return walk(value, 0);
}
