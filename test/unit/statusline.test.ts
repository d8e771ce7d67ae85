/** The status line's words for a spend report: money, plan value, budget left or over, by day or month. */
import { describe, expect, it } from 'vitest';
import { dollars, statusLine, type SessionSpend } from '../../src/cli/statusline.js';

const report = (extra: Partial<SessionSpend> = {}): SessionSpend => ({
  today: { cost: '3.1' },
  breakdown: [
    { key: 's-api', cost: '0.42', subscriptionValue: '0.00' },
    { key: 's-mixed', cost: '0.10', subscriptionValue: '2.5' },
    { key: null, cost: '2.58', subscriptionValue: '0.00' },
  ],
  budgets: { daily: { limit: 10, spent: '3.10' }, monthly: null },
  ...extra,
});

describe('statusLine', () => {
  it('money to two decimals, under a cent as <$0.01, nothing as $0.00', () => {
    expect([0, 0.004, 0.0099, 0.01, 0.125, 12.5, -1e-12].map(dollars)).toEqual([
      '$0.00',
      '<$0.01',
      '<$0.01',
      '$0.01',
      '$0.13',
      '$12.50',
      '$0.00',
    ]);
  });

  it('session, today and the daily budget left', () => {
    expect(statusLine(report(), 's-api')).toBe('Lava $0.42 session · $3.10 today · $6.90 left today');
    expect(statusLine(report(), 's-mixed')).toBe('Lava $0.10 + plan ≈$2.50 session · $3.10 today · $6.90 left today');
    expect(statusLine(report(), 'unknown')).toBe('Lava $0.00 session · $3.10 today · $6.90 left today');
    expect(statusLine(report(), undefined)).toBe('Lava $3.10 today · $6.90 left today');
  });

  it('the monthly budget when there is no daily one; over budget said so; no budget left out', () => {
    const monthly = { daily: null, monthly: { limit: 50, spent: '12.34' } };
    expect(statusLine(report({ budgets: monthly }), undefined)).toBe('Lava $3.10 today · $37.66 left this month');
    const over = { daily: { limit: 2, spent: '3.10' }, monthly: null };
    expect(statusLine(report({ budgets: over }), undefined)).toBe('Lava $3.10 today · $1.10 over budget today');
    expect(statusLine(report({ budgets: { daily: null, monthly: null } }), undefined)).toBe('Lava $3.10 today');
    expect(statusLine(report({ budgets: undefined }), undefined)).toBe('Lava $3.10 today');
  });
});
