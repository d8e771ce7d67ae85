/**
 * The dependency rule of the house (checked by `npm run lint`): no cycles between modules, and
 * the layers of src/ import only downward — the request pipeline top to bottom (server → routing
 * → translate → proxy → metering → record → sync → store), then the edge (config, Lava), the
 * pipeline's contracts, the prices, the providers and lib at the bottom. electron/ imports only
 * src/index.ts (the public entry); renderer/ imports nothing of src/.
 */
const TIERS = [
  ['^src/cli/'],
  ['^src/index\\.ts$', '^src/gateway\\.ts$'],
  ['^src/server\\.ts$', '^src/app\\.ts$', '^src/guards\\.ts$', '^src/context\\.ts$', '^src/admin/', '^src/mcp/'],
  ['^src/routing/'],
  ['^src/translate/'],
  ['^src/proxy/'],
  ['^src/metering/'],
  ['^src/record/'],
  ['^src/attribution/'],
  ['^src/sync/'],
  ['^src/store/'],
  [
    '^src/lava/',
    '^src/connect/',
    '^src/config\\.ts$',
    '^src/settings\\.ts$',
    '^src/secrets\\.ts$',
    '^src/data-dir\\.ts$',
    '^src/gateway-file\\.ts$',
    '^src/service/',
    '^src/version\\.ts$',
  ],
  ['^src/pipeline/', '^src/prices/'],
  ['^src/providers/'],
  ['^src/lib/'],
];

const upward = TIERS.slice(1).map((from, i) => ({
  name: `layers-${from[0].replace(/[^a-z]/g, '')}`,
  comment: `${from.join(' ')} may import only from layers below it`,
  severity: 'error',
  from: { path: from },
  to: { path: TIERS.slice(0, i + 1).flat() },
}));

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    ...upward,
    {
      name: 'electron-only-public-entry',
      comment: 'the desktop shell uses the gateway through src/index.ts only',
      severity: 'error',
      from: { path: '^electron/' },
      to: { path: '^src/', pathNot: '^src/index\\.ts$' },
    },
    {
      name: 'renderer-no-src',
      comment: 'the dashboard talks to the gateway over HTTP only',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: '^(src|electron)/' },
    },
    {
      name: 'cli-no-internals',
      comment: 'commands start a gateway through the facade, never through its context or server',
      severity: 'error',
      from: { path: '^src/cli/' },
      to: { path: ['^src/context\\.ts$', '^src/server\\.ts$'] },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'src/tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['node_modules', '^dist/'] },
  },
};
