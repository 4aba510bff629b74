// A domain lib must not import an adapter lib (the bus).
import type { Bus } from '@atp/bus';

export type Port = Bus;
