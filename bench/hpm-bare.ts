/** Benchmark reference: http-proxy-middleware with no logic at all on a plain http server (what the stack itself costs). */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createProxyMiddleware } from 'http-proxy-middleware';

const upstreamPort = Number(process.argv[2]);
const proxy = createProxyMiddleware({
  target: `http://127.0.0.1:${upstreamPort}`,
  changeOrigin: true,
  agent: new http.Agent({ keepAlive: true }),
  pathRewrite: { '^/openai': '' },
});
const server = http.createServer((req, res) => void proxy(req, res, () => res.end()));
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log((server.address() as AddressInfo).port));
