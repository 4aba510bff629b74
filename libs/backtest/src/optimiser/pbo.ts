/**
 * Probability of backtest overfitting by combinatorially symmetric cross-validation (Bailey,
 * Borwein, López de Prado & Zhu, "The Probability of Backtest Overfitting", 2015).
 *
 * The T x N matrix of per-period returns (N candidates, equal length T) is cut into S blocks of
 * rows; for every choice of S/2 blocks as in-sample (the rest out-of-sample) the candidate with the
 * best in-sample Sharpe is found, its out-of-sample Sharpe rank r in (0, 1) gives the logit
 * log(r / (1 - r)); PBO is the share of combinations with logit <= 0 (the in-sample winner at or
 * below the out-of-sample median). Returns NaN with fewer than 2 candidates or too few rows.
 */
export function probabilityOfBacktestOverfitting(returns: readonly ArrayLike<number>[], blocks = 8): { pbo: number; combinations: number; logits: number[] } {
  const n = returns.length;
  if (n < 2 || blocks < 2 || blocks % 2 !== 0) return { pbo: NaN, combinations: 0, logits: [] };
  const t = Math.min(...returns.map((r) => r.length));
  const len = Math.floor(t / blocks);
  if (len < 2) return { pbo: NaN, combinations: 0, logits: [] };
  // Per block and candidate: sum, sum of squares, count -> Sharpe of any union of blocks.
  const sum = new Float64Array(blocks * n);
  const sq = new Float64Array(blocks * n);
  for (let b = 0; b < blocks; b++)
    for (let j = 0; j < n; j++) {
      const r = returns[j];
      let s = 0;
      let q = 0;
      for (let i = b * len; i < (b + 1) * len; i++) {
        s += r[i];
        q += r[i] * r[i];
      }
      sum[b * n + j] = s;
      sq[b * n + j] = q;
    }
  const sharpe = (set: number[], j: number): number => {
    let s = 0;
    let q = 0;
    for (const b of set) {
      s += sum[b * n + j];
      q += sq[b * n + j];
    }
    const m = set.length * len;
    const mean = s / m;
    const v = (q - m * mean * mean) / (m - 1);
    return v > 0 ? mean / Math.sqrt(v) : mean > 0 ? Infinity : mean < 0 ? -Infinity : 0;
  };
  const logits: number[] = [];
  const half = blocks / 2;
  const choose = (start: number, acc: number[]): void => {
    if (acc.length === half) {
      const is = acc;
      const oos: number[] = [];
      for (let b = 0; b < blocks; b++) if (!is.includes(b)) oos.push(b);
      let best = 0;
      let bestS = -Infinity;
      for (let j = 0; j < n; j++) {
        const s = sharpe(is, j);
        if (s > bestS) {
          bestS = s;
          best = j;
        }
      }
      const oosS = Array.from({ length: n }, (_, j) => sharpe(oos, j));
      const mine = oosS[best]!;
      let below = 0;
      for (const x of oosS) if (x < mine) below++;
      const rank = (below + 1) / (n + 1); // relative rank in (0, 1)
      logits.push(Math.log(rank / (1 - rank)));
      return;
    }
    for (let b = start; b < blocks; b++) {
      acc.push(b);
      choose(b + 1, acc);
      acc.pop();
    }
  };
  choose(0, []);
  const pbo = logits.filter((l) => l <= 0).length / logits.length;
  return { pbo, combinations: logits.length, logits };
}
