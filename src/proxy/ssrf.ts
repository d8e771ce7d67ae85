/**
 * SSRF guard for `/v1/forward` to hosts that are not known providers: a web page or a prompt
 * must not turn the gateway into a door to the user's LAN or to services on loopback. The check
 * runs inside DNS lookup, on the address really connected to, so a name that resolves to a
 * private address (or rebinds to one) is refused too. Allowlisted hosts skip it.
 */
import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const)
  blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  blocked.addSubnet(net, bits, 'ipv6');

export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const v4mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (v4mapped) return blocked.check(v4mapped[1]!, 'ipv4');
  const family = isIP(bare);
  if (family === 4) return blocked.check(bare, 'ipv4');
  if (family === 6) return blocked.check(bare, 'ipv6');
  return false;
}

export class PrivateAddressError extends Error {
  code = 'LAVA_PRIVATE_ADDRESS';
}

type LookupCb = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

function guardedLookup(hostname: string, options: LookupOptions, cb: LookupCb): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return cb(err, []);
    const list = addresses as LookupAddress[];
    const bad = list.find((a) => isPrivateAddress(a.address));
    if (bad) return cb(new PrivateAddressError(`${hostname} resolves to a private address`), []);
    if (options.all) return cb(null, list);
    const first = list[0]!;
    cb(null, first.address, first.family);
  });
}

/** Agents for foreign hosts: keep-alive, with the private-address check at connect time. */
export const guardedAgents = {
  http: new http.Agent({ keepAlive: true, lookup: guardedLookup as never }),
  https: new https.Agent({ keepAlive: true, lookup: guardedLookup as never }),
};
