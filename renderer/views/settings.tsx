/**
 * Keys & settings: Lava account, budgets (budgets-form.tsx), allowed origins, and per provider key / mode / origin.
 * Keys are never shown in full (the API returns them masked); saving sends only what changed, as
 * a merge patch, and shows errors next to their field. Keys set by file or env are locked.
 */
import { useState } from 'preact/hooks';
import { api, ApiError, type BudgetSettings, type GuardSettings } from '../api';
import { BudgetsForm } from './budgets-form';

export interface ProviderInfo {
  key: string;
  style: string;
  base: string;
  origin?: string;
  mode: 'direct' | 'lava';
  hasKey: boolean;
  builtIn: boolean;
}

export interface SettingsData {
  settings: {
    lava: { secretKey?: string; customerId?: string; meterSlug?: string; sync: boolean };
    providers: Record<string, { apiKey?: string; mode?: string; origin?: string }>;
    budgets: BudgetSettings;
    guards: GuardSettings;
    security: { allowedOrigins: string[] };
    port: number;
  };
  locked: Record<string, string>;
  paused: boolean;
  dataDir: string;
  providers: ProviderInfo[];
}

/** Errors the budgets' tool and project rows show by their row. */
const CAP_ROWS = /^budgets\.(tools|projects)\./;

const MAIN = ['openai', 'anthropic', 'google', 'groq', 'mistral', 'deepseek', 'xai'];

type Patch = Record<string, unknown>;
function setPath(p: Patch, path: string, value: unknown): Patch {
  const [head, ...rest] = path.split('.');
  if (!rest.length) {
    // undefined: this key is back to what was saved, so it leaves the patch.
    const others = { ...p };
    delete others[head!];
    return value === undefined ? others : { ...others, [head!]: value };
  }
  return { ...p, [head!]: setPath((p[head!] as Patch) ?? {}, rest.join('.'), value) };
}

export function SettingsView({ data, onSaved }: { data: SettingsData; onSaved: () => Promise<unknown> }) {
  const [patch, setPatch] = useState<Patch>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState<string>();
  const [extra, setExtra] = useState<string[]>([]);
  const s = data.settings;
  const change = (path: string, value: unknown) => setPatch((p) => setPath(p, path, value));
  const save = async (e: Event) => {
    e.preventDefault();
    setSaved(undefined);
    try {
      await api('/api/settings', { method: 'PATCH', body: JSON.stringify(patch) });
      setErrors({});
      setPatch({});
      setSaved('Saved. The gateway uses the new settings from the next request.');
      await onSaved();
    } catch (err) {
      if (err instanceof ApiError && err.errors.length)
        setErrors(Object.fromEntries(err.errors.map((x) => [x.path, x.message])));
      else setErrors({ '': err instanceof Error ? err.message : String(err) });
    }
  };
  // Fields render their own errors; the rest (whole-config rules, fields not on this page) go by the Save button.
  const rendered = new Set<string>(['security.allowedOrigins']);
  const field = (
    path: string,
    label: string,
    value: string | number | undefined,
    opts: { type?: 'text' | 'number'; secret?: boolean; placeholder?: string } = {},
  ) => {
    const lock = data.locked[path];
    const id = `f-${path.replace(/\./g, '-')}`;
    rendered.add(path);
    return (
      <div class="field" key={path}>
        <label for={id}>{label}</label>
        <input
          id={id}
          name={path}
          type={(opts.secret ? 'password' : (opts.type ?? 'text')) as 'text'}
          autocomplete="off"
          step={opts.type === 'number' ? 'any' : undefined}
          min={opts.type === 'number' ? '0' : undefined}
          disabled={Boolean(lock)}
          placeholder={opts.secret ? (value ? String(value) : 'not set') : opts.placeholder}
          defaultValue={opts.secret ? '' : value === undefined ? '' : String(value)}
          onInput={(e) => {
            const v = e.currentTarget.value;
            change(path, v === '' ? null : opts.type === 'number' ? Number(v) : v);
          }}
          aria-invalid={errors[path] ? true : undefined}
          aria-describedby={errors[path] ? `${id}-err` : undefined}
        />
        {lock && <small>set by {lock}</small>}
        {errors[path] && (
          <small class="error" id={`${id}-err`}>
            {errors[path]}
          </small>
        )}
      </div>
    );
  };
  const shown = data.providers.filter(
    (p) => MAIN.includes(p.key) || p.hasKey || p.origin || !p.builtIn || extra.includes(p.key),
  );
  return (
    <form class="settings" onSubmit={save} aria-label="Keys and settings">
      <fieldset>
        <legend>Lava account</legend>
        {field('lava.secretKey', 'Secret key', s.lava.secretKey, { secret: true })}
        {field('lava.customerId', 'Customer id', s.lava.customerId, { placeholder: 'cus_… (optional)' })}
        {field('lava.meterSlug', 'Meter slug', s.lava.meterSlug, { placeholder: 'optional' })}
      </fieldset>
      <BudgetsForm
        budgets={s.budgets}
        guards={s.guards}
        locked={data.locked}
        errors={errors}
        field={field}
        change={change}
      />
      <fieldset>
        <legend>Providers</legend>
        <table class="providers">
          <thead>
            <tr>
              <th>provider</th>
              <th>mode</th>
              <th>API key</th>
              <th>origin</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((p) => (
              <tr key={p.key}>
                <th scope="row">{p.key}</th>
                <td>
                  <select
                    aria-label={`${p.key} mode`}
                    defaultValue={p.mode}
                    disabled={Boolean(data.locked[`providers.${p.key}.mode`])}
                    onChange={(e) => change(`providers.${p.key}.mode`, e.currentTarget.value)}
                  >
                    <option value="direct">direct</option>
                    <option value="lava">through Lava</option>
                  </select>
                </td>
                <td>
                  {field(`providers.${p.key}.apiKey`, `${p.key} API key`, s.providers[p.key]?.apiKey, { secret: true })}
                </td>
                <td>
                  {field(`providers.${p.key}.origin`, `${p.key} origin`, p.origin, {
                    placeholder: new URL(p.base).origin,
                  })}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <label>
          Show another provider{' '}
          <select onChange={(e) => e.currentTarget.value && setExtra([...extra, e.currentTarget.value])} value="">
            <option value="">choose…</option>
            {data.providers
              .filter((p) => !shown.includes(p))
              .map((p) => (
                <option key={p.key}>{p.key}</option>
              ))}
          </select>
        </label>
      </fieldset>
      <fieldset>
        <legend>Security</legend>
        <div class="field">
          <label for="f-origins">Browser origins allowed on proxy routes (comma-separated)</label>
          <input
            id="f-origins"
            defaultValue={s.security.allowedOrigins.join(', ')}
            disabled={Boolean(data.locked['security.allowedOrigins'])}
            onInput={(e) =>
              change(
                'security.allowedOrigins',
                e.currentTarget.value
                  .split(',')
                  .map((x) => x.trim())
                  .filter(Boolean),
              )
            }
          />
          {errors['security.allowedOrigins'] && <small class="error">{errors['security.allowedOrigins']}</small>}
        </div>
      </fieldset>
      <DesktopOptions />
      <p class="note">Data dir: {data.dataDir}</p>
      <button type="submit" disabled={Object.keys(patch).length === 0}>
        Save
      </button>
      {saved && <p role="status">{saved}</p>}
      <GeneralErrors errors={Object.entries(errors).filter(([path]) => !rendered.has(path) && !CAP_ROWS.test(path))} />
    </form>
  );
}

function GeneralErrors({ errors }: { errors: [string, string][] }) {
  if (errors.length === 0) return null;
  return (
    <div role="alert" class="error form-errors">
      <p>Not saved:</p>
      <ul>
        {errors.map(([path, message]) => (
          <li key={path}>{path ? `${path}: ${message}` : message}</li>
        ))}
      </ul>
    </div>
  );
}

interface Bridge {
  setOpenAtLogin(on: boolean): Promise<boolean>;
  revealDataDir(): Promise<void>;
}

/** Desktop-only settings, shown when the page runs inside the Lava Desktop window. */
function DesktopOptions() {
  const bridge = (window as unknown as { lavaDesktop?: Bridge }).lavaDesktop;
  const [atLogin, setAtLogin] = useState<boolean>();
  if (!bridge) return null;
  return (
    <fieldset>
      <legend>Desktop</legend>
      <label>
        <input
          type="checkbox"
          checked={atLogin ?? false}
          onChange={async (e) => setAtLogin(await bridge.setOpenAtLogin(e.currentTarget.checked))}
        />{' '}
        Open Lava Desktop at login
      </label>{' '}
      <button type="button" onClick={() => void bridge.revealDataDir()}>
        Show data folder
      </button>
    </fieldset>
  );
}
