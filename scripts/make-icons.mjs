// Writes the app and tray icons (plain PNGs drawn here, no design tool needed): node scripts/make-icons.mjs
import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}
/** A disc of `rgb` on transparent, with a lighter inner drop (the lava mark). */
function png(size, [r, g, b]) {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const dx = x - size / 2 + 0.5,
        dy = y - size / 2 + 0.5;
      const d = Math.hypot(dx, dy) / (size / 2);
      const inner = Math.hypot(dx, dy + size * 0.08) / (size / 2) < 0.38;
      const i = y * (size * 4 + 1) + 1 + x * 4;
      const a = d <= 0.92 ? 255 : d <= 1 ? Math.round(255 * (1 - (d - 0.92) / 0.08)) : 0;
      raw[i] = inner ? Math.min(255, r + 70) : r;
      raw[i + 1] = inner ? Math.min(255, g + 70) : g;
      raw[i + 2] = inner ? Math.min(255, b + 70) : b;
      raw[i + 3] = a;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  ihdr[10] = 0;
  ihdr[11] = 0;
  ihdr[12] = 0;
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
const dir = new URL('../electron/assets/', import.meta.url);
writeFileSync(new URL('icon.png', dir), png(512, [194, 65, 12]));
// The dashboard's favicon (served at /favicon.png and /favicon.ico).
writeFileSync(new URL('../renderer/public/favicon.png', import.meta.url), png(64, [194, 65, 12]));
for (const [state, rgb] of Object.entries({
  running: [194, 65, 12],
  paused: [120, 113, 108],
  'budget-exceeded': [185, 28, 28],
  'sync-error': [202, 138, 4],
  'store-error': [127, 29, 29],
})) {
  writeFileSync(new URL(`tray-${state}.png`, dir), png(32, rgb));
}
