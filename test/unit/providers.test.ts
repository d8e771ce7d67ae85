/** The provider table and registry. */
import { describe, expect, it } from 'vitest';
import { Lava } from '@lavapayments/nodejs';
import { PROVIDER_TABLE } from '../../src/providers/table.js';
import { buildProviders } from '../../src/providers/registry.js';

describe('provider table', () => {
  it('has every provider of the Lava SDK, with the same base URLs', () => {
    const sdk = new Lava('aks_test_x', { baseUrl: 'http://h/v1/' }).providers as Record<string, string>;
    const fromSdk = Object.fromEntries(
      Object.entries(sdk).map(([k, v]) => [k, v.replace('http://h/v1/forward?u=', '')]),
    );
    expect(Object.fromEntries(PROVIDER_TABLE.map((r) => [r.key, r.base]))).toEqual(fromSdk);
    expect(PROVIDER_TABLE).toHaveLength(28);
  });

  it('refuses duplicate keys and reserved names; custom providers need an origin', () => {
    const row = PROVIDER_TABLE[0]!;
    expect(() => buildProviders({}, 'direct', [row, row])).toThrow(/duplicate provider key "openai"/);
    expect(() => buildProviders({ api: { origin: 'http://x' } }, 'direct')).toThrow(/reserved/);
    expect(() => buildProviders({ ollama: {} }, 'direct')).toThrow(/needs an "origin"/);
    const p = buildProviders({ ollama: { origin: 'http://127.0.0.1:11434/v1' } }, 'direct').get('ollama')!;
    expect(p).toMatchObject({ builtIn: false, customOrigin: true, mode: 'direct' });
    expect(p.style.id).toBe('openai');
  });
});
