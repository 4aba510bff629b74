import type { CollectionDef, Doc, Repository, Snapshot, SnapshotStore, Store } from '../storage';
import { clonePlain } from '../internal/plain-data';
import { checkCollectionName } from '../internal/rules';
import { checkId, storableSnapshot } from '../internal/snapshot';
import { MemoryCollection } from './memory-collection';
import { MemoryRepository } from './memory-repository';
import type { StoredDoc } from './time-index';

/**
 * In-memory Store: the embedded mode's storage and the reference implementation of the port
 * semantics in tests. One instance is one namespace (database); two instances share nothing.
 * Nothing survives the process. After `close()` every operation throws.
 */
export class MemoryStore implements Store {
  private readonly collections = new Map<string, MemoryCollection>();
  private closed = false;
  private readonly assertOpen = (): void => {
    if (this.closed) throw new Error(`storage: memory store "${this.name}" is closed`);
  };

  /** `name` only labels errors and health details. */
  constructor(readonly name = 'memory') {}

  repository<T extends Doc>(def: CollectionDef<T>): Repository<T> {
    this.assertOpen();
    checkCollectionName(def.name);
    return new MemoryRepository<T>(this.collection(def.name), def, this.assertOpen);
  }

  snapshots(prefix: string): SnapshotStore {
    this.assertOpen();
    const name = `${prefix}snapshots`;
    checkCollectionName(name);
    return new MemorySnapshotStore(this.collection(name), this.assertOpen);
  }

  async health(): Promise<{ ok: boolean; detail?: string }> {
    return this.closed ? { ok: false, detail: `memory store "${this.name}" is closed` } : { ok: true };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Names of the collections holding at least one document. */
  collectionNames(): string[] {
    return [...this.collections.values()].filter((c) => c.docs.size > 0).map((c) => c.name).sort();
  }

  private collection(name: string): MemoryCollection {
    let c = this.collections.get(name);
    if (!c) {
      c = new MemoryCollection(name);
      this.collections.set(name, c);
    }
    return c;
  }
}

/** Snapshots as documents of the `<prefix>snapshots` collection, like the Mongo adapter. */
class MemorySnapshotStore implements SnapshotStore {
  constructor(
    private readonly collection: MemoryCollection,
    private readonly assertOpen: () => void,
  ) {}

  async save<S>(snapshot: Snapshot<S>): Promise<void> {
    this.assertOpen();
    this.collection.put(storableSnapshot(snapshot, this.collection.name) as StoredDoc);
  }

  async load<S>(id: string): Promise<Snapshot<S> | null> {
    this.assertOpen();
    checkId(id, this.collection.name);
    const doc = this.collection.docs.get(id);
    return doc === undefined ? null : (clonePlain(doc) as unknown as Snapshot<S>);
  }

  async delete(id: string): Promise<void> {
    this.assertOpen();
    checkId(id, this.collection.name);
    this.collection.delete(id);
  }
}
