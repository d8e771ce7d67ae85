/** The package version, read once. */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const VERSION = (require('../package.json') as { version: string }).version;
