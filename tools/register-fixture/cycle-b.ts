// Fixture of tools/register.spec.ts: the other half of an import cycle.
import { fromA } from './cycle-a';

export function fromB(n: number): string {
  return n > 0 ? fromA(n - 1) : 'b';
}
