import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/**
 * A loopback TCP proxy whose target can be switched off and on, to simulate a database that goes away and comes
 * back. With no target, every connection is accepted and closed at once (like a server that is not there yet).
 */
export interface TcpProxy {
  readonly port: number;
  /** Forward new connections to 127.0.0.1:port, or (undefined) to nowhere. */
  forwardTo(port: number | undefined): void;
  /** Stop forwarding and cut every open connection, as a network failure would. */
  cut(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(initialTarget?: number): Promise<TcpProxy> {
  let target = initialTarget;
  const open = new Set<Socket>();
  const track = (socket: Socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = createServer((client) => {
    track(client);
    if (target === undefined) {
      client.destroy();
      return;
    }
    const upstream = connect({ host: '127.0.0.1', port: target });
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const cut = () => {
    target = undefined;
    for (const socket of open) socket.destroy();
  };
  return {
    port: (server.address() as AddressInfo).port,
    forwardTo(port) {
      target = port;
    },
    cut,
    close: () =>
      new Promise<void>((resolve) => {
        cut();
        server.close(() => resolve());
      }),
  };
}
