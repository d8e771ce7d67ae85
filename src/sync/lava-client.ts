/**
 * A small client for Lava's REST API (lava-api.md §3): the calls sync needs, with errors that
 * carry the HTTP status so sync can tell "invalid key" (stop) from "try later" (back off).
 * The secret key is sent only as the Bearer header and never appears in an error.
 */
export class LavaApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface RestRequest {
  request_id: string;
  status: string;
  provider?: string;
  model?: string;
  response_id?: string;
  cost: string;
  model_usage?: Record<string, unknown>;
  metadata?: Record<string, string>;
  timestamp?: string;
  created_at: string;
  endpoint?: string;
}

export interface Page<T> {
  data: T[];
  has_more: boolean;
  next_cursor?: string;
}

export interface UsageTotals {
  total_requests: number;
  total_usage_tokens: number;
  total_cost: string;
  total_charge: string;
}

export class LavaClient {
  constructor(
    private readonly baseUrl: string,
    private readonly secretKey: string,
  ) {}

  private async call<T>(
    method: string,
    path: string,
    query?: Record<string, string | undefined>,
    body?: unknown,
  ): Promise<T> {
    const url = new URL(path, this.baseUrl);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${this.secretKey}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (e) {
      throw new LavaApiError(
        0,
        `cannot reach Lava (${url.host}): ${(e as Error).cause ? String((e as { cause: { code?: string } }).cause.code ?? 'network error') : (e as Error).name}`,
      );
    }
    const text = await res.text();
    if (!res.ok) {
      let detail = text.slice(0, 200);
      try {
        const parsed = JSON.parse(text) as { error?: unknown };
        detail = typeof parsed.error === 'string' ? parsed.error : JSON.stringify(parsed.error ?? parsed);
      } catch {
        // keep the raw text
      }
      throw new LavaApiError(res.status, `Lava ${method} ${url.pathname}: ${res.status} ${detail}`);
    }
    return JSON.parse(text) as T;
  }

  listRequests(cursor?: string, limit = 100): Promise<Page<RestRequest>> {
    return this.call('GET', 'requests', { cursor, limit: String(limit) });
  }

  getRequest(id: string): Promise<RestRequest> {
    return this.call('GET', `requests/${encodeURIComponent(id)}`);
  }

  createRequest(params: Record<string, unknown>): Promise<RestRequest> {
    return this.call('POST', 'requests', undefined, params);
  }

  usage(start: string, end?: string): Promise<{ totals: UsageTotals }> {
    return this.call('GET', 'usage', { start, end });
  }
}
