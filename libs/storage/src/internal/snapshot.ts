import type { Snapshot } from '../storage';
import { toStorable, type NumberMapper } from './plain-data';

/**
 * Validates a snapshot and returns the storable copy of exactly its five fields (extra fields are
 * not stored), so every SnapshotStore keeps and returns the same thing. Throws TypeError.
 */
export function storableSnapshot(snapshot: Snapshot<unknown>, collection: string, mapNumber?: NumberMapper): Record<string, unknown> {
  if (typeof snapshot !== 'object' || snapshot === null) throw new TypeError(`storage: ${collection}: a snapshot must be an object`);
  const { _id, version, position, state, savedAt } = snapshot;
  const where = `storage: ${collection}[_id=${String(_id)}]`;
  if (typeof version !== 'number' || !Number.isFinite(version)) throw new TypeError(`${where}: version must be a finite number`);
  if (typeof position !== 'string') throw new TypeError(`${where}: position must be a string (e.g. the last event time or bus offset applied)`);
  if (typeof savedAt !== 'number' || !Number.isFinite(savedAt)) throw new TypeError(`${where}: savedAt must be a finite number (Unix ms)`);
  return toStorable({ _id, version, position, state, savedAt }, collection, mapNumber);
}

/** Throws TypeError unless `id` is a non-empty string. */
export function checkId(id: unknown, what: string): asserts id is string {
  if (typeof id !== 'string' || id.length === 0) throw new TypeError(`storage: ${what}: an _id must be a non-empty string, got ${typeof id}`);
}
