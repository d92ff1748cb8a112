/**
 * Brent's root finder as R's `uniroot` runs it (R_zeroin2): same steps, same stopping rule, so
 * results that depend on where the search stops (R's Mann–Whitney interval uses tol = 1e-4 on a
 * step function) come out the same as in R.
 */
export function zeroin(
  f: (x: number) => number,
  lower: number,
  upper: number,
  fLower: number,
  fUpper: number,
  tolerance: number,
  maxIterations = 1000,
): number {
  let a = lower;
  let b = upper;
  let fa = fLower;
  let fb = fUpper;
  let c = a;
  let fc = fa;
  if (fa === 0) return a;
  if (fb === 0) return b;

  for (let iterationsLeft = maxIterations + 1; iterationsLeft > 0; iterationsLeft--) {
    const previousStep = b - a;
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const actualTolerance = 2 * Number.EPSILON * Math.abs(b) + tolerance / 2;
    let newStep = (c - b) / 2;
    if (Math.abs(newStep) <= actualTolerance || fb === 0) return b;

    if (Math.abs(previousStep) >= actualTolerance && Math.abs(fa) > Math.abs(fb)) {
      // Interpolation may be tried: secant with two points, inverse quadratic with three.
      const cb = c - b;
      let p: number;
      let q: number;
      if (a === c) {
        const t1 = fb / fa;
        p = cb * t1;
        q = 1 - t1;
      } else {
        const qa = fa / fc;
        const t1 = fb / fc;
        const t2 = fb / fa;
        p = t2 * (cb * qa * (qa - t1) - (b - a) * (t1 - 1));
        q = (qa - 1) * (t1 - 1) * (t2 - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      if (p < 0.75 * cb * q - Math.abs(actualTolerance * q) / 2 && p < Math.abs((previousStep * q) / 2)) newStep = p / q;
    }
    if (Math.abs(newStep) < actualTolerance) newStep = newStep > 0 ? actualTolerance : -actualTolerance;
    a = b;
    fa = fb;
    b += newStep;
    fb = clampToDoubleRange(f(b));
    if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) {
      c = a;
      fc = fa;
    }
  }
  return b;
}

/** R replaces ±Inf from the function by ±DBL_MAX before using it. */
function clampToDoubleRange(value: number): number {
  if (value === Infinity) return Number.MAX_VALUE;
  if (value === -Infinity) return -Number.MAX_VALUE;
  return value;
}
