/**
 * Connect your tools: per coding agent a card (installed, connected, its config file, the last
 * request seen, Connect / Disconnect with the diff of what changed), then snippets with this
 * gateway's real URL (from /api/connect), copy buttons, and a test request per provider.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, relativeTime, setConnected, type Agent, type ConnectOutcome } from '../api';
import type { SettingsData } from './settings';

interface TestResult {
  ok: boolean;
  status: number;
  message: string;
  ms: number;
}

interface ConnectData {
  baseUrl: string;
  tools: { id: string; name: string; text: string }[];
  cursor: string;
  /** Absent from gateways older than connect/disconnect. */
  agents?: Agent[];
}

export function Connect({ data }: { data: SettingsData }) {
  const [connect, setConnect] = useState<ConnectData>();
  const reload = () => api<ConnectData>('/api/connect').then(setConnect);
  useEffect(() => {
    void reload();
  }, []);
  const testable = data.providers.filter((p) => p.hasKey || p.origin || p.mode === 'lava');
  if (!connect) return <p class="empty">Loading…</p>;
  return (
    <section class="connect">
      <p>
        Point your tools at <code data-testid="base-url">{connect.baseUrl}</code>. The gateway adds your keys; any
        placeholder key works in the tool.
      </p>
      {connect.agents && connect.agents.length > 0 && (
        <>
          <h2>Your coding agents</h2>
          <div class="agents">
            {connect.agents.map((a) => (
              <AgentCard key={a.id} agent={a} onChanged={reload} />
            ))}
          </div>
          <h2>By hand</h2>
        </>
      )}
      {connect.tools.map((t) => (
        <Snippet key={t.id} title={t.name} text={t.text} />
      ))}
      <div class="snippet" data-testid="cursor-note">
        <h3>Cursor</h3>
        <p>{connect.cursor}</p>
      </div>
      <h2>Test a provider</h2>
      {testable.length === 0 ? (
        <p class="empty">
          No provider has a key yet. Add one in <a href="#/settings">Keys &amp; settings</a> (or start the gateway with
          e.g. <code>OPENAI_API_KEY</code> set).
        </p>
      ) : (
        <ul class="tests">
          {testable.map((p) => (
            <TestButton key={p.key} provider={p.key} />
          ))}
        </ul>
      )}
    </section>
  );
}

function Snippet({ title, text }: { title: string; text: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    await navigator.clipboard.writeText(text).catch(() => undefined);
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <div class="snippet">
      <h3>{title}</h3>
      <pre>
        <code>{text}</code>
      </pre>
      <button type="button" onClick={copy} aria-label={`Copy ${title} snippet`}>
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}

function TestButton({ provider }: { provider: string }) {
  const [result, setResult] = useState<TestResult>();
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    try {
      setResult(await api<TestResult>('/api/test-request', { method: 'POST', body: JSON.stringify({ provider }) }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <li>
      <button type="button" onClick={run} disabled={busy}>
        Send a test request to {provider}
      </button>{' '}
      {result && (
        <span role="status" class={result.ok ? 'ok' : 'error'}>
          {result.ok ? '✓' : '✗'} {result.status} {result.message} ({result.ms} ms)
        </span>
      )}
    </li>
  );
}

function AgentCard({ agent: a, onChanged }: { agent: Agent; onChanged: () => Promise<unknown> }) {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<ConnectOutcome & { action: string }>();
  const [error, setError] = useState('');
  const act = async (on: boolean) => {
    setBusy(true);
    setError('');
    try {
      setOutcome({ ...(await setConnected(a.id, on)), action: on ? 'connect' : 'disconnect' });
      await onChanged();
    } catch (e) {
      setOutcome(undefined);
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <article class="agent" data-testid={`agent-${a.id}`} aria-label={a.name}>
      <h3>{a.name}</h3>
      <p class="state">
        <span class={a.installed ? 'ok' : 'note'}>{a.installed ? 'installed' : 'not installed'}</span>
        {a.canConnect && (
          <>
            {' · '}
            <span class={a.connected ? 'ok' : 'note'} data-testid="connected">
              {a.connected ? 'connected' : a.changed ? 'changed since connected' : 'not connected'}
            </span>
          </>
        )}
      </p>
      {a.file && (
        <p class="file">
          <code>{a.file}</code>
        </p>
      )}
      <p class="seen" data-testid="last-seen" title={a.lastSeen ?? undefined}>
        Last request seen {a.lastSeen ? relativeTime(a.lastSeen) : 'never'}
      </p>
      {a.note && <p class="note">{a.note}</p>}
      {a.canConnect && (
        <button type="button" disabled={busy} onClick={() => act(!a.connected)}>
          {a.connected ? 'Disconnect' : 'Connect'} {a.name}
        </button>
      )}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {outcome && (
        <div class="outcome" role="status">
          <p>
            {outcome.changed
              ? outcome.action === 'connect'
                ? 'Connected. Changed:'
                : 'Disconnected. Changed:'
              : 'Nothing to change.'}
          </p>
          {outcome.changed && outcome.diff && <pre data-testid="diff">{outcome.diff}</pre>}
          {outcome.notes?.map((n) => (
            <p class="note" key={n}>
              {n}
            </p>
          ))}
        </div>
      )}
    </article>
  );
}
