/** `/v1/forward` URL forms real clients send (TOOLCHAIN.md), and provider matching. */
import { describe, expect, it } from 'vitest';
import { forwardUrl, joinOrigin, nativeRoute } from '../../src/routing/resolve.js';
import { buildProviders, providerForUrl } from '../../src/providers/registry.js';

describe('forwardUrl', () => {
  it.each([
    ['/v1/forward?u=https://api.openai.com/v1/chat/completions', 'https://api.openai.com/v1/chat/completions'],
    ['/v1/forward/chat/completions?u=https://api.openai.com/v1', 'https://api.openai.com/v1/chat/completions'],
    [
      `/v1/forward?u=${encodeURIComponent('https://api.openai.com/v1/chat/completions')}`,
      'https://api.openai.com/v1/chat/completions',
    ],
    [
      `/v1/forward?u=${encodeURIComponent('https://x.example/a?b=1&c=2')}&metadata=%7B%7D`,
      'https://x.example/a?b=1&c=2',
    ],
    ['/v1/forward?u=https://api.anthropic.com/v1/v1/messages', 'https://api.anthropic.com/v1/messages'],
    [
      '/v1/forward?u=https://generativelanguage.googleapis.com/v1beta/models/g:streamGenerateContent?alt=sse',
      'https://generativelanguage.googleapis.com/v1beta/models/g:streamGenerateContent?alt=sse',
    ],
    ['/v1/forward/models?u=https://api.openai.com/v1&limit=2', 'https://api.openai.com/v1/models?limit=2'],
  ])('%s', (raw, expected) => {
    expect(forwardUrl(raw).href).toBe(expected);
  });

  it('rejects a missing or non-http u', () => {
    expect(() => forwardUrl('/v1/forward')).toThrow(/"u"/);
    expect(() => forwardUrl('/v1/forward?u=file:///etc/passwd')).toThrow(/http/);
  });
});

describe('routing', () => {
  const providers = buildProviders({ openai: { origin: 'http://127.0.0.1:9000/oa' } }, 'direct');

  it('matches the longest documented base on a shared host', () => {
    expect(
      providerForUrl(providers, new URL('https://generativelanguage.googleapis.com/v1beta/openai/chat/completions'))
        ?.key,
    ).toBe('googleOpenaiCompatible');
    expect(
      providerForUrl(providers, new URL('https://generativelanguage.googleapis.com/v1beta/models/x:generateContent'))
        ?.key,
    ).toBe('google');
    expect(providerForUrl(providers, new URL('https://api.groq.com/openai/v1/chat/completions'))?.key).toBe('groq');
    expect(providerForUrl(providers, new URL('https://evil.example/v1'))).toBeUndefined();
  });

  it('appends the client path to an origin with a prefix', () => {
    const p = providers.get('openai')!;
    expect(joinOrigin(p.origin, '/v1/chat/completions?x=1').href).toBe(
      'http://127.0.0.1:9000/oa/v1/chat/completions?x=1',
    );
    expect(nativeRoute('/groq/openai/v1/chat/completions', { providers, lava: {}, allowedHosts: [] })).toMatchObject({
      rest: '/openai/v1/chat/completions',
    });
    expect(nativeRoute('/nope/v1', { providers, lava: {}, allowedHosts: [] })).toBeUndefined();
  });
});
