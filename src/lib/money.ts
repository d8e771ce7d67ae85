/** Money as Lava writes it (a decimal string with 10 places), and sums that do not drift by float error. */
export const money = (usd: number): string => usd.toFixed(10);

export const round10 = (n: number): number => Math.round(n * 1e10) / 1e10;
