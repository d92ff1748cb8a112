import { publishedSpend } from '../../lib/report/model';

describe('publishedSpend', () => {
  test('groups the published figures by metric: looks, first and last figure of each arm', () => {
    const spend = publishedSpend([
      { metric: 'chat', arm: 'canary', usd: 0.003 },
      { metric: 'chat', arm: 'baseline', usd: 0.001 },
      { metric: 'embed', arm: 'canary', usd: 0.0002 },
      { metric: 'embed', arm: 'baseline', usd: 0.0002 },
      { metric: 'chat', arm: 'canary', usd: 0.0033 },
      { metric: 'chat', arm: 'baseline', usd: 0.0011 },
    ]);
    expect(spend).toEqual([
      { metric: 'chat', looks: 2, canary: { first: 0.003, last: 0.0033 }, baseline: { first: 0.001, last: 0.0011 } },
      { metric: 'embed', looks: 1, canary: { first: 0.0002, last: 0.0002 }, baseline: { first: 0.0002, last: 0.0002 } },
    ]);
  });

  test('a metric with one arm never priced is left out, not shown against nothing', () => {
    expect(publishedSpend([{ metric: 'chat', arm: 'canary', usd: 0.003 }])).toEqual([]);
    expect(publishedSpend([])).toEqual([]);
  });
});
