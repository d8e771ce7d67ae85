/**
 * Tools the runaway guard paused (PRODUCT.md §14), as a banner with a Resume button each, and
 * the billing switch people get surprised by (a tool billed to its plan now billed per token).
 * Reads `GET /api/guards` at first and on `guard.*` events; resumes with `POST /api/resume {tool}`.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';

export interface Trip {
  tool: string;
  reason: 'requestsPerMinute' | 'dollarsPerHour';
  value: number;
  limit: number;
  at: string;
}

const what = (t: Trip) =>
  t.reason === 'requestsPerMinute'
    ? `${t.value} requests in a minute (limit ${t.limit})`
    : `$${Number(t.value).toFixed(2)} in an hour (limit $${t.limit})`;

/** `changed` is bumped by the page on each guard event, so the list is read again. */
export function GuardBanner({ changed }: { changed: number }) {
  const [trips, setTrips] = useState<Trip[]>([]);
  const [error, setError] = useState<string>();
  const load = () =>
    api<{ tripped: Trip[] }>('/api/guards').then(
      (g) => setTrips(g.tripped),
      () => undefined,
    );
  useEffect(() => void load(), [changed]);
  const resume = async (tool: string) => {
    try {
      await api('/api/resume', { method: 'POST', body: JSON.stringify({ tool }) });
      setError(undefined);
    } catch (e) {
      setError((e as Error).message);
    }
    await load();
  };
  if (trips.length === 0 && !error) return null;
  return (
    <div role="alert" class="banner danger" data-testid="guard-banner">
      {trips.map((t) => (
        <p key={t.tool}>
          <strong>{t.tool}</strong> is paused by the runaway guard: {what(t)}.{' '}
          <button type="button" onClick={() => void resume(t.tool)}>
            Resume {t.tool}
          </button>
        </p>
      ))}
      {error && <p>{error}</p>}
    </div>
  );
}

/** The notice for a `billing.changed` event. */
export const billingNotice = (d: { tool: string; from: string; to: string }): string =>
  `${d.tool} is now billed per token: its requests switched from your ${d.from === 'subscription' ? 'plan' : d.from} to ${d.to === 'api' ? 'an API key' : d.to}.`;
