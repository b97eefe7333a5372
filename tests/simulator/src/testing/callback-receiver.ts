import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  readonly method: string;
  readonly url: URL;
  readonly body: string;
}

export interface ScriptedAnswer {
  readonly status?: number;
  readonly body?: string;
  /** Wait this long before answering, to play a slow app server. */
  readonly delayMs?: number;
}

/** A stand-in for the app's callback endpoint: records every request and answers as the test scripts. */
export async function startCallbackReceiver(answer: (request: ReceivedRequest, index: number) => ScriptedAnswer) {
  const requests: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = {
        method: req.method ?? 'GET',
        url: new URL(req.url ?? '/', 'http://127.0.0.1'),
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(request);
      const scripted = answer(request, requests.length - 1);
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(scripted.status ?? 200, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(scripted.body ?? '');
      }, scripted.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/wecom/callback`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
