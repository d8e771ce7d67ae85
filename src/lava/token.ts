/**
 * Lava forward tokens, built byte for byte as `@lavapayments/nodejs` builds them (key order
 * secret_key, customer_id, meter_slug, provider_key, disable_billing; `undefined` dropped,
 * `null` kept; standard base64), and recognition of Lava credentials a client sends itself.
 */
export interface ForwardTokenFields {
  secret_key: string;
  customer_id?: string | null;
  meter_slug?: string | null;
  provider_key?: string;
  disable_billing?: boolean;
}

export function forwardToken(f: ForwardTokenFields): string {
  const ordered = {
    secret_key: f.secret_key,
    customer_id: f.customer_id,
    meter_slug: f.meter_slug,
    provider_key: f.provider_key,
    disable_billing: f.disable_billing,
  };
  return Buffer.from(JSON.stringify(ordered)).toString('base64');
}

/** The secret key inside a Lava credential (an `aks_…` key or a forward token), if it is one. */
export function lavaSecretOf(credential: string): string | undefined {
  if (credential.startsWith('aks_')) return credential;
  // base64 of '{"' — every JSON forward token starts with it.
  if (!credential.startsWith('eyJ')) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(credential, 'base64').toString('utf8')) as { secret_key?: unknown };
    return typeof parsed.secret_key === 'string' ? parsed.secret_key : undefined;
  } catch {
    return undefined;
  }
}

/** Lava's API base for a key: `aks_test_` → sandbox, else production (lava-api.md §1). */
export function lavaBaseFor(secretKey: string | undefined, configured?: string): string {
  const base =
    configured ??
    (secretKey?.startsWith('aks_test_')
      ? 'https://sandbox-api.lavapayments.com/v1/'
      : 'https://api.lavapayments.com/v1/');
  return base.endsWith('/') ? base : `${base}/`;
}
