/**
 * TA-Lib's float comparisons (ta_utility.h): TA_IS_ZERO(v) is |v| < TA_EPSILON,
 * TA_IS_ZERO_OR_NEG(v) is v < TA_EPSILON. Used where TA-Lib guards a division
 * or a square root, so outputs match TA-Lib's in those edge cases too.
 */
export const TA_EPSILON = 1e-14;

/**
 * True range of one bar (TA-Lib `TRANGE`): the greatest of high - low,
 * |prevClose - high| and |prevClose - low|. Units: price.
 */
export function trueRange(high: number, low: number, prevClose: number): number {
  let greatest = high - low;
  const v2 = Math.abs(prevClose - high);
  if (v2 > greatest) greatest = v2;
  const v3 = Math.abs(prevClose - low);
  if (v3 > greatest) greatest = v3;
  return greatest;
}
