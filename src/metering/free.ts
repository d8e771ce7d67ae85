/**
 * Calls providers do not bill (PRODUCT.md §5): token counting and listing or reading what exists.
 * They are recorded with `cost: "0"` and `costSource: "free"` and no billed usage, never with an
 * estimate and a price-list cost.
 */
const FREE_POST = [
  /\/messages\/count_tokens$/, // Anthropic (Claude Code calls it all the time)
  /\/responses\/input_tokens$/, // OpenAI
  /:countTokens$/, // Gemini
  /\/files$/, // uploads are stored, not billed
  /\/uploads(\/[^/]+(\/(parts|complete|cancel))?)?$/,
];

export function isFreeCall(method: string, upstreamPath: string): boolean {
  if (method === 'GET' || method === 'HEAD' || method === 'DELETE') return true;
  return method === 'POST' && FREE_POST.some((re) => re.test(upstreamPath));
}
