/**
 * NaN-skipping moments, as numpy's `nanmean` / `nanstd` that empyrical uses: NaN entries are left
 * out of the sums and of the count. Infinite entries are kept (and propagate).
 */

/** Arithmetic mean of the non-NaN entries (NaN when there are none). One pass, Welford's update. */
export function nanMean(xs: ArrayLike<number>): number {
  return moments(xs).mean;
}

/**
 * Standard deviation of the non-NaN entries with `ddof` delta degrees of freedom:
 * sqrt(sum((x - mean)^2) / (n - ddof)). NaN when n - ddof <= 0. One pass (Welford), so a constant
 * series gives exactly 0.
 */
export function nanStd(xs: ArrayLike<number>, ddof = 1): number {
  const m = moments(xs);
  return m.n - ddof > 0 ? Math.sqrt(m.m2 / (m.n - ddof)) : NaN;
}

/** Sample standard deviation (ddof = 1) from {@link moments}' sums: NaN for fewer than 2 values. */
export function sampleStd(m: { readonly n: number; readonly m2: number }): number {
  return m.n > 1 ? Math.sqrt(m.m2 / (m.n - 1)) : NaN;
}

/** Count, mean and sum of squared deviations of the non-NaN entries, in one pass. */
export function moments(xs: ArrayLike<number>, shift = 0): { n: number; mean: number; m2: number } {
  let n = 0;
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]! - shift;
    if (Number.isNaN(x)) continue;
    n += 1;
    const d = x - mean;
    mean += d / n;
    m2 += d * (x - mean);
  }
  return { n, mean: n > 0 ? mean : NaN, m2 };
}
