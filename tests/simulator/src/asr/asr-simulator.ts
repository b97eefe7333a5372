import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { Clock } from '../clock';
import { alibabaGatewayPath, AlibabaNlsSimulator, type AlibabaNlsTiming, alibabaTokenPath } from './alibaba';
import { loadKnownRecordings } from './known-audio';
import { tencentAsrPath, TencentAsrSimulator, type TencentAsrTiming } from './tencent';

export interface AsrSimulatorOptions {
  readonly tencent?: Partial<TencentAsrTiming>;
  readonly alibaba?: Partial<AlibabaNlsTiming>;
  /** Default tests/fixtures/audio-zh. */
  readonly fixtureDirectory?: string;
}

/**
 * The speech-recognition vendors on their own port (their WebSockets must not share the upgrade handler of the
 * platform simulator's server): Tencent at `${wsUrl}/asr/v2/<appid>`, Alibaba's gateway at `${wsUrl}/ws/v1` and its
 * CreateToken at `${url}/nls-meta/`.
 */
export interface AsrSimulator {
  readonly url: string;
  readonly wsUrl: string;
  readonly tencent: TencentAsrSimulator;
  readonly alibaba: AlibabaNlsSimulator;
  /** Endpoints to configure the adapters with. */
  readonly endpoints: { readonly tencent: string; readonly alibabaToken: string; readonly alibabaGateway: string };
  close(): Promise<void>;
}

export async function startAsrSimulator(clock: Clock, host: string, options: AsrSimulatorOptions = {}): Promise<AsrSimulator> {
  const recordings = loadKnownRecordings(options.fixtureDirectory);
  const tencent = new TencentAsrSimulator(clock, recordings, options.tencent);
  const alibaba = new AlibabaNlsSimulator(clock, recordings, options.alibaba);
  const wss = new WebSocketServer({ noServer: true });
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://placeholder').pathname;
    if (request.method === 'GET' && path === alibabaTokenPath) return alibaba.handleTokenRequest(request, response);
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ Code: 'NotFound', Message: `${path} is not simulated` }));
  });
  server.on('upgrade', (request, socket, head) => {
    const path = new URL(request.url ?? '/', 'http://placeholder').pathname;
    if (tencentAsrPath.test(path)) return wss.handleUpgrade(request, socket, head, (ws) => tencent.accept(ws, request));
    if (path === alibabaGatewayPath) return wss.handleUpgrade(request, socket, head, (ws) => alibaba.accept(ws, request));
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host}:${port}`;
  const wsUrl = `ws://${host}:${port}`;
  return {
    url,
    wsUrl,
    tencent,
    alibaba,
    endpoints: { tencent: wsUrl, alibabaToken: `${url}${alibabaTokenPath}`, alibabaGateway: `${wsUrl}${alibabaGatewayPath}` },
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
