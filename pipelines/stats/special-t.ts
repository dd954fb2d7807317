/**
 * Student-t distribution function for the Diebold–Mariano p-value, through the regularised
 * incomplete beta function. Written without coefficient tables (Stirling series, Lentz continued
 * fraction) so every step can be checked against R's pt() (tests/golden/dm-test-r-forecast.json).
 */

const LN_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * ln Γ(x) for x > 0. Shifts x up to ≥ 15 by the recurrence Γ(x+1) = xΓ(x), where the Stirling
 * series truncated after the x⁻⁹ term is accurate to about 1e-16 relative.
 */
export function logGamma(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) {
    throw new RangeError(`logGamma: x must be a positive finite number, got ${x}`);
  }
  let shift = 0;
  let z = x;
  // One log of the running product, not a log per step; the product stays far below overflow.
  let product = 1;
  while (z < 15) {
    product *= z;
    z += 1;
  }
  if (product !== 1) shift = Math.log(product);
  const inv = 1 / z;
  const inv2 = inv * inv;
  // Σ B_{2k} / (2k(2k−1) z^{2k−1}) for k = 1..5, by Horner in 1/z².
  const series =
    inv * (1 / 12 + inv2 * (-1 / 360 + inv2 * (1 / 1260 + inv2 * (-1 / 1680 + inv2 / 1188))));
  return (z - 0.5) * Math.log(z) - z + LN_SQRT_2PI + series - shift;
}

/** Continued fraction for I_x(a, b) (Numerical Recipes' betacf), by modified Lentz. */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    // Even step.
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    // Odd step.
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) return h;
  }
  throw new RangeError(`betaContinuedFraction: no convergence for a=${a}, b=${b}, x=${x}`);
}

/**
 * Regularised incomplete beta I_x(a, b). `y` is 1 − x, passed separately when the caller can form
 * it without cancellation (the t CDF can: t²/(ν + t²)), so tails keep their relative precision.
 */
export function regularizedBeta(x: number, a: number, b: number, y: number = 1 - x): number {
  if (!(a > 0) || !(b > 0)) {
    throw new RangeError(`regularizedBeta: a and b must be positive, got a=${a}, b=${b}`);
  }
  if (Number.isNaN(x) || x < 0 || x > 1) {
    throw new RangeError(`regularizedBeta: x must be in [0, 1], got ${x}`);
  }
  if (x === 0) return 0;
  if (y === 0) return 1;
  const lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(y);
  const front = Math.exp(lnFront);
  // The fraction converges fast only below the mean; above it use I_x(a,b) = 1 − I_y(b,a).
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, y)) / b;
}

function checkDf(df: number): void {
  if (!(df > 0) || !Number.isFinite(df)) {
    throw new RangeError(`Student t: degrees of freedom must be positive and finite, got ${df}`);
  }
}

/** P(T ≤ t) for T ~ Student t with `df` degrees of freedom (R's pt(t, df)). */
export function studentTCdf(t: number, df: number): number {
  checkDf(df);
  if (Number.isNaN(t)) return NaN;
  if (t === 0) return 0.5;
  if (t === -Infinity) return 0;
  if (t === Infinity) return 1;
  const t2 = t * t;
  // P(T ≤ −|t|) = ½ I_{ν/(ν+t²)}(ν/2, ½), computed directly so the small tail is never 1 − (≈1).
  const tail = 0.5 * regularizedBeta(df / (df + t2), df / 2, 0.5, t2 / (df + t2));
  return t < 0 ? tail : 1 - tail;
}

/** P(T > t) (R's pt(t, df, lower.tail = FALSE)), exact in the upper tail by symmetry. */
export function studentTSf(t: number, df: number): number {
  return studentTCdf(-t, df);
}
