/** Sync with the Lava account: state, last success, pending pushes, last error, wallet totals. */
import { useEffect, useState } from 'preact/hooks';
import { api, money, subscribe } from '../api';

interface SyncStatus {
  state: string;
  reason?: string;
  lastSuccessAt?: string;
  lastError?: string;
  pending: number;
  pushes?: boolean;
  wallet?: {
    today: { total_cost: string; total_requests: number };
    month: { total_cost: string; total_requests: number };
  };
}

export function Sync() {
  const [s, setS] = useState<SyncStatus>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    void api<SyncStatus>('/api/sync').then(setS);
    return subscribe((type, data) => {
      if (type === 'sync.status') setS((prev) => ({ ...prev, ...(data as { status: SyncStatus }).status }));
    });
  }, []);
  if (!s) return <p class="empty">Loading…</p>;
  const now = async () => {
    setBusy(true);
    try {
      setS(await api<SyncStatus>('/api/sync', { method: 'POST' }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="sync">
      <h2>Sync with Lava</h2>
      {s.state === 'disabled' ? (
        <p class="empty">
          Sync is off: {s.reason}. Add your Lava secret key in <a href="#/settings">Keys &amp; settings</a>, or run{' '}
          <code>lava-desktop login</code>.
        </p>
      ) : (
        <>
          <dl>
            <div>
              <dt>state</dt>
              <dd data-testid="sync-state">{s.state}</dd>
            </div>
            <div>
              <dt>last success</dt>
              <dd>{s.lastSuccessAt ? new Date(s.lastSuccessAt).toLocaleString() : 'never'}</dd>
            </div>
            <div>
              <dt>pending pushes</dt>
              <dd>{s.pending}</dd>
            </div>
            {s.lastError && (
              <div>
                <dt>last error</dt>
                <dd class="error">{s.lastError}</dd>
              </div>
            )}
            {s.wallet && (
              <div>
                <dt>Lava usage</dt>
                <dd>
                  today {money(s.wallet.today.total_cost)} ({s.wallet.today.total_requests} requests) · this month{' '}
                  {money(s.wallet.month.total_cost)}
                </dd>
              </div>
            )}
          </dl>
          <button type="button" onClick={now} disabled={busy}>
            {busy ? 'Syncing…' : 'Sync now'}
          </button>
        </>
      )}
    </section>
  );
}
