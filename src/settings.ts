/**
 * Settings the user changes at run time (dashboard, shell). Config layers are kept so each key's
 * source is known: keys set by the `--config` file, env vars or flags are locked (shown with
 * where they come from); the rest can be changed with a JSON merge patch. Secrets (keys) go to
 * the 0600 secrets file, everything else to settings.json; the new config is validated whole
 * before anything is written, then applied without a restart.
 */
import { join } from 'node:path';
import { configSchema, deepMerge, type ConfigLayers, type GatewayConfig } from './config.js';
import { writeJsonAtomic } from './data-dir.js';
import { writeAtomic } from './lib/atomic-file.js';
import { readFile, rm } from 'node:fs/promises';
import { FileSecretStore, type SecretStore } from './secrets.js';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

export interface FieldError {
  path: string;
  message: string;
}

export type PatchResult =
  { ok: true; config: GatewayConfig; restartNeeded: string[] } | { ok: false; status: number; errors: FieldError[] };

/** Secret keys by path pattern: they live in secrets.json, never in settings.json. */
export const isSecretPath = (path: string): boolean =>
  /^(lava\.secretKey|providers\.[^.]+\.apiKey|security\.localKey)$/.test(path);

const valueAt = (o: Json, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (isObj(v) ? v[k] : undefined), o);

/** Dotted paths of every leaf in an object (arrays are leaves). */
export function leafPaths(o: Json, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (isObj(v) ? leafPaths(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

/** RFC 7396 merge patch: objects merge, `null` deletes, anything else replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  const out: Json = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (isObj(v)) out[k] = mergePatch(isObj(out[k]) ? (out[k] as Json) : {}, v);
    else out[k] = v;
  }
  return out;
}

function split(o: Json, secret: boolean, prefix = ''): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) {
    const path = `${prefix}${k}`;
    if (isObj(v)) {
      const inner = split(v, secret, `${path}.`);
      if (Object.keys(inner).length) out[k] = inner;
    } else if (isSecretPath(path) === secret) out[k] = v;
  }
  return out;
}

/** Where the admin API may send requests (and keys): an https URL, or a loopback address. */
const UPSTREAM_PATHS = /^(lava\.baseUrl|providers\.[^.]+\.origin)$/;

export function isSafeUpstream(value: unknown): boolean {
  if (typeof value !== 'string' || !URL.canParse(value)) return false;
  const u = new URL(value);
  if (u.protocol === 'https:') return true;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return u.protocol === 'http:' && (host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host));
}

export class Settings {
  /**
   * Writes both files, or neither: when the second write fails the first is put back, so the next
   * start never sees half a change (a mode without the key it needs).
   */
  private async save(saved: Json, secrets: Json): Promise<void> {
    const file = join(this.dataDir, 'settings.json');
    const previous = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    await writeJsonAtomic(file, saved, 0o600);
    try {
      await this.secretStore.write(secrets);
    } catch (e) {
      const restore = previous === undefined ? rm(file, { force: true }) : writeAtomic(file, previous, 0o600);
      await restore.catch(() => undefined);
      throw e;
    }
  }

  /**
   * `check` runs on the whole new config before anything is written and throws (with a message)
   * when the gateway could not run with it (cross-field rules the schema cannot see).
   */
  constructor(
    private layers: ConfigLayers,
    private readonly dataDir: string,
    private readonly secretStore: SecretStore = new FileSecretStore(dataDir),
    private readonly check: (config: GatewayConfig) => unknown = () => undefined,
  ) {}

  /** Where each locked key comes from (`file`, `env`, `flag`). */
  locked(): Record<string, 'file' | 'env' | 'flag'> {
    const out: Record<string, 'file' | 'env' | 'flag'> = {};
    for (const [layer, name] of [
      [this.layers.file, 'file'],
      [this.layers.env, 'env'],
      [this.layers.flags, 'flag'],
    ] as const) {
      for (const p of leafPaths(layer ?? {})) out[p] = name;
    }
    return out;
  }

  /** Validates the patch against the whole merged config, then saves and returns the new config. */
  async patch(patch: unknown, current: GatewayConfig): Promise<PatchResult> {
    if (!isObj(patch))
      return { ok: false, status: 400, errors: [{ path: '', message: 'the body must be a JSON object' }] };
    const locked = this.locked();
    const conflicts = leafPaths(patch).filter((p) =>
      Object.keys(locked).some((l) => l === p || l.startsWith(`${p}.`) || p.startsWith(`${l}.`)),
    );
    if (conflicts.length) {
      return {
        ok: false,
        status: 409,
        errors: conflicts.map((p) => ({
          path: p,
          message: `set by ${locked[p] ?? 'the config file or environment'}; change it there`,
        })),
      };
    }
    // Where keys may be sent: https or loopback only, from the dashboard (a file or env can set anything).
    const upstreamErrors: FieldError[] = leafPaths(patch)
      .filter((p) => UPSTREAM_PATHS.test(p) && valueAt(patch, p) !== null && !isSafeUpstream(valueAt(patch, p)))
      .map((p) => ({
        path: p,
        message:
          'must be an https:// URL or a loopback address (http://127.0.0.1:…); set other URLs in the config file',
      }));
    const editable = mergePatch(deepMerge(this.layers.saved ?? {}, this.layers.secrets ?? {}), patch);
    const merged = [editable, this.layers.file, this.layers.env, this.layers.flags].reduce<Json>(
      (acc, l) => (l ? deepMerge(acc, l) : acc),
      {},
    );
    const parsed = configSchema.safeParse(merged);
    const errors = [
      ...(parsed.success
        ? []
        : parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }))),
      ...upstreamErrors.filter((u) => parsed.success || !parsed.error.issues.some((i) => i.path.join('.') === u.path)),
    ];
    if (!parsed.success || errors.length) return { ok: false, status: 400, errors };
    try {
      this.check(parsed.data);
    } catch (e) {
      return { ok: false, status: 400, errors: [{ path: '', message: (e as Error).message.replace(/^config: /, '') }] };
    }
    const saved = split(editable, false);
    const secrets = split(editable, true);
    try {
      await this.save(saved, secrets);
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      return { ok: false, status: 500, errors: [{ path: '', message: `the settings could not be saved (${why})` }] };
    }
    this.layers = { ...this.layers, saved, secrets };
    const restartNeeded = parsed.data.port !== current.port ? ['port'] : [];
    return { ok: true, config: parsed.data, restartNeeded };
  }
}
