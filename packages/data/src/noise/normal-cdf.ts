/**
 * The standard normal CDF, Phi(x) = (1 + erf(x / sqrt 2)) / 2, by erf's Taylor series (to double
 * precision for |x| <= 3, which is all the noise thresholds need).
 */
export function normalCdf(x: number): number {
  if (!(Math.abs(x) <= 3)) throw new RangeError(`normalCdf: |x| must be <= 3, got ${x}`);
  const y = x / Math.SQRT2;
  let term = y; // (-1)^n y^(2n+1) / n!
  let sum = y;
  for (let n = 1; n < 60; n++) {
    term *= (-y * y) / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17) break;
  }
  return 0.5 + sum / Math.sqrt(Math.PI);
}
