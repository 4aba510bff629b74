// Fixture of tools/register.spec.ts: a module's exports of each kind.
export function addOne(x: number): number {
  return x + 1;
}

export class Box {
  constructor(readonly value: number) {}
}

export const TABLE = { answer: 42 };

export let counter = 0;

export function bump(): number {
  counter += 1;
  return counter;
}
