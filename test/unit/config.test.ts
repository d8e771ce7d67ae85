/** Config: layers, precedence, and one-line errors that name the key. */
import { describe, expect, it } from 'vitest';
import { configFromEnv, ConfigError, parseConfig, resolveConfig } from '../../src/config.js';

describe('config', () => {
  it('has defaults for everything', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({
      port: 5282,
      limits: { bodyBytes: 32 * 1024 * 1024 },
      meter: { injectStreamUsage: true },
      retention: { days: 365 },
    });
  });

  it('names the key and the problem', () => {
    expect(() => parseConfig({ port: 'x' })).toThrow(/^config: port: /);
    expect(() => parseConfig({ providers: { openai: { origin: 'ftp://x' } } })).toThrow(
      'config: providers.openai.origin: must be an http(s) URL',
    );
    expect(() => parseConfig({ limits: { bodyBites: 5 } })).toThrow(/limits: .*bodyBites/);
    expect(() => parseConfig({ providers: { openai: { mode: 'magic' } } })).toThrow(/providers\.openai\.mode/);
    expect(() => parseConfig({ port: 1 }, 'x.json')).not.toThrow();
    try {
      parseConfig({ retention: { days: 0 } });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as Error).message.split('\n')).toHaveLength(1);
    }
  });

  it('reads provider keys and Lava settings from the environment', () => {
    const env = configFromEnv({
      OPENAI_API_KEY: 'sk-a',
      GOOGLE_API_KEY: 'g',
      LAVA_SECRET_KEY: 'aks_test_1',
      LAVA_DESKTOP_PORT: '6000',
    });
    expect(env).toEqual({
      lava: { secretKey: 'aks_test_1' },
      port: 6000,
      providers: { openai: { apiKey: 'sk-a' }, google: { apiKey: 'g' }, googleOpenaiCompatible: { apiKey: 'g' } },
    });
    expect(() => configFromEnv({ LAVA_DESKTOP_PORT: 'abc' })).toThrow(/LAVA_DESKTOP_PORT/);
  });

  it('env beats the file, the file beats saved settings', () => {
    const c = resolveConfig({
      saved: { port: 1111, providers: { openai: { mode: 'direct', apiKey: 'saved' } } },
      file: { port: 2222, providers: { openai: { apiKey: 'file' } } },
      env: { providers: { openai: { apiKey: 'env' } } },
    });
    expect(c.port).toBe(2222);
    expect(c.providers.openai).toEqual({ mode: 'direct', apiKey: 'env' });
  });
});
