/**
 * Lava's own refusals on the forward endpoint (401 bad key, 402 wallet empty) told in words a
 * user can act on, in the client's API shape. A provider's error relayed by Lava (an object with
 * its own shape) is left untouched.
 */
import type { ApiStyle } from '../providers/types.js';

export const LAVA_WALLET_URL = 'https://www.lava.so/dashboard/wallet';

const MESSAGES: Record<number, { code: string; message: string; record: string }> = {
  401: {
    code: 'lava_invalid_key',
    message:
      'Lava rejected the secret key (lava.secretKey). Check it in the settings, or run `lava-desktop login` to get a new one.',
    record: 'lava: invalid secret key',
  },
  402: {
    code: 'lava_insufficient_balance',
    message: `Your Lava wallet balance is too low for this request. Add funds at ${LAVA_WALLET_URL} and try again.`,
    record: 'lava: insufficient wallet balance',
  },
};

/** Whether a body is Lava's own error (`{"error": "text"}`), not a provider error passed through. */
export function isLavaError(body: string): boolean {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    return typeof parsed.error === 'string';
  } catch {
    return false;
  }
}

export function lavaErrorFor(status: number, style: ApiStyle): { body: string; record: string } | undefined {
  const m = MESSAGES[status];
  if (!m) return undefined;
  return { body: JSON.stringify(style.errorBody(status, m.code, m.message)), record: m.record };
}
