/**
 * Keys saved from the dashboard, encrypted with Electron's safeStorage (OS keychain / DPAPI /
 * libsecret) into `secrets.enc`; a plain `secrets.json` left by the headless app is migrated
 * on first read and removed. If the OS offers no encryption, saving a key is refused with a
 * message rather than written in plain text.
 */
import { safeStorage } from 'electron';
import { existsSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SecretStore } from '../src/index.js';

export class SafeStorageSecretStore implements SecretStore {
  readonly where: string;
  private readonly plain: string;

  constructor(dataDir: string) {
    this.where = join(dataDir, 'secrets.enc');
    this.plain = join(dataDir, 'secrets.json');
  }

  async read(): Promise<Record<string, unknown>> {
    if (existsSync(this.where)) {
      const blob = Buffer.from(await readFile(this.where, 'utf8'), 'base64');
      return JSON.parse(safeStorage.decryptString(blob)) as Record<string, unknown>;
    }
    if (!existsSync(this.plain)) return {};
    const secrets = JSON.parse(await readFile(this.plain, 'utf8')) as Record<string, unknown>;
    if (safeStorage.isEncryptionAvailable()) {
      await this.write(secrets);
      await rm(this.plain);
    }
    return secrets;
  }

  async write(secrets: Record<string, unknown>): Promise<void> {
    if (!safeStorage.isEncryptionAvailable()) {
      throw new Error(
        'the OS keychain is not available, so keys cannot be stored securely; set them as environment variables instead',
      );
    }
    const tmp = `${this.where}.tmp`;
    await writeFile(tmp, safeStorage.encryptString(JSON.stringify(secrets)).toString('base64'), { mode: 0o600 });
    await rename(tmp, this.where);
  }
}
