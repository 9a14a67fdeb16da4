import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy between a client and a broker, to slow the network down and cut it: every chunk waits
 * `delayMs` each way; `cut()` destroys every connection through it (the client sees a reset); with
 * `refusing` set, new connections are dropped at once, as with an unreachable broker.
 */
export class TcpProxy {
  delayMs = 0;
  refusing = false;
  private readonly sockets = new Set<Socket>();
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
    let proxy: TcpProxy | undefined;
    const server = createServer((client) => proxy?.accept(client, targetHost, targetPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new TcpProxy(server, (server.address() as AddressInfo).port);
    return proxy;
  }

  get url(): string {
    return `amqp://guest:guest@127.0.0.1:${this.port}/`;
  }

  get connections(): number {
    return this.sockets.size / 2;
  }

  private accept(client: Socket, host: string, port: number): void {
    client.on('error', () => undefined);
    if (this.refusing) {
      client.destroy();
      return;
    }
    const upstream = connect(port, host);
    upstream.on('error', () => undefined);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => {
        this.sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    this.pipe(client, upstream);
    this.pipe(upstream, client);
  }

  /** Forward chunks in order, each after the current delay. */
  private pipe(from: Socket, to: Socket): void {
    let chain = Promise.resolve();
    from.on('data', (chunk: Buffer) => {
      const delay = this.delayMs;
      chain = chain
        .then(() => (delay > 0 ? new Promise<void>((resolve) => setTimeout(resolve, delay)) : undefined))
        .then(() => {
          if (!to.destroyed) to.write(chunk);
        });
    });
  }

  /** Reset every connection through the proxy now. */
  cut(): number {
    const n = this.connections;
    for (const s of [...this.sockets]) s.resetAndDestroy();
    return n;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
