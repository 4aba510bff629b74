import { Buffer } from 'node:buffer';
import { hash } from 'node:crypto';
import { intDigits, putDigits } from './digits';

/**
 * Deterministic ids (ARCHITECTURE.md, "Ids are deterministic"): the same inputs give the same id
 * in backtest, embedded and Kafka runs, so parity runs can be compared field by field.
 */

const ID_RE = /^[A-Za-z0-9_-]{1,36}$/;

function digest(parts: readonly (string | number)[], encoding: 'hex' | 'base64url'): string {
  // Length-prefix every part so ("ab","c") and ("a","bc") never collide; one update() call
  // (the same bytes as one call per part, about twice as fast on hot paths).
  let joined = '';
  for (const p of parts) {
    const s = String(p);
    joined += `${s.length}:${s}|`;
  }
  // One-shot, encoded by node itself: the same digest text as createHash(...).digest(encoding),
  // several times faster on short input (and about 2.5x faster than a Buffer then toString).
  return hash('sha256', joined, encoding);
}

/** The id being made, as bytes (36 at most), and base-36 digits being made, last first. */
const coidBytes = Buffer.alloc(36);
const b36Scratch = new Uint8Array(16);

/**
 * Client order id from (run id, strategy id, symbol, decision time, sequence): at most 36
 * characters of [A-Za-z0-9_-], as Binance requires. Layout: `o` + decision time in base 36
 * (readable ordering in venue UIs) + `-` + sequence in base 36 + `-` + 22 chars of hash.
 *
 * The hash is digest([runId, strategyId, symbol, decisionTimeMs, seq], 'base64url'): the same
 * length-prefixed text, hashed as the bytes it encodes to, its (run, strategy, symbol) part
 * encoded once per slot rather than per order (remembered as eventIdAt's parts are: atPrefixOf).
 * The numbers are spelled into the byte buffers directly and the id is made as one flat string: V8
 * prints a number through a runtime call (String(decisionTimeMs) was a fifth of this function),
 * and concatenations make trees of pieces.
 */
export function clientOrderId(runId: string, strategyId: string, symbol: string, decisionTimeMs: number, seq: number): string {
  if (!Number.isSafeInteger(decisionTimeMs) || decisionTimeMs < 0) throw new RangeError(`clientOrderId: bad decision time ${decisionTimeMs}`);
  if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError(`clientOrderId: bad sequence ${seq}`);
  const at = atPrefixOf([runId, strategyId, symbol]);
  const end = putDecimalPart(at.input, putDecimalPart(at.input, at.prefixBytes, decisionTimeMs), seq);
  if (at.view.length !== end) at.view = at.input.subarray(0, end);
  const tail = hash('sha256', at.view, 'base64url');
  const id = coidBytes;
  id[0] = 111; // 'o'
  let p = putBase36(id, 1, decisionTimeMs);
  id[p++] = 45; // '-'
  p = putBase36(id, p, seq);
  id[p++] = 45;
  for (let i = 0; p < 36; i++) id[p++] = tail.charCodeAt(i);
  return id.toString('latin1', 0, 36);
}

/** Writes `${String(n).length}:${String(n)}|` for a safe integer n >= 0 at b[p...]; returns the end. */
function putDecimalPart(b: Buffer, p: number, n: number): number {
  // n = hi x 10^8 + lo, both below 2^31
  const hi = Math.floor(n / 1e8);
  const lo = n - hi * 1e8;
  const nd = hi > 0 ? 8 + intDigits(hi) : intDigits(lo);
  if (nd >= 10) b[p++] = 49; // '1' of 10..16
  b[p++] = 48 + (nd % 10);
  b[p++] = 58; // ':'
  if (hi > 0) {
    putDigits(b, p, intDigits(hi), hi);
    putDigits(b, p + nd - 8, 8, lo);
  } else putDigits(b, p, nd, lo);
  p += nd;
  b[p++] = 124; // '|'
  return p;
}

/** Writes base36(n) at b[p...] (n a safe integer >= 0); returns the end. */
function putBase36(b: Buffer, p: number, n: number): number {
  const s = b36Scratch;
  let k = s.length;
  do {
    const q = Math.floor(n / 36);
    s[--k] = B36_CODES[n - q * 36]!;
    n = q;
  } while (n > 0);
  while (k < s.length) b[p++] = s[k++]!;
  return p;
}

const B36 = '0123456789abcdefghijklmnopqrstuvwxyz';
const B36_CODES = Uint8Array.from(B36, (c) => c.charCodeAt(0));

/**
 * `n.toString(36)` for a safe integer n >= 0 (the same digits), several times faster than V8's
 * radix conversion of a large number. floor(n / 36) is exact below 2^53: the quotient is below
 * 2^48, where a float's half ulp (2^-6) is less than the 1/36 between a non-integer quotient and
 * the next integer, so the division never rounds up to it.
 */
export function base36(n: number): string {
  let s = '';
  do {
    const q = Math.floor(n / 36);
    s = B36[n - q * 36]! + s;
    n = q;
  } while (n > 0);
  return s;
}

/** Fill id = client order id + fill sequence (ARCHITECTURE.md). */
export function fillId(clientOrderIdValue: string, fillSeq: number): string {
  // (one concatenation of two strings for the usual sequences rather than a chain of two)
  return clientOrderIdValue + (fillSeq >= 0 && fillSeq < 16 && Number.isInteger(fillSeq) ? FILL_SUFFIXES[fillSeq]! : `:${fillSeq}`);
}

const FILL_SUFFIXES: readonly string[] = Array.from({ length: 16 }, (_, n) => `:${n}`);

/** Event id derived from the event's cause: a 32-hex-char hash of its parts (UUID-sized). */
export function eventIdFrom(...parts: readonly (string | number)[]): string {
  return digest(parts, 'hex').slice(0, 32);
}

/**
 * One remembered parts list of eventIdAt and clientOrderId: its hash input being made as UTF-8
 * bytes (what hash() makes of a string): from 0, the parts' length-prefixed text (`prefixBytes`
 * long), then the numbers' parts (at most two: NUMBER_PARTS_ROOM); `view` is the input of its last
 * length (a subarray made once per length, not per id: ~150 ns each).
 */
interface AtPrefix {
  readonly parts: readonly string[];
  input: Buffer;
  readonly prefixBytes: number;
  view: Buffer;
}

/**
 * The parts lists seen last, most recent last, at most {@link AT_PREFIXES}: a backtest's slot makes
 * all of its ids with two (its decision ids', its client order ids'); the embedded pipeline's
 * services, in one process, alternate their symbols' (decision ids, client order ids and
 * bar-matched ids: 12 lists for 4 symbols), which fewer remembered lists would re-encode at every id.
 */
const atPrefixes: AtPrefix[] = [];
const AT_PREFIXES = 16;
/** Room after a prefix for two numbers' parts (`${digits}:${n}|` of a safe integer: at most 20 bytes each). */
const NUMBER_PARTS_ROOM = 48;

/**
 * `eventIdFrom(...parts, time)` for string parts and a time: the same id. For a safe integer time
 * >= 0 (event times) the hash input is made as bytes in a reused buffer: the parts' text encoded
 * once for as long as the same parts come back (a backtest's decision ids: one run, strategy,
 * exchange and symbol for all of a slot's decisions; the pipeline's: a few symbols in turn), the
 * time spelled into it as digits, instead of String(time) (a runtime call in V8) and a template
 * string per id: about half the time of an id (decisionId of 39k fresh times: 544 -> 251 ns). Any
 * other time goes through eventIdFrom.
 */
export function eventIdAt(parts: readonly string[], time: number): string {
  if (!Number.isSafeInteger(time) || time < 0) return eventIdFrom(...parts, time);
  const at = atPrefixOf(parts);
  const end = putDecimalPart(at.input, at.prefixBytes, time);
  if (at.view.length !== end) at.view = at.input.subarray(0, end);
  return hash('sha256', at.view, 'hex').slice(0, 32);
}

/** The remembered prefix of `parts` (compared string by string, newest first), encoded on a miss (the oldest one then forgotten beyond AT_PREFIXES). */
function atPrefixOf(parts: readonly string[]): AtPrefix {
  for (let i = atPrefixes.length - 1; i >= 0; i--) {
    const at = atPrefixes[i]!;
    if (sameParts(parts, at.parts)) return at;
  }
  let prefix = '';
  for (let i = 0; i < parts.length; i++) prefix += `${parts[i]!.length}:${parts[i]!}|`;
  const n = Buffer.byteLength(prefix, 'utf8');
  // The forgotten one's buffer is reused when it is large enough: more lists in turn than are
  // remembered allocate nothing per id.
  const old = atPrefixes.length >= AT_PREFIXES ? atPrefixes.shift()!.input : undefined;
  const input = old !== undefined && n + NUMBER_PARTS_ROOM <= old.length ? old : Buffer.alloc(Math.max(256, 2 * n + NUMBER_PARTS_ROOM));
  const at: AtPrefix = { parts: parts.slice(), input, prefixBytes: input.write(prefix, 0, 'utf8'), view: input.subarray(0, 0) };
  atPrefixes.push(at);
  return at;
}

function sameParts(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** True when `id` is a valid venue client order id. */
export function isValidClientOrderId(id: string): boolean {
  return ID_RE.test(id);
}
