/**
 * The few special functions the drift tests need, accurate to about 1e-15 relative, written without
 * coefficient tables so each can be checked against SciPy directly (see tests/unit/drift.test.ts).
 */

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const ONE_OVER_SQRT_PI = 1 / Math.sqrt(Math.PI);

/** erf(x) for |x| < 2 by the all-positive series erf(x) = 2/√π e^{-x²} Σ (2x²)^n x / (2n+1)!!. */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 500; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * 1e-17) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/** erfc(x) for x ≥ 2 by the Laplace continued fraction, evaluated with modified Lentz. */
function erfcContinuedFraction(x: number): number {
  // erfc(x) = e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …))))
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 1000; k++) {
    const a = k / 2;
    d = x + a * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = x + a / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return (ONE_OVER_SQRT_PI * Math.exp(-x * x)) / f;
}

export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (Math.abs(x) < 2) return erfSeries(x);
  return x > 0 ? 1 - erfcContinuedFraction(x) : erfcContinuedFraction(-x) - 1;
}

export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 2) return 1 - erfSeries(x);
  if (x > 27.3) return 0;
  return erfcContinuedFraction(x);
}

/** Standard normal CDF, with the same split as Cephes' ndtr so the upper tail keeps its precision. */
export function normalCdf(a: number): number {
  const x = a * Math.SQRT1_2;
  const z = Math.abs(x);
  if (z < Math.SQRT1_2) return 0.5 + 0.5 * erf(x);
  const y = 0.5 * erfc(z);
  return x > 0 ? 1 - y : y;
}

/**
 * Chi-square survival function for a positive integer number of degrees of freedom, using the
 * closed forms of the regularised upper incomplete gamma Q(df/2, x/2) for integer and half-integer
 * shape. The drift tests only ever need small df (at most 4), where these sums are exact.
 */
export function chi2Sf(x: number, df: number): number {
  if (!Number.isInteger(df) || df < 1) {
    throw new RangeError(`chi2Sf: degrees of freedom must be a positive integer, got ${df}`);
  }
  if (Number.isNaN(x)) return NaN;
  if (x <= 0) return 1;
  if (x === Infinity) return 0;
  const h = x / 2;
  if (df % 2 === 0) {
    // Q(k, h) = e^{-h} Σ_{j<k} h^j / j!
    let term = 1;
    let sum = 1;
    for (let j = 1; j < df / 2; j++) {
      term *= h / j;
      sum += term;
    }
    return Math.exp(-h) * sum;
  }
  // Q(k + 1/2, h) = erfc(√h) + e^{-h} Σ_{j=1}^{k} h^{j-1/2} / Γ(j + 1/2)
  const sqrtH = Math.sqrt(h);
  // First term h^{1/2} / Γ(3/2), with Γ(3/2) = √π/2.
  let term = (2 * sqrtH) / Math.sqrt(Math.PI);
  let sum = 0;
  for (let j = 1; j <= (df - 1) / 2; j++) {
    sum += term;
    term *= h / (j + 0.5);
  }
  return erfc(sqrtH) + Math.exp(-h) * sum;
}
