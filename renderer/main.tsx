/**
 * Dashboard entry (browser code: talks only to /api and /api/events, never imports Node).
 * Logs in from the start line's #token=, then shows Live, Spend, Keys & settings, Connect, Sync.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, loginFromFragment, subscribe } from './api';
import { Live } from './views/live';
import { Spend } from './views/spend';
import { SettingsView, type SettingsData } from './views/settings';
import { Connect } from './views/connect';
import { Sync } from './views/sync';

const PAGES = [
  ['live', 'Live'],
  ['spend', 'Spend'],
  ['settings', 'Keys & settings'],
  ['connect', 'Connect'],
  ['sync', 'Sync'],
] as const;
type Page = (typeof PAGES)[number][0];

const pageFromHash = (): Page => {
  const p = location.hash.replace(/^#\/?/, '');
  return (PAGES.find(([k]) => k === p)?.[0] ?? 'live') as Page;
};

function App() {
  const [state, setState] = useState<'loading' | 'ready' | 'locked'>('loading');
  const [page, setPage] = useState<Page>(pageFromHash());
  const [settings, setSettings] = useState<SettingsData>();
  const [alert, setAlert] = useState<string>();

  const reload = () => api<SettingsData>('/api/settings').then(setSettings);
  useEffect(() => {
    loginFromFragment()
      .then(reload)
      .then(() => setState('ready'))
      .catch((e: unknown) => setState(e instanceof ApiError && e.status === 401 ? 'locked' : 'locked'));
    const onHash = () => setPage(pageFromHash());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    if (state !== 'ready') return;
    return subscribe((type, data) => {
      if (type === 'budget.alert') {
        const a = data as { period: string; threshold: number; spent: string; limit: number };
        setAlert(
          `${a.period === 'daily' ? 'Daily' : 'Monthly'} budget: ${a.threshold}% used ($${Number(a.spent).toFixed(4)} of $${a.limit})`,
        );
      }
      if (type === 'settings.changed' || type === 'gateway.paused' || type === 'gateway.resumed') void reload();
    });
  }, [state]);

  if (state === 'loading') return <p class="empty">Loading…</p>;
  if (state === 'locked')
    return (
      <main class="locked">
        <h1>Lava Desktop</h1>
        <p>
          Open the dashboard with the link that <code>lava-desktop serve</code> printed (it ends in{' '}
          <code>#token=…</code>).
        </p>
      </main>
    );
  const togglePause = async () => {
    await api(settings?.paused ? '/api/resume' : '/api/pause', { method: 'POST' });
    await reload();
  };
  return (
    <>
      <header>
        <strong>Lava Desktop</strong>
        <nav aria-label="Pages">
          {PAGES.map(([key, label]) => (
            <a key={key} href={`#/${key}`} aria-current={page === key ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <button type="button" onClick={togglePause} aria-pressed={settings?.paused}>
          {settings?.paused ? 'Resume gateway' : 'Pause gateway'}
        </button>
      </header>
      {alert && (
        <div role="alert" class="banner">
          {alert}{' '}
          <button type="button" onClick={() => setAlert(undefined)} aria-label="Dismiss">
            ×
          </button>
        </div>
      )}
      <main id="main">
        {page === 'live' && <Live />}
        {page === 'spend' && <Spend />}
        {page === 'settings' && settings && <SettingsView data={settings} onSaved={reload} />}
        {page === 'connect' && settings && <Connect data={settings} />}
        {page === 'sync' && <Sync />}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
