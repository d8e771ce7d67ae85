/** The session id a request carries: Claude Code's header and metadata.user_id, Codex's headers and cache key. */
import { describe, expect, it } from 'vitest';
import { sessionHints } from '../../src/attribution/hints.js';

const S = '3f2b8c1e-6d4a-4e7b-9a5c-1b2d3e4f5a6b';
const C = '0196ed2a-5b3c-7d4e-8f60-1a2b3c4d5e6f';

describe('sessionHints', () => {
  it('reads Claude Code: the session header first, else metadata.user_id (JSON string or the older form)', () => {
    const userId = JSON.stringify({ device_id: 'd'.repeat(64), account_uuid: '', session_id: S });
    expect(sessionHints({ 'x-claude-code-session-id': S }, { metadata: { user_id: 'x' } })).toEqual({ session: S });
    expect(sessionHints({}, { model: 'claude-sonnet-4-5', metadata: { user_id: userId } })).toEqual({ session: S });
    const legacy = `user_${'ab'.repeat(32)}_account_4c1f7c5e-2a8b-4d3e-9f10-112233445566_session_${S}`;
    expect(sessionHints({}, { metadata: { user_id: legacy } })).toEqual({ session: S });
    expect(sessionHints({}, { metadata: { user_id: `user_${'ab'.repeat(32)}_account__session_${S}` } })).toEqual({
      session: S,
    });
  });

  it('reads Codex: session-id / session_id / thread-id / conversation_id, else a UUID prompt_cache_key', () => {
    for (const h of ['session-id', 'session_id', 'thread-id', 'conversation_id']) {
      expect(sessionHints({ [h]: C }, {})).toEqual({ session: C });
    }
    expect(sessionHints({ 'session-id': [C, 'other-value-1'] }, {})).toEqual({ session: C });
    expect(sessionHints({}, { model: 'gpt-5-codex', prompt_cache_key: C })).toEqual({ session: C });
  });

  it('takes nothing that is not a session id', () => {
    expect(sessionHints({}, undefined)).toEqual({});
    expect(sessionHints({}, 'text')).toEqual({});
    expect(sessionHints({}, { metadata: { user_id: 'plain-user-42' } })).toEqual({});
    expect(sessionHints({}, { metadata: { user_id: '{"session_id": 7}' } })).toEqual({});
    expect(sessionHints({}, { metadata: { user_id: '{not json' } })).toEqual({});
    expect(sessionHints({}, { metadata: [S] })).toEqual({});
    // Other clients use prompt_cache_key for their own keys.
    expect(sessionHints({}, { prompt_cache_key: 'my-app-cache-v2' })).toEqual({});
    expect(sessionHints({ 'session-id': 'a b; drop' }, {})).toEqual({});
    expect(sessionHints({ 'session-id': '' }, {})).toEqual({});
    expect(sessionHints({ 'session-id': 'x'.repeat(300) }, {})).toEqual({});
  });
});
