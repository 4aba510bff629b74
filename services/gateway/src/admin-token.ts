import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * True when the `Authorization` header is `Bearer <expected>`. The comparison is constant-time
 * (SHA-256 digests of both, so lengths do not leak either); a missing or malformed header is false.
 */
export function bearerMatches(expected: string, authorization: string | undefined): boolean {
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? '');
  const given = m?.[1] ?? '';
  const a = createHash('sha256').update(expected, 'utf8').digest();
  const b = createHash('sha256').update(given, 'utf8').digest();
  return timingSafeEqual(a, b) && m !== null && expected.length > 0;
}
