/**
 * Dashboard entry (browser code: talks only to /api and /api/events, never imports Node).
 * Logs in from the start line's #token=, then shows Live, History, Spend, Keys & settings, Connect, Sync.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, loginFromFragment, subscribe } from './api';
import { Live } from './views/live';
import { Spend } from './views/spend';
import { History } from './views/history';
import { SettingsView, type SettingsData } from './views/settings';
import { Connect } from './views/connect';
import { Sync } from './views/sync';
import { billingNotice, GuardBanner } from './views/guards';

interface StoreHealth {
  state: 'ok' | 'degraded';
  error?: string;
  unwritten: number;
  lost: number;
}

const PAGES = [
  ['live', 'Live'],
  ['history', 'History'],
  ['spend', 'Spend'],
  ['settings', 'Keys & settings'],
  ['connect', 'Connect'],
  ['sync', 'Sync'],
] as const;
type Page = (typeof PAGES)[number][0];

const pageFromHash = (): Page => {
  const p = location.hash.replace(/^#\/?/, '').split('?')[0];
  return (PAGES.find(([k]) => k === p)?.[0] ?? 'live') as Page;
};

function App() {
  const [state, setState] = useState<'loading' | 'ready' | 'locked'>('loading');
  const [page, setPage] = useState<Page>(pageFromHash());
  const [settings, setSettings] = useState<SettingsData>();
  const [alert, setAlert] = useState<string>();
  const [notices, setNotices] = useState<string[]>([]);
  const [store, setStore] = useState<StoreHealth>();
  const [guards, setGuards] = useState(0);

  const reload = () =>
    api<SettingsData & { store?: StoreHealth }>('/api/settings').then((s) => {
      setSettings(s);
      setStore(s.store);
    });
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
        const a = data as { period: string; threshold: number; spent: string; limit: number; key?: string };
        // A tool's or project's cap names its key (the dashboard's existing tests read the global wording).
        const whose = a.key ? ` for ${a.key}` : '';
        setAlert(
          `${a.period === 'daily' ? 'Daily' : 'Monthly'} budget${whose}: ${a.threshold}% used ($${Number(a.spent).toFixed(4)} of $${a.limit})`,
        );
      }
      if (type === 'store.health') setStore((data as { health: StoreHealth }).health);
      if (type === 'settings.upstream_changed') {
        const c = data as { key: string; from: string | null; to: string | null };
        const text = `Upstream changed: ${c.key} now sends requests (and keys) to ${c.to ?? 'the default'}${c.from ? ` instead of ${c.from}` : ''}.`;
        setNotices((n) => [...n, text]);
      }
      if (type === 'settings.changed' || type === 'gateway.paused' || type === 'gateway.resumed') void reload();
      if (type === 'guard.tripped' || type === 'guard.resumed') setGuards((n) => n + 1);
      if (type === 'billing.changed')
        setNotices((n) => [...n, billingNotice(data as { tool: string; from: string; to: string })]);
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
      {store && store.state !== 'ok' && (
        <div role="alert" class="banner danger" data-testid="store-banner">
          Records are not being saved: {store.error}.{' '}
          {store.unwritten === 1 ? '1 request is' : `${store.unwritten} requests are`} kept in memory and will be
          written as soon as the disk allows (retrying){store.lost ? `; ${store.lost} were dropped` : ''}.
        </div>
      )}
      <GuardBanner changed={guards} />
      {notices.map((text, i) => (
        <div role="alert" class="banner" key={i} data-testid="upstream-notice">
          {text}{' '}
          <button type="button" onClick={() => setNotices((n) => n.filter((_, j) => j !== i))} aria-label="Dismiss">
            ×
          </button>
        </div>
      ))}
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
        {page === 'history' && <History />}
        {page === 'spend' && <Spend />}
        {page === 'settings' && settings && <SettingsView data={settings} onSaved={reload} />}
        {page === 'connect' && settings && <Connect data={settings} />}
        {page === 'sync' && <Sync />}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
