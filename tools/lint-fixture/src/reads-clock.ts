// Domain code gets time from a Clock, never the wall clock.
export const now = (): number => Date.now();
