import { executionName } from '../../lib/evaluation/state';

describe('execution names (issue 11 finding 9)', () => {
  test('a real deployment id keeps the readable name', () => {
    expect(executionName('d-A1B2C3D4E', 'AfterAllowTraffic')).toBe('d-A1B2C3D4E-AfterAllowTraffic');
  });

  test('long ids never make two hooks collide, and stay within 80 characters', () => {
    const id = `d-${'X'.repeat(70)}`;
    const names = ['BeforeAllowTraffic', 'AfterAllowTraffic', 'AfterAllowTestTraffic'].map((event) => executionName(id, event as never));
    expect(new Set(names).size).toBe(3);
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    // The same hook always gets the same name: duplicates are still caught.
    expect(executionName(id, 'AfterAllowTraffic')).toBe(names[1]);
  });

  test('ids that differ only in characters Step Functions refuses do not collide', () => {
    expect(executionName('d-A.B', 'AfterAllowTraffic')).not.toBe(executionName('d-A_B', 'AfterAllowTraffic'));
    expect(executionName('d-A B', 'AfterAllowTraffic')).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});
