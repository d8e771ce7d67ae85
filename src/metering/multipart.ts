/**
 * Multipart request bodies (audio transcriptions and translations, uploads): the form's text
 * fields (`model`, `stream`) are read with busboy so the request is metered like a JSON one; file
 * parts are skipped, never copied.
 */
import type busboy from 'busboy';

const FIELD_MAX = 64 * 1024;

export const isMultipart = (contentType: string | undefined): boolean =>
  /^multipart\/form-data\b/i.test(contentType ?? '');

/** The text fields of a complete multipart body (empty when it does not parse). */
export async function formFields(body: Buffer, contentType: string): Promise<Record<string, string>> {
  // Loaded with the first form: most gateways never see one.
  const { default: parse } = await import('busboy');
  return new Promise((resolve) => {
    const fields: Record<string, string> = {};
    let parser: busboy.Busboy;
    try {
      parser = parse({ headers: { 'content-type': contentType }, limits: { fieldSize: FIELD_MAX } });
    } catch {
      return resolve(fields); // no boundary: not ours to judge, the upstream answers it
    }
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (_name, stream) => stream.resume());
    parser.once('close', () => resolve(fields));
    parser.once('error', () => resolve(fields));
    parser.end(body);
  });
}
