/** Days and months of the machine's local calendar (budgets, spend, `usage`), as `YYYY-MM-DD` / `YYYY-MM`. */
const pad = (n: number) => String(n).padStart(2, '0');

export const localDate = (t: number | Date): string => {
  const d = new Date(t);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
};

export const localMonth = (t: number | Date): string => localDate(t).slice(0, 7);

/** Local midnight of the day `daysAgo` before `now`. */
export const localDayStart = (daysAgo = 0, now = new Date()): Date =>
  new Date(now.getFullYear(), now.getMonth(), now.getDate() - daysAgo);

export const localMonthStart = (now = new Date()): Date => new Date(now.getFullYear(), now.getMonth(), 1);

/** A UTC offset in minutes as ISO 8601 writes it: `Z`, `+02:00`, `-05:30`. */
export function isoOffset(minutes: number): string {
  if (minutes === 0) return 'Z';
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
