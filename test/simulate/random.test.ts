import { Random, mulberry32, normalCdf, streamSeed } from '../../lib/simulate';

/** Sample mean and variance of n draws. */
function moments(n: number, draw: () => number): { mean: number; variance: number } {
  let total = 0;
  let squares = 0;
  for (let index = 0; index < n; index += 1) {
    const value = draw();
    total += value;
    squares += value * value;
  }
  const mean = total / n;
  return { mean, variance: squares / n - mean * mean };
}

describe('mulberry32 and streams', () => {
  test('the same seed gives the same sequence, another seed another', () => {
    const take = (seed: number) => Array.from({ length: 5 }, mulberry32(seed));
    expect(take(42)).toEqual(take(42));
    expect(take(42)).not.toEqual(take(43));
    expect(take(42).every((value) => value >= 0 && value < 1)).toBe(true);
  });

  test('named streams of one seed differ', () => {
    expect(streamSeed(1, 'errors-1')).not.toBe(streamSeed(1, 'errors-2'));
    expect(streamSeed(1, 'errors-1')).toBe(streamSeed(1, 'errors-1'));
    expect(streamSeed(1, 'errors-1')).not.toBe(streamSeed(2, 'errors-1'));
  });
});

describe('samplers have the right mean and variance', () => {
  const random = Random.seeded(2024);
  const n = 20_000;

  test.each([
    ['poisson(3) (product of uniforms)', () => random.poisson(3), 3, 3],
    ['poisson(2000) (gamma split)', () => random.poisson(2000), 2000, 2000],
    ['binomial(50, 0.1) (inversion)', () => random.binomial(50, 0.1), 5, 4.5],
    ['binomial(2000, 0.1) (beta split)', () => random.binomial(2000, 0.1), 200, 180],
    ['binomial(2000, 0.9) (complement)', () => random.binomial(2000, 0.9), 1800, 180],
    ['gamma(2, 3)', () => random.gamma(2, 3), 6, 18],
    ['gamma(0.5, 2) (shape below 1)', () => random.gamma(0.5, 2), 1, 2],
    ['normal', () => random.normal(), 0, 1],
  ])('%s', (_name, draw, mean, variance) => {
    const observed = moments(n, draw);
    // The mean within 4 standard errors; the variance within 10 %.
    expect(Math.abs(observed.mean - mean)).toBeLessThan(4 * Math.sqrt(variance / n));
    expect(observed.variance / variance).toBeGreaterThan(0.9);
    expect(observed.variance / variance).toBeLessThan(1.1);
  });

  test('lognormal has the configured median', () => {
    const draws = Array.from({ length: n }, () => random.lognormal(Math.log(120), 0.8)).sort((a, b) => a - b);
    expect(draws[n / 2] / 120).toBeCloseTo(1, 1);
  });

  test('edge cases are exact and bad arguments throw', () => {
    expect(random.binomial(0, 0.5)).toBe(0);
    expect(random.binomial(10, 0)).toBe(0);
    expect(random.binomial(10, 1)).toBe(10);
    expect(random.poisson(0)).toBe(0);
    expect(() => random.binomial(10, 1.5)).toThrow(RangeError);
    expect(() => random.poisson(-1)).toThrow(RangeError);
    expect(() => random.gamma(0)).toThrow(RangeError);
  });
});

test('normalCdf matches known values', () => {
  expect(normalCdf(0)).toBeCloseTo(0.5, 7);
  expect(normalCdf(2.3263478740408408)).toBeCloseTo(0.99, 6);
  expect(normalCdf(-1.959963984540054)).toBeCloseTo(0.025, 6);
});
