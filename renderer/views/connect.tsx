/** Connect your tools: snippets with this gateway's real URL (from /api/connect), copy buttons, and a test request per provider. */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
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
}

export function Connect({ data }: { data: SettingsData }) {
  const [connect, setConnect] = useState<ConnectData>();
  useEffect(() => {
    void api<ConnectData>('/api/connect').then(setConnect);
  }, []);
  const testable = data.providers.filter((p) => p.hasKey || p.origin || p.mode === 'lava');
  if (!connect) return <p class="empty">Loading…</p>;
  return (
    <section class="connect">
      <p>
        Point your tools at <code data-testid="base-url">{connect.baseUrl}</code>. The gateway adds your keys; any
        placeholder key works in the tool.
      </p>
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
