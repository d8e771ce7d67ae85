/**
 * ElevenLabs: `xi-api-key`. Replies carry no usage; text-to-speech is metered by the
 * characters of the request's `text`, as Lava bills it.
 */
import type { ApiStyle } from '../types.js';
import { asObject, stringField } from '../../lib/json.js';

export const elevenLabsStyle: ApiStyle = {
  id: 'elevenlabs',
  authHeaders: (key) => ({ 'xi-api-key': key }),
  requestInfo(body, path) {
    const b = asObject(body);
    const text = stringField(b, 'text');
    const isTts = /\/text-to-speech\//.test(path);
    return {
      model: stringField(b, 'model_id'),
      stream: /\/stream\b/.test(path),
      characters: isTts && text !== undefined ? [...text].length : undefined,
    };
  },
  readJson: () => ({}),
  streamMeter: () => ({ push: () => undefined, facts: () => ({}) }),
  errorBody: (_status, code, message) => ({ detail: { status: code, message } }),
};
