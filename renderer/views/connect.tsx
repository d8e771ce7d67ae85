/** Connect your tools: snippets with this gateway's real URL, copy buttons, and a test request per provider. */
import { useState } from 'preact/hooks';
import { api } from '../api';
import type { SettingsData } from './settings';

interface TestResult {
  ok: boolean;
  status: number;
  message: string;
  ms: number;
}

export function Connect({ data }: { data: SettingsData }) {
  const base = location.origin;
  const snippets: [string, string][] = [
    ['Claude Code', `export ANTHROPIC_BASE_URL=${base}/anthropic\nclaude`],
    [
      'Codex CLI (~/.codex/config.toml)',
      `model_provider = "lava"\n\n[model_providers.lava]\nname = "Lava Desktop"\nbase_url = "${base}/openai/v1"\nenv_key = "OPENAI_API_KEY"\nwire_api = "responses"`,
    ],
    ['OpenAI SDK', `import OpenAI from 'openai';\nconst client = new OpenAI({ baseURL: '${base}/openai/v1' });`],
    [
      'Anthropic SDK',
      `import Anthropic from '@anthropic-ai/sdk';\nconst client = new Anthropic({ baseURL: '${base}/anthropic' });`,
    ],
    [
      'Lava SDK',
      `import { Lava } from '@lavapayments/nodejs';\nconst lava = new Lava(process.env.LAVA_SECRET_KEY, { baseUrl: '${base}/v1/' });`,
    ],
    [
      'curl',
      `curl ${base}/openai/v1/chat/completions \\\n  -H 'content-type: application/json' \\\n  -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}'`,
    ],
    ['Shell (any tool)', `eval "$(lava-desktop env)"`],
  ];
  const testable = data.providers.filter((p) => p.hasKey || p.origin || p.mode === 'lava');
  return (
    <section class="connect">
      <p>
        Point your tools at <code data-testid="base-url">{base}</code>. The gateway adds your keys; any placeholder key
        works in the tool.
      </p>
      {snippets.map(([title, text]) => (
        <Snippet key={title} title={title} text={text} />
      ))}
      <div class="snippet" data-testid="cursor-note">
        <h3>Cursor</h3>
        <p>
          Cursor sends its model requests from Cursor's own servers, not from this machine, so a gateway on{' '}
          <code>127.0.0.1</code> cannot serve it: no setting in Cursor can point it here.
        </p>
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
