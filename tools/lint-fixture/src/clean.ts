// Allowed: a domain lib importing core (type:domain). Must lint clean.
import { toDecimal } from '@atp/core';

export const one = toDecimal('1');
