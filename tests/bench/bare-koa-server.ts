// The baseline for the read-route benchmark: Koa 3 + @koa/router, one route answering a small JSON constant.
// Started as a child process by read-route.ts; reports its port to the parent over IPC and stops on SIGTERM.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import Koa from 'koa';

const app = new Koa();
app.silent = true;
const router = new Router();
const constant = { status: 'ok', service: 'bare-koa', items: [1, 2, 3] };
router.get('/api/constant/:id', (ctx) => {
  ctx.body = constant;
});
app.use(router.routes());

const server = createServer(app.callback());
server.keepAliveTimeout = 5000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  if (process.send) process.send({ port });
  else console.log(`bare Koa listening on http://127.0.0.1:${port}`);
});

process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
