// Fixture of tools/register.spec.ts: one half of an import cycle.
import { fromB } from './cycle-b';

export function fromA(n: number): string {
  return n > 0 ? fromB(n - 1) : 'a';
}
