// A domain lib must not talk to exchanges.
import ccxt from 'ccxt';

export const venue = ccxt;
