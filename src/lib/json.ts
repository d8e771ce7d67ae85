/** Small, total helpers for reading untyped JSON (request and response bodies, stream events). */
export type Json = Record<string, unknown>;

export const asObject = (v: unknown): Json =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};

export const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export const asString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export const stringField = (o: Json, k: string): string | undefined => asString(o[k]);
