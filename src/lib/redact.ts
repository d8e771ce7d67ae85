/**
 * The one place secrets are masked: logs, errors, events and the admin API all go through here.
 * A key shows its kind and last four characters (`sk-…abcd`), never more.
 */
export function mask(secret: string | undefined): string | undefined {
  if (secret === undefined) return undefined;
  if (secret.length < 12) return '…';
  const prefix = /^[a-z]+[-_]/i.exec(secret)?.[0] ?? '';
  return `${prefix.slice(0, 8)}…${secret.slice(-4)}`;
}

const SECRET_KEYS = new Set(['secretKey', 'apiKey', 'localKey']);

/** A deep copy of a config-like object with every secret masked. */
export function redact<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => redact(v)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEYS.has(k) && typeof v === 'string' ? mask(v) : redact(v);
  }
  return out as T;
}

/** Removes secrets from free text (error messages from libraries may echo headers or URLs). */
export function scrub(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 8) out = out.split(s).join(mask(s) ?? '…');
  return out;
}
