/**
 * Record ids: monotonic ULIDs. The randomness comes from a pool of crypto-random bytes refilled
 * 4 KiB at a time, instead of one crypto call per id on the request path.
 */
import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

const pool = new Uint8Array(4096);
let next = pool.length;

function pooledRandom(): number {
  if (next >= pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  // ulid's PRNG contract: a float in [0, 1).
  return pool[next++]! / 256;
}

export const newRecordId = monotonicFactory(pooledRandom);
