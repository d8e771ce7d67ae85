/** `/api/events`: the live event stream (SSE), with Last-Event-ID resume from the events kept. */
import { Router } from 'express';
import type { GatewayContext } from '../context.js';
import type { NumberedEvent } from '../record/events.js';

export function eventRoutes(ctx: GatewayContext): Router {
  const r = Router();
  r.get('/api/events', (req, res) => {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    const send = (n: NumberedEvent) => {
      if (!res.destroyed) res.write(`id: ${n.id}\nevent: ${n.event.type}\ndata: ${JSON.stringify(n.event)}\n\n`);
    };
    const last = Number(req.headers['last-event-id'] ?? NaN);
    if (Number.isInteger(last)) for (const n of ctx.events.since(last)) send(n);
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    ctx.events.on('event', send);
    res.on('close', () => {
      clearInterval(ping);
      ctx.events.off('event', send);
    });
  });
  return r;
}
