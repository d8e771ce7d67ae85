/** Forward tokens, byte for byte as the Lava SDK builds them. */
import { describe, expect, it } from 'vitest';
import { Lava } from '@lavapayments/nodejs';
import { forwardToken, lavaBaseFor, lavaSecretOf } from '../../src/lava/token.js';

describe('forward tokens', () => {
  const sdk = new Lava('aks_live_abc', { baseUrl: 'http://h/v1/' });
  it.each([
    [{}],
    [{ meter_slug: 'm' }],
    [{ customer_id: 'cus_1', meter_slug: 'm' }],
    [{ customer_id: 'cus_1', meter_slug: 'm', disable_billing: true }],
    [{ customer_id: null, meter_slug: null, provider_key: 'sk-x' }],
  ])('%j', (opts) => {
    expect(forwardToken({ secret_key: 'aks_live_abc', ...opts })).toBe(sdk.generateForwardToken(opts as never));
  });

  it('recognises Lava credentials and picks the API host by key prefix', () => {
    expect(lavaSecretOf(sdk.generateForwardToken({ meter_slug: 'm' }))).toBe('aks_live_abc');
    expect(lavaSecretOf('aks_test_1')).toBe('aks_test_1');
    expect(lavaSecretOf('sk-openai')).toBeUndefined();
    expect(lavaSecretOf('eyJub3Q=')).toBeUndefined();
    expect(lavaBaseFor('aks_test_1')).toBe('https://sandbox-api.lavapayments.com/v1/');
    expect(lavaBaseFor('aks_live_1')).toBe('https://api.lavapayments.com/v1/');
    expect(lavaBaseFor('aks_live_1', 'http://127.0.0.1:1/v1')).toBe('http://127.0.0.1:1/v1/');
  });
});
