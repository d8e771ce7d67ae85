/**
 * Where secrets (API keys, the Lava key, the local key) are kept. Headless, a 0600 JSON file in
 * the data dir; the desktop app injects a store backed by the OS keychain (Electron safeStorage)
 * so keys are never written in plain text there.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonObject } from './config.js';
import { writeJsonAtomic } from './data-dir.js';

export interface SecretStore {
  /** Human-readable place, for messages. */
  readonly where: string;
  read(): Promise<Record<string, unknown>>;
  write(secrets: Record<string, unknown>): Promise<void>;
}

export class FileSecretStore implements SecretStore {
  readonly where: string;

  constructor(dataDir: string) {
    this.where = join(dataDir, 'secrets.json');
  }

  async read(): Promise<Record<string, unknown>> {
    return existsSync(this.where) ? readJsonObject(this.where) : {};
  }

  async write(secrets: Record<string, unknown>): Promise<void> {
    await writeJsonAtomic(this.where, secrets, 0o600);
  }
}
