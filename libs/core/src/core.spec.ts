import { createHash } from 'node:crypto';
import { base36, clientOrderId, Dec, decAdd, decApprox, decCmp, decDiv, decMul, decProduct, decNumber, decScaledInto, decSub, decToString, eventIdAt, eventIdFrom, fillId, gtZero, isValidClientOrderId, ltZero, lteZero, roundToPlaces, roundToStep, scaledToString, toDecimal } from './index';
import { barCloseTime, barsPerYear, floorToTimeframe, timeframeMs, utcDayStart } from './timeframe';
import { ManualClock } from './clock';
import { instrumentKey, parseInstrumentKey, splitSymbol } from './instrument';

describe('decimal policy', () => {
  it('converts floats through their shortest round-trip form, never the binary expansion', () => {
    expect(decToString(toDecimal(0.1))).toBe('0.1');
    expect(decToString(toDecimal(0.1).plus(toDecimal(0.2)))).toBe('0.3'); // float64 gives 0.30000000000000004
    expect(decToString(toDecimal(1e-8))).toBe('0.00000001');
    expect(decToString(toDecimal(123456789.12345678))).toBe('123456789.12345678');
  });
  it('rejects non-finite numbers and malformed strings with a clear error', () => {
    expect(() => toDecimal(NaN)).toThrow(/non-finite/);
    expect(() => toDecimal(Infinity)).toThrow(/non-finite/);
    expect(() => toDecimal('1e5')).toThrow(/not a decimal string/);
    expect(() => toDecimal('abc')).toThrow(/not a decimal string/);
  });
  it('keeps 60 significant digits: large notional times tiny price is exact', () => {
    const q = toDecimal('123456789.123456789');
    const p = toDecimal('0.000000012345678901');
    // Reference: Python decimal with prec=80 gives 1.524157876666666764142508889 (exact product).
    expect(decToString(q.mul(p))).toBe('1.524157876666666764142508889');
  });
  it('rounds quantities down and fees half away from zero', () => {
    expect(decToString(roundToPlaces(new Dec('0.123456789'), 5, 'down'))).toBe('0.12345');
    expect(decToString(roundToPlaces(new Dec('0.000125'), 5, 'half-away-from-zero'))).toBe('0.00013');
    expect(decToString(roundToPlaces(new Dec('-0.000125'), 5, 'half-away-from-zero'))).toBe('-0.00013');
    expect(decToString(roundToStep(new Dec('1.2345'), '0.01', 'down'))).toBe('1.23');
    expect(decToString(roundToStep(new Dec('1.2355'), '0.005', 'half-away-from-zero'))).toBe('1.235');
    expect(decToString(roundToStep(new Dec('17'), '5', 'down'))).toBe('15');
  });
  it('rounds to a power-of-ten step exactly as dividing, rounding to an integer and multiplying back', () => {
    // roundToStep takes a shortcut for steps 1, 0.1, 0.01, ...: the same value, sign and digits.
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const modes = ['down', 'up', 'half-away-from-zero', 'half-even'] as const;
    const steps = ['1', '0.1', '0.01', '0.00000001', '0.000000000001', new Dec('0.00000001')];
    let n = 0;
    for (let i = 0; i < 3000; i++) {
      const digits = String(rnd(1_000_000_000)) + String(rnd(1_000_000_000));
      const cut = rnd(digits.length + 1);
      const x = new Dec(`${rnd(2) ? '-' : ''}${digits.slice(0, cut) || '0'}.${digits.slice(cut) || '0'}`).div(rnd(3) ? 1 : 7);
      for (const step of steps) {
        for (const mode of modes) {
          const s = toDecimal(step);
          const slow = x.div(s).toDecimalPlaces(0, { down: Dec.ROUND_DOWN, up: Dec.ROUND_UP, 'half-away-from-zero': Dec.ROUND_HALF_UP, 'half-even': Dec.ROUND_HALF_EVEN }[mode]).mul(s);
          const fast = roundToStep(x, step, mode);
          expect([fast.toFixed(), fast.s, fast.e, fast.d]).toEqual([slow.toFixed(), slow.s, slow.e, slow.d]);
          n++;
        }
      }
    }
    expect(n).toBe(3000 * steps.length * modes.length);
  });
  it('parses a string it just printed (or a float it just converted) to the same value as a fresh parse', () => {
    const d = new Dec('10000').div(3).mul('1.5');
    const str = decToString(d);
    const back = toDecimal(str);
    const fresh = new Dec(str);
    expect([back.toFixed(), back.s, back.e, back.d, back.constructor === Dec]).toEqual([fresh.toFixed(), fresh.s, fresh.e, fresh.d, true]);
    // zero loses its sign in the string: parsing '0' is always +0
    expect(decToString(new Dec('-0'))).toBe('0');
    expect(toDecimal('0').isNegative()).toBe(false);
    expect(toDecimal(-0).isNegative()).toBe(false); // String(-0) is '0'
    expect(toDecimal(0).isNegative()).toBe(false);
    expect(toDecimal(-0).isNegative()).toBe(false); // String(-0) is '0'
    expect(toDecimal(0.1).toFixed()).toBe('0.1');
    expect(toDecimal(0.1).toFixed()).toBe('0.1');
    // a Decimal of another configuration is printed but never handed back as a Dec
    const Other = Dec.clone({ precision: 5 });
    const o = new Other('1.23456789');
    expect(toDecimal(decToString(o)).constructor).toBe(Dec);
    expect(() => toDecimal('1e5')).toThrow(RangeError);
    expect(() => toDecimal(NaN)).toThrow(RangeError);
  });
  it('a float converts to exactly the Dec of its shortest string (seeded prices of 0 to 15 places, floats of every magnitude, near powers of ten, ties)', () => {
    let seed = 99;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const fieldsOf = (d: Dec): string => {
      const f = d as unknown as { s: number; e: number; d: number[] };
      return JSON.stringify([f.s, f.e, f.d, Object.keys(d)]);
    };
    const xs: number[] = [0, -0, 1e-6, 9.99e-7, 1e15, 999999999999999, 1e15 - 0.5, 0.1 + 0.2, 9.999999999999998, 99.99999999999999, 0.30000000000000004, 123456.78901234, 5e-7, 2 ** 52 + 0.5, 0.5, 2.5, -2.5, 1e-5 * 3];
    for (let i = 0; i < 20000; i++) {
      const places = Math.floor(rnd() * 16);
      const v = (rnd() - 0.4) * 10 ** Math.floor(rnd() * 24 - 8);
      xs.push(rnd() < 0.5 ? Number(v.toFixed(Math.min(places, 20))) : rnd() < 0.5 ? Number(v.toPrecision(1 + Math.floor(rnd() * 17))) : v, Math.round(v * 1e4) / 1e4, 10 ** Math.floor(rnd() * 30 - 10) * (rnd() < 0.5 ? 1 : 1 - 2 ** -52));
    }
    for (const x of xs) {
      const d = toDecimal(x);
      expect(fieldsOf(d)).toBe(fieldsOf(new Dec(String(x))));
      for (let k = 0; k < 17; k++) toDecimal(x * 3 + k + 1); // out of the memo: converted again
      expect(fieldsOf(toDecimal(x))).toBe(fieldsOf(new Dec(String(x))));
    }
  });
  it('a float converted and printed again gives the fresh print of its Dec (seeded floats of every magnitude, exponent forms, integers, negatives)', () => {
    let seed = 777;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const xs: number[] = [0.1, 1e-7, 1.5e-7, 123456789012345680000, 1e21, 2 ** 53, -(2 ** 53) + 1, 100, -100, 5e-324, 1.7976931348623157e308, -0.000001, 0.000001];
    for (let i = 0; i < 3000; i++) {
      const mag = 10 ** Math.floor(rnd() * 40 - 20);
      const v = (rnd() - 0.3) * mag;
      xs.push(rnd() < 0.2 ? Math.round(v) : rnd() < 0.5 ? Number(v.toPrecision(1 + Math.floor(rnd() * 12))) : v);
    }
    for (const x of xs) {
      if (x === 0) continue;
      const d = toDecimal(x);
      const fresh = new Dec(String(x));
      const want = fresh.isZero() ? '0' : fresh.toFixed();
      // printed right away (the memo) and again after other conversions pushed it out of the memo
      expect(decToString(d)).toBe(want);
      for (let k = 0; k < 40; k++) toDecimal(x + k + 1);
      expect(decToString(d)).toBe(want);
      // the string parses back to the same value
      expect(toDecimal(want).eq(fresh)).toBe(true);
    }
  });
  it('prints what toFixed prints: seeded values of 1 to 60 digits, signs, exponents from -80 to 80, integers with trailing zeros, quotients', () => {
    let seed = 4242;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const ds: Dec[] = [new Dec('1'), new Dec('-1'), new Dec('10000000'), new Dec('0.0000001'), new Dec('1e70'), new Dec('1e71'), new Dec('-1e-70'), new Dec('1e-71'), new Dec('123.456'), new Dec('9999999.9999999'), new Dec(`${'7'.repeat(420)}e-300`), new Dec(`${'7'.repeat(420)}e-400`), new Dec(`-${'3'.repeat(425)}`), new Dec(`1${'0'.repeat(69)}1e-20`)];
    for (let i = 0; i < 20000; i++) {
      const n = 1 + Math.floor(rnd() * 60);
      let m = String(1 + Math.floor(rnd() * 9));
      for (let k = 1; k < n; k++) m += rnd() < 0.2 ? '0' : String(Math.floor(rnd() * 10));
      const x = new Dec(`${rnd() < 0.3 ? '-' : ''}${m}e${Math.floor(rnd() * 160) - 80}`);
      ds.push(x, x.div(3 + Math.floor(rnd() * 7)), x.mul(x).toDecimalPlaces(8));
    }
    for (const d of ds) {
      if (d.isZero()) continue;
      // decToString prints through its own path, remembered or not: compare a fresh Dec of the same value too
      const fresh = new Dec(d);
      expect(decToString(fresh)).toBe(d.toFixed());
    }
  });
  it('sign tests answer as comparisons with 0 do', () => {
    for (const x of ['0', '-0', '1', '-1', '0.00000001', '-0.00000001', '1e30', 'NaN', 'Infinity', '-Infinity']) {
      const d = new Dec(x);
      expect([gtZero(d), ltZero(d), lteZero(d)]).toEqual([d.gt(0), d.lt(0), d.lte(0)]);
    }
  });
  it('prints canonical strings: no exponent, no trailing zeros, no negative zero', () => {
    expect(decToString(new Dec('1.50000'))).toBe('1.5');
    expect(decToString(new Dec('-0'))).toBe('0');
    expect(decToString(new Dec('1e-20'))).toBe('0.00000000000000000001');
  });
});

describe('decimal fast paths (integer arithmetic for short values)', () => {
  // Seeded values of every shape: signs, 0-9 integer digits, 0-13 fraction digits, zeros inside and at the end.
  let seed = 12345;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const digitsOf = (n: number, zeros: number): string => Array.from({ length: n }, () => (rnd() < zeros ? '0' : String(Math.floor(rnd() * 10)))).join('');
  const randomDec = (): Dec => {
    const ip = digitsOf(Math.floor(rnd() * 10), 0) || '0';
    const fp = digitsOf(Math.floor(rnd() * 14), 0.3);
    return new Dec(`${rnd() < 0.3 ? '-' : ''}${ip}${fp ? `.${fp}` : ''}`);
  };
  // decimal.js's internal fields: equal fields mean every later operation and string is the same.
  const fields = (d: Dec): string => {
    const f = d as unknown as { s: number; e: number; d: number[] };
    return JSON.stringify([f.s, f.e, f.d, Object.keys(d)]);
  };
  it('decDiv builds exactly the Dec decimal.js divides to (60 digits, half up), over 20000 seeded pairs', () => {
    const divisors = ['1', '3', '7', '1.001', '0.95', '0.0625', '43210.12', '9007199254740991', '-2.5'];
    for (let i = 0; i < 20000; i++) {
      const a = randomDec();
      let b = rnd() < 0.3 ? new Dec(divisors[Math.floor(rnd() * divisors.length)]!) : randomDec();
      if (b.isZero()) b = new Dec('0.002');
      expect(fields(decDiv(a, b))).toBe(fields(a.div(b)));
    }
    // long operands (up to 60 digits: quotients, long products) take the BigInt coefficients; longer ones go to decimal.js
    const long = (): Dec => (rnd() < 0.5 ? randomDec().div(divisors[1 + Math.floor(rnd() * 3)]!) : randomDec().mul(randomDec()).mul(randomDec()));
    for (let i = 0; i < 5000; i++) {
      const a = rnd() < 0.7 ? long() : randomDec();
      let b = rnd() < 0.5 ? long() : randomDec();
      if (b.isZero()) b = new Dec('3');
      expect(fields(decDiv(a, b))).toBe(fields(a.div(b)));
    }
    // divisors of up to 9 digits take a float64 long division: its edge, and long dividends
    for (const big of ['900000000', '8.99999999', '900000001', '999999999', '123456789', '7', '0.0000003']) {
      for (const a of [new Dec('1'), new Dec('-8.99999999999999'), new Dec(`9${'8'.repeat(59)}`).div(3), new Dec(`7${'3'.repeat(119)}.1`)]) expect(fields(decDiv(a, new Dec(big)))).toBe(fields(a.div(big)));
    }
    const digits61 = new Dec(`1${'2'.repeat(59)}3.5`);
    expect(fields(decDiv(digits61, new Dec(7)))).toBe(fields(digits61.div(7)));
    expect(fields(decDiv(new Dec(7), digits61))).toBe(fields(new Dec(7).div(digits61)));
    expect(fields(decDiv(new Dec(`-${'9'.repeat(60)}`), new Dec('0.999')))).toBe(fields(new Dec(`-${'9'.repeat(60)}`).div('0.999')));
    expect(decToString(decDiv(new Dec('9500'), new Dec('43210.12')))).toBe(decToString(new Dec('9500').div('43210.12')));
    expect(() => decDiv(new Dec(1), new Dec(0))).not.toThrow(); // decimal.js's Infinity, as a.div(0)
    expect(decDiv(new Dec(1), new Dec(0)).toString()).toBe('Infinity');
  });
  it('roundToPlaces builds the Dec toDecimalPlaces does, for every mode, including exact halves and zeros', () => {
    const rm = { down: Dec.ROUND_DOWN, up: Dec.ROUND_UP, 'half-away-from-zero': Dec.ROUND_HALF_UP, 'half-even': Dec.ROUND_HALF_EVEN } as const;
    const cases: [Dec, number][] = [];
    for (let i = 0; i < 20000; i++) cases.push([randomDec(), Math.floor(rnd() * 12)]);
    // long values (60-digit quotients, some scaled far up or down) are cut limb by limb when rounded down
    for (let i = 0; i < 10000; i++) cases.push([randomDec().div(rnd() < 0.5 ? 7 : '101.031').mul(rnd() < 0.2 ? `1e${Math.floor(rnd() * 40 - 20)}` : 1), Math.floor(rnd() * 22)]);
    for (const [v, p] of [['0.125', 2], ['-0.125', 2], ['0.135', 2], ['2.5', 0], ['3.5', 0], ['-2.5', 0], ['0.0005', 3], ['-0.0004', 3], ['0', 2], ['0.000000002', 8], ['-0.000000004', 8], ['0.000000005', 8], ['-0.000000005', 8], ['0.00000000192', 8]] as const) cases.push([new Dec(v), p]);
    for (const [d, p] of cases) for (const mode of Object.keys(rm) as (keyof typeof rm)[]) expect(fields(roundToPlaces(d, p, mode))).toBe(fields(d.toDecimalPlaces(p, rm[mode])));
  });
  it('toDecimal parses plain decimal strings and floats into exactly the Dec decimal.js parses', () => {
    const strings = ['0.00123000', '-0.5', '007', '10', '100.000', '0', '-0', '0.0', '123456789012345678901234567890.000000000000000000001', '0.1', '-9007199254740993'];
    for (let i = 0; i < 20000; i++) strings.push(randomDec().toFixed(Math.floor(rnd() * 16)));
    for (const str of strings) expect(fields(toDecimal(str))).toBe(fields(new Dec(str)));
    for (let i = 0; i < 20000; i++) {
      const x = (rnd() - 0.5) * 10 ** Math.floor(rnd() * 30 - 12);
      expect(fields(toDecimal(x))).toBe(fields(new Dec(String(x))));
    }
  });
  it('decAdd and decSub build exactly the Dec plus and minus do, zeros and x - x included', () => {
    const zeros = [new Dec('0'), new Dec('-0')];
    for (let i = 0; i < 20000; i++) {
      const a = rnd() < 0.15 ? zeros[Math.floor(rnd() * 2)]! : randomDec();
      const b = rnd() < 0.15 ? zeros[Math.floor(rnd() * 2)]! : rnd() < 0.1 ? a : rnd() < 0.1 ? new Dec(a.toFixed(a.decimalPlaces() + 2)) : randomDec();
      expect(fields(decAdd(a, b))).toBe(fields(a.plus(b)));
      expect(fields(decSub(a, b))).toBe(fields(a.minus(b)));
    }
  });
  it('decAdd of two zeros builds the Dec plus does: every sign pair, in every rounding mode (-0 + 0 follows the mode)', () => {
    const saved = Dec.rounding;
    try {
      for (let mode = 0; mode <= 8; mode++) {
        Dec.set({ rounding: mode as typeof Dec.rounding });
        for (const a of ['0', '-0']) for (const b of ['0', '-0']) expect([mode, a, b, fields(decAdd(new Dec(a), new Dec(b)))]).toEqual([mode, a, b, fields(new Dec(a).plus(new Dec(b)))]);
      }
    } finally {
      Dec.set({ rounding: saved });
    }
  });
  it('decAdd, decSub and decMul of short values (float64 integer sums and products) build exactly the Dec of plus, minus and mul, at the 2^53 edge too', () => {
    // values of 1-17 significant digits at powers of ten -30..30: aligned sums whose coefficients
    // pass 2^53 - 1 after scaling, products just above and below it, sums to zero
    const coef = (): string => {
      const r = rnd();
      if (r < 0.1) return String(9007199254740991 - Math.floor(rnd() * 3)); // 2^53 - 1 and neighbours
      if (r < 0.15) return ['9007199254740993', '9007199254740994', '9007199254740995'][Math.floor(rnd() * 3)]!; // just above 2^53
      if (r < 0.2) return `9${'9'.repeat(Math.floor(rnd() * 16))}`;
      if (r < 0.25) return `1${'0'.repeat(Math.floor(rnd() * 16))}`;
      return String(1 + Math.floor(rnd() * 10 ** (1 + Math.floor(rnd() * 15))));
    };
    const shortDec = (): Dec => new Dec(`${rnd() < 0.4 ? '-' : ''}${coef()}e${Math.floor(rnd() * 61) - 30}`);
    const sqrtMax = new Dec('94906265'); // 94906265^2 < 2^53 - 1 < 94906266^2
    let n = 0;
    for (let i = 0; i < 12000; i++) {
      const a = shortDec();
      const r = rnd();
      // b: another short value, a value near a (small sums and differences), -a or a itself in another Dec (zero sums), or near sqrt(2^53)
      const b = r < 0.6 ? shortDec() : r < 0.7 ? a.plus(new Dec(`1e${a.e - Math.floor(rnd() * 18)}`)) : r < 0.8 ? (rnd() < 0.5 ? a.neg() : new Dec(a)) : sqrtMax.plus(Math.floor(rnd() * 3) - 1).mul(`1e${Math.floor(rnd() * 9) - 4}`);
      const c = r >= 0.8 ? sqrtMax.plus(Math.floor(rnd() * 3) - 1) : a;
      expect(fields(decAdd(a, b))).toBe(fields(a.plus(b)));
      expect(fields(decSub(a, b))).toBe(fields(a.minus(b)));
      expect(fields(decSub(b, a))).toBe(fields(b.minus(a)));
      expect(fields(decMul(c, b))).toBe(fields(c.mul(b)));
      n++;
    }
    expect(n).toBe(12000);
    // long operands (sums limb by limb up to 8 limbs between them, decimal.js beyond): 60-digit
    // quotients, 20-50 digit values, carries through limbs of 9999999, exact cancellations
    const longDec = (): Dec => {
      const r = rnd();
      if (r < 0.3) return randomDec().div(rnd() < 0.5 ? 7 : '101.031');
      if (r < 0.5) return new Dec(`${rnd() < 0.5 ? '-' : ''}${'9'.repeat(1 + Math.floor(rnd() * 40))}e${Math.floor(rnd() * 41) - 20}`);
      return new Dec(`${rnd() < 0.4 ? '-' : ''}${digitsOf(20 + Math.floor(rnd() * 31), 0.2).replace(/^0+/, '') || '1'}e${Math.floor(rnd() * 41) - 30}`);
    };
    for (let i = 0; i < 6000; i++) {
      const a = rnd() < 0.7 ? longDec() : shortDec();
      const r = rnd();
      const b = r < 0.5 ? longDec() : r < 0.7 ? shortDec() : r < 0.8 ? a.neg().plus(new Dec(`1e${a.e - 1 - Math.floor(rnd() * 50)}`)) : r < 0.9 ? new Dec(`1e${Math.floor(rnd() * 60) - 30}`) : new Dec(a);
      expect(fields(decAdd(a, b))).toBe(fields(a.plus(b)));
      expect(fields(decSub(a, b))).toBe(fields(a.minus(b)));
      expect(fields(decSub(b, a))).toBe(fields(b.minus(a)));
    }
    // the edges: 2^53 - 1 exactly, one more, sums crossing it, exponent gaps of 15 and 16
    const max = new Dec('9007199254740991');
    for (const [x, y] of [
      [max, new Dec(1)],
      [max, new Dec(-1)],
      [new Dec('9007199254740990'), new Dec(1)],
      [new Dec('4503599627370496'), new Dec('4503599627370495')],
      [new Dec('4503599627370496'), new Dec('4503599627370496')],
      [new Dec('1'), new Dec('1e-15')],
      [new Dec('1'), new Dec('1e-16')],
      [new Dec('9.007199254740991'), new Dec('1e-15')],
      [new Dec('0.00000003'), new Dec('123.456')],
      [new Dec('94906265'), new Dec('94906265')],
      [new Dec('94906266'), new Dec('94906266')],
      [new Dec('-94906265.5'), new Dec('0.2')],
      [new Dec(`${'9'.repeat(56)}`), new Dec(1)], // 8 limbs and a carry: 57 digits
      [new Dec(`${'9'.repeat(56)}`), new Dec('0.1')], // 9 limbs: decimal.js (rounds to 60 digits)
      [new Dec(`1${'0'.repeat(55)}`), new Dec('-1')], // a borrow through 8 limbs
      [new Dec(`-1${'0'.repeat(55)}`), new Dec(`1${'0'.repeat(55)}`)],
    ] as const) {
      expect(fields(decAdd(x, y))).toBe(fields(x.plus(y)));
      expect(fields(decSub(x, y))).toBe(fields(x.minus(y)));
      expect(fields(decMul(x, y))).toBe(fields(x.mul(y)));
    }
  });
  it('decProduct is mul (same Dec) and decCmp is cmp, over short, long, signed, zero and non-finite values', () => {
    const special = [new Dec(0), new Dec(-0), new Dec(Infinity), new Dec(-Infinity), new Dec(NaN), new Dec('1e-30'), new Dec('-1e30'), new Dec('94906265'), new Dec('94906266')];
    const pick = (): Dec => {
      const r = rnd();
      if (r < 0.1) return special[Math.floor(rnd() * special.length)]!;
      if (r < 0.3) return randomDec().div(rnd() < 0.5 ? 7 : '101.031');
      return randomDec();
    };
    const sign = (x: number): number => (Number.isNaN(x) ? NaN : x);
    for (let i = 0; i < 20000; i++) {
      const a = pick();
      const r = rnd();
      // b: another value, the same value in another Dec, or one a last digit away
      const b = r < 0.6 ? pick() : r < 0.8 ? new Dec(a) : a.isFinite() && !a.isZero() ? a.plus(new Dec(`1e${a.e - 20 - Math.floor(rnd() * 40)}`)) : pick();
      expect(sign(decCmp(a, b))).toEqual(sign(a.cmp(b)));
      expect(sign(decCmp(b, a))).toEqual(sign(b.cmp(a)));
      if (a.isFinite() && b.isFinite()) expect(fields(decProduct(a, b))).toBe(fields(a.mul(b)));
      else expect(decProduct(a, b).toString()).toBe(a.mul(b).toString());
    }
  });
  it('decScaledInto reads short values as coefficient and power of ten, and scaledToString prints them as decToString does', () => {
    const m = new Float64Array(1);
    const q = new Int32Array(1);
    let fitted = 0;
    const values: Dec[] = [new Dec(0), new Dec(-0), new Dec('9007199254740991'), new Dec('9007199254740993'), new Dec('-0.0000000000000000000000000000000000000000000000000000000000000000000000000000001'), new Dec('1e70'), new Dec('123e-80')];
    for (let i = 0; i < 20000; i++) values.push(rnd() < 0.8 ? randomDec() : randomDec().mul(`1e${Math.floor(rnd() * 160) - 80}`).div(rnd() < 0.2 ? 7 : 1));
    for (const d of values) {
      if (!decScaledInto(d, m, q, 0)) {
        expect((d as unknown as { d: number[] }).d.length).toBeGreaterThan(1); // only long coefficients do not fit
        continue;
      }
      fitted++;
      expect(scaledToString(m[0]!, q[0]!)).toBe(decToString(d));
      if (!d.isZero()) expect(new Dec(m[0]!).mul(`1e${q[0]!}`).eq(d)).toBe(true);
    }
    expect(fitted).toBeGreaterThan(15000);
    expect(decScaledInto(new Dec(Infinity), m, q, 0)).toBe(false);
    expect(decScaledInto(new Dec('9007199254740993'), m, q, 0)).toBe(false);
  });
  it('decProduct and decMul of operands up to 8 limbs between them (limb products with carries) build exactly the Dec of mul', () => {
    const limbsOf = (k: number): Dec => new Dec(`${rnd() < 0.4 ? '-' : ''}${rnd() < 0.2 ? '9'.repeat(7 * k) : digitsOf(7 * k - Math.floor(rnd() * 7), 0.2).replace(/^0+/, '') || '7'}e${Math.floor(rnd() * 40) - 20}`);
    for (let i = 0; i < 6000; i++) {
      const ka = 1 + Math.floor(rnd() * 6);
      const kb = 1 + Math.floor(rnd() * (9 - ka));
      const a = limbsOf(ka);
      const b = limbsOf(kb);
      expect(fields(decProduct(a, b))).toBe(fields(a.mul(b)));
      expect(fields(decMul(b, a))).toBe(fields(b.mul(a)));
    }
    // all-9 limbs (the largest carries), and one limb past 8 (decimal.js rounds to 60 digits)
    for (const [x, y] of [
      ['9'.repeat(28), '9'.repeat(28)],
      ['9'.repeat(35), '9'.repeat(21)],
      ['9'.repeat(28), '9'.repeat(29)],
      [`1${'0'.repeat(30)}1`, '3.7'],
    ] as const) {
      expect(fields(decProduct(new Dec(x), new Dec(y)))).toBe(fields(new Dec(x).mul(y)));
    }
  });
  it('decApprox is within a relative 1e-13 of the value, short and 60-digit values, zeros and tiny or huge exponents', () => {
    const rel = (d: Dec): number => Math.abs(decApprox(d) - d.toNumber()) / Math.abs(d.toNumber());
    let worst = 0;
    for (let i = 0; i < 20000; i++) {
      const d = rnd() < 0.5 ? randomDec() : randomDec().div(rnd() < 0.5 ? 7 : '0.0013');
      if (d.isZero()) continue;
      worst = Math.max(worst, rel(d));
      const scaledUp = d.mul(`1e${Math.floor(rnd() * 400 - 200)}`);
      worst = Math.max(worst, rel(scaledUp));
    }
    expect(worst).toBeLessThan(1e-13);
    expect(worst).toBeGreaterThan(0); // (long values do lose digits: the bound is what is checked)
    expect(decApprox(new Dec(0))).toBe(0);
    expect(decApprox(new Dec('-9999999.99999999999999999999'))).toBeCloseTo(-1e7, 6);
  });
  it('decNumber is toNumber (the float nearest the value), -0 included', () => {
    for (let i = 0; i < 20000; i++) {
      const d = randomDec();
      expect(Object.is(decNumber(d), d.toNumber())).toBe(true);
    }
    expect(Object.is(decNumber(new Dec('-0')), -0)).toBe(true);
    expect(Object.is(decNumber(new Dec('0')), 0)).toBe(true);
    expect(decNumber(new Dec('123456789012345678901234567890.5'))).toBe(1.2345678901234568e29);
  });
});

describe('deterministic ids', () => {
  it('client order ids are deterministic, distinct per input, and fit Binance rules', () => {
    const a = clientOrderId('run-1', 'macross', 'BTC/USDT', 1_609_459_200_000, 0);
    expect(a).toBe(clientOrderId('run-1', 'macross', 'BTC/USDT', 1_609_459_200_000, 0));
    expect(a.length).toBeLessThanOrEqual(36);
    expect(isValidClientOrderId(a)).toBe(true);
    const others = [
      clientOrderId('run-2', 'macross', 'BTC/USDT', 1_609_459_200_000, 0),
      clientOrderId('run-1', 'macross2', 'BTC/USDT', 1_609_459_200_000, 0),
      clientOrderId('run-1', 'macross', 'ETH/USDT', 1_609_459_200_000, 0),
      clientOrderId('run-1', 'macross', 'BTC/USDT', 1_609_462_800_000, 0),
      clientOrderId('run-1', 'macross', 'BTC/USDT', 1_609_459_200_000, 1),
    ];
    expect(new Set([a, ...others]).size).toBe(6);
    expect(a.startsWith('o' + (1_609_459_200_000).toString(36) + '-0-')).toBe(true);
  });
  it('event ids are length-prefixed hashes: part boundaries matter', () => {
    expect(eventIdFrom('ab', 'c')).not.toBe(eventIdFrom('a', 'bc'));
    expect(eventIdFrom('x', 1)).toMatch(/^[0-9a-f]{32}$/);
    expect(fillId('o1', 2)).toBe('o1:2');
    const coid = clientOrderId('run', 's', 'BTC/USDT', 1_609_459_200_000, 0);
    for (const n of [0, -0, 1, 9, 10, 15, 16, 17, 100, 2 ** 31, -1, 1.5, NaN, 1e21]) expect(fillId(coid, n)).toBe(`${coid}:${n}`);
  });
  it('ids are the documented sha256 texts (reference: createHash over the length-prefixed parts)', () => {
    const ref = (parts: (string | number)[], enc: 'hex' | 'base64url') => createHash('sha256').update(parts.map((p) => `${String(p).length}:${p}|`).join('')).digest(enc);
    expect(eventIdFrom('approved', 'd-1', 42)).toBe(ref(['approved', 'd-1', 42], 'hex').slice(0, 32));
    const head = `o${(1_609_459_200_000).toString(36)}-3-`;
    expect(clientOrderId('run-1', 'macross', 'BTC/USDT', 1_609_459_200_000, 3)).toBe(head + ref(['run-1', 'macross', 'BTC/USDT', 1_609_459_200_000, 3], 'base64url').slice(0, 36 - head.length));
    // alternating runs, strategies and symbols (incl. empty strings and a unicode symbol), times and sequences
    const slots = [['run-1', 'macross', 'BTC/USDT'], ['run-1', 'macross', 'ETH/USDT'], ['', '', ''], ['run-2', 'brk', 'ÄÖ/USDT'], ['run-1', 'macross', 'BTC/USDT']] as const;
    for (let k = 0; k < 60; k++) {
      const [run, strategy, symbol] = slots[(k * 7) % slots.length]!;
      const t = 1_609_459_200_000 + k * 3_600_000;
      const seq = k % 4;
      const h = `o${t.toString(36)}-${seq.toString(36)}-`;
      expect(clientOrderId(run, strategy, symbol, t, seq)).toBe(h + ref([run, strategy, symbol, t, seq], 'base64url').slice(0, 36 - h.length));
    }
    // times and sequences of every digit count up to 2^53 - 1; long and non-ASCII slot texts (emoji, a lone surrogate)
    const long = 'r'.repeat(300);
    const slots2 = [['run-1', 'macross', 'BTC/USDT'], [long, 'macross', 'BTC/USDT'], ['run-\u{1F680}', 'm\u00e9', '\uD800/USDT'], [long + long, 's', 'X']] as const;
    const nums = [0, 1, 9, 10, 35, 36, 99_999_999, 100_000_000, 1_609_459_200_000, 999_999_999_999_999, 1e15, Number.MAX_SAFE_INTEGER];
    for (let k = 0; k < nums.length * slots2.length; k++) {
      const [run, strategy, symbol] = slots2[k % slots2.length]!;
      const t = nums[k % nums.length]!;
      const seq = nums[(k * 5) % nums.length]!;
      const h = `o${t.toString(36)}-${seq.toString(36)}-`;
      const id = clientOrderId(run, strategy, symbol, t, seq);
      expect(id).toBe(h + ref([run, strategy, symbol, t, seq], 'base64url').slice(0, 36 - h.length));
      expect(id.length).toBe(36);
    }
  });
});

describe('eventIdAt', () => {
  it('is eventIdFrom(...parts, time): alternating parts (empty, long, non-ASCII, a lone surrogate), times of every digit count, and times that are not safe integers', () => {
    const ref = (parts: (string | number)[]) => createHash('sha256').update(parts.map((p) => `${String(p).length}:${p}|`).join('')).digest('hex').slice(0, 32);
    const long = 'r'.repeat(300);
    const partSets: string[][] = [
      ['decision', 'run-1', 'macross', 'binance', 'BTC/USDT'],
      ['decision', 'run-1', 'macross', 'binance', 'ETH/USDT'],
      [],
      ['', '', ''],
      ['decision', long, 'm\u00e9', 'binance', '\uD800/USDT'],
      ['decision', long + long, 'run-\u{1F680}'],
      ['decision', 'run-1', 'macross', 'binance', 'BTC/USDT'],
    ];
    const times = [0, 1, 9, 10, 99_999_999, 100_000_000, 1_609_459_200_000, 999_999_999_999_999, 1e15, Number.MAX_SAFE_INTEGER, -1, 1.5, -0, NaN, Infinity, 2 ** 53, 1e21];
    for (let k = 0; k < partSets.length * times.length; k++) {
      const parts = partSets[(k * 3) % partSets.length]!;
      const t = times[k % times.length]!;
      const id = eventIdAt(parts, t);
      expect(id).toBe(eventIdFrom(...parts, t));
      expect(id).toBe(ref([...parts, t]));
    }
    // the same parts as a new array with equal strings, and a caller's array changed after the call
    const mine = ['decision', 'run-1', 'macross', 'binance', 'BTC/USDT'];
    expect(eventIdAt(mine, 1_609_459_200_000)).toBe(ref([...mine, 1_609_459_200_000]));
    mine[4] = 'ETH/USDT';
    expect(eventIdAt(mine, 1_609_459_200_000)).toBe(ref([...mine, 1_609_459_200_000]));
  });

  it('is eventIdFrom(...parts, time) with more parts lists in turn than it remembers (a forgotten one\'s buffer reused, or too small for a long one)', () => {
    const ref = (parts: (string | number)[]) => createHash('sha256').update(parts.map((p) => `${String(p).length}:${p}|`).join('')).digest('hex').slice(0, 32);
    const lists = Array.from({ length: 12 }, (_, i) => ['decision', 'run-2', 'macross', 'binance', i === 5 ? 'L'.repeat(400 + i) : `S${i}/USDT`]);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < lists.length; i++) {
        const t = 1_609_459_200_000 + round * 3_600_000 + i;
        expect(eventIdAt(lists[i]!, t)).toBe(ref([...lists[i]!, t]));
      }
      // and back to the most recent ones (remembered)
      for (let i = lists.length - 1; i >= lists.length - 4; i--) expect(eventIdAt(lists[i]!, 7 + round)).toBe(ref([...lists[i]!, 7 + round]));
    }
  });
});

describe('eventIdAt and clientOrderId together (one memo of encoded parts lists)', () => {
  it('give eventIdFrom\'s ids and the digest of the client order id, interleaved over more lists than are remembered, with the largest numbers in buffers another list made', () => {
    const ref = (parts: (string | number)[], enc: 'hex' | 'base64url') => createHash('sha256').update(parts.map((p) => `${String(p).length}:${p}|`).join('')).digest(enc);
    const max = Number.MAX_SAFE_INTEGER;
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 20; i++) {
        // parts of every length around the buffers' size (256 bytes), so that forgotten buffers are reused by other lists
        const sym = `S${i}/${'U'.repeat((i * 23) % 240)}`;
        const t = i % 2 === 0 ? max - round : 1_609_459_200_000 + i;
        expect(eventIdAt(['bar-matched', 'run-x', 'binance', sym, '1h'], t)).toBe(ref(['bar-matched', 'run-x', 'binance', sym, '1h', t], 'hex').slice(0, 32));
        const seq = i % 3 === 0 ? max : i;
        const h = `o${t.toString(36)}-${seq.toString(36)}-`;
        expect(clientOrderId('run-x', 'macross', sym, t, seq)).toBe(h + ref(['run-x', 'macross', sym, t, seq], 'base64url').slice(0, 36 - h.length));
      }
    }
  });
});

describe('decMul', () => {
  it('is a.mul(b) in either order (value, digits and sign), remembering the product of the same two Decs', () => {
    let seed = 5;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const digits = (k: number) => Array.from({ length: k }, () => String(Math.floor(rnd() * 10))).join('');
    const values: Dec[] = [new Dec(0), new Dec(-0), new Dec('1e-30'), new Dec('9'.repeat(40)), new Dec(`0.${'7'.repeat(45)}`)];
    for (let i = 0; i < 200; i++) values.push(new Dec(`${rnd() < 0.3 ? '-' : ''}${digits(1 + Math.floor(rnd() * 12))}.${digits(1 + Math.floor(rnd() * 30))}`));
    const same = (x: Dec, y: Dec) => expect([x.isNegative(), x.toFixed(), (x as unknown as { d: number[] }).d]).toEqual([y.isNegative(), y.toFixed(), (y as unknown as { d: number[] }).d]);
    for (let i = 0; i + 2 < values.length; i++) {
      const [a, b, c] = [values[i]!, values[i + 1]!, values[i + 2]!];
      const ab = decMul(a, b);
      same(ab, a.mul(b));
      expect(decMul(b, a)).toBe(ab); // remembered, either order
      const ac = decMul(a, c);
      same(ac, a.mul(c)); // another operand: not confused with a x b
      same(decMul(c, a), c.mul(a));
      same(decMul(a, new Dec(b)), a.mul(b)); // an equal value in another Dec: multiplied again
    }
  });
});

describe('base36', () => {
  it('prints what Number.prototype.toString(36) prints for safe integers >= 0 (boundaries and seeded random values up to 2^53 - 1)', () => {
    const values = [0, 1, 35, 36, 37, 1295, 1296, 46655, 46656, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 36 ** 10 - 1, 36 ** 10, 2 ** 53 - 36, 2 ** 53 - 2, 2 ** 53 - 1, 1_609_459_200_000];
    let seed = 3;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    for (let i = 0; i < 20_000; i++) values.push(Math.floor(rnd() * 2 ** 21) * 2 ** 32 + Math.floor(rnd() * 2 ** 32), Math.floor(rnd() * 1e13), Math.floor(rnd() * 5000));
    for (const v of values) if (base36(v) !== v.toString(36)) throw new Error(`base36(${v}) = ${base36(v)}, toString(36) = ${v.toString(36)}`);
  });
});

describe('time', () => {
  it('timeframe arithmetic', () => {
    expect(timeframeMs('5m')).toBe(300_000);
    expect(timeframeMs('1h')).toBe(3_600_000);
    expect(barsPerYear('1h')).toBe(8760);
    expect(barsPerYear('5m')).toBe(105120);
    expect(floorToTimeframe(1_609_459_200_000 + 3_599_999, '1h')).toBe(1_609_459_200_000);
    expect(barCloseTime(1_609_459_200_000, '1h')).toBe(1_609_462_800_000);
    expect(utcDayStart(Date.UTC(2021, 0, 1, 23, 59))).toBe(Date.UTC(2021, 0, 1));
    expect(() => timeframeMs('7x')).toThrow(/unknown timeframe/);
  });
  it('the manual clock never goes backwards', () => {
    const c = new ManualClock(10);
    c.advance(5);
    expect(c.now()).toBe(15);
    expect(() => c.set(14)).toThrow(/cannot go back/);
  });
  it('instrument keys round-trip', () => {
    expect(instrumentKey({ exchange: 'binance', symbol: 'BTC/USDT' })).toBe('binance:BTC/USDT');
    expect(parseInstrumentKey('binance:BTC/USDT')).toEqual({ exchange: 'binance', symbol: 'BTC/USDT' });
    expect(() => parseInstrumentKey('nokey')).toThrow(/exchange:symbol/);
    expect(splitSymbol('ETH/USDT')).toEqual({ base: 'ETH', quote: 'USDT' });
  });
});

describe('id digests', () => {
  it('hash the length-prefixed parts (reference: sha256 of "5:run-1|7:macross|" computed by hand layout)', () => {
    const expected = createHash('sha256').update('5:run-1|7:macross|').digest('hex').slice(0, 32);
    expect(eventIdFrom('run-1', 'macross')).toBe(expected);
  });
});
