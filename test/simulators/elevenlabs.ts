/** ElevenLabs simulator: text-to-speech returns audio bytes and no usage (Lava meters characters). */
import { sendJson, startServer, type Simulator } from './http-util.js';

export async function startElevenLabs(): Promise<Simulator> {
  return startServer((req, res, raw) => {
    if (!req.headers['xi-api-key'])
      return sendJson(res, 401, { detail: { status: 'invalid_api_key', message: 'Invalid API key' } });
    if (!/\/v1\/text-to-speech\/[^/]+/.test(req.url ?? '')) return sendJson(res, 404, { detail: 'Not Found' });
    const text = String((JSON.parse(raw || '{}') as { text?: string }).text ?? '');
    const audio = Buffer.alloc(32 + text.length, 0x55);
    res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': audio.length });
    res.end(audio);
  });
}
