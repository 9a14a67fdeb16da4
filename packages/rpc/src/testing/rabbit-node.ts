// Test support, exported as @versioned/rpc/testing: a RabbitMQ node of a test's own, for the tests that break a broker
// (packages/rpc/test/rabbit-faults.test.ts, packages/demo/test/fleet-faults.test.ts) without touching the shared one.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
/** The scripts themselves, not /usr/sbin's wrappers (which switch to the rabbitmq user and its cookie). */
const RABBIT_BIN = process.env['RABBITMQ_BIN'] ?? '/usr/lib/rabbitmq/bin';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/**
 * A RabbitMQ node of a test's own: its own node name, AMQP and distribution ports, data, log and config
 * (no plugins, so nothing else binds a port), and its own Erlang cookie (HOME). It never reads
 * /etc/rabbitmq, and every command names this node, so the shared broker is never touched.
 */
export class RabbitNode {
  private process: ChildProcess | undefined;
  private constructor(
    readonly name: string,
    readonly port: number,
    readonly distPort: number,
    private readonly dir: string,
  ) {}

  static async create(): Promise<RabbitNode> {
    const dir = mkdtempSync(join(tmpdir(), 'versioned-rabbit-'));
    const port = await freePort();
    let distPort = await freePort();
    while (distPort === port) distPort = await freePort();
    const node = new RabbitNode(`versioned_fault_${process.pid}_${port}@localhost`, port, distPort, dir);
    mkdirSync(join(dir, 'home'));
    writeFileSync(join(dir, 'rabbitmq.conf'), `listeners.tcp.default = 127.0.0.1:${port}\nloopback_users = none\n`);
    writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
    writeFileSync(join(dir, 'rabbitmq-env.conf'), '');
    return node;
  }

  get url(): string {
    return `amqp://guest:guest@127.0.0.1:${this.port}/`;
  }

  private env(): NodeJS.ProcessEnv {
    return {
      PATH: process.env['PATH'],
      HOME: join(this.dir, 'home'),
      RABBITMQ_NODENAME: this.name,
      RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
      RABBITMQ_NODE_PORT: String(this.port),
      RABBITMQ_DIST_PORT: String(this.distPort),
      RABBITMQ_MNESIA_BASE: join(this.dir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(this.dir, 'log'),
      RABBITMQ_CONFIG_FILE: join(this.dir, 'rabbitmq.conf'),
      RABBITMQ_CONF_ENV_FILE: join(this.dir, 'rabbitmq-env.conf'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(this.dir, 'enabled_plugins'),
      RABBITMQ_PID_FILE: join(this.dir, 'rabbit.pid'),
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
    };
  }

  /** Start the node and wait until it accepts AMQP connections. */
  async start(timeoutMs = 60_000): Promise<void> {
    const child = spawn(join(RABBIT_BIN, 'rabbitmq-server'), [], { env: this.env(), stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    this.process = child;
    // A test process that dies without its after hook must not leave its node running.
    const killOnExit = (): void => this.kill();
    process.once('exit', killOnExit);
    child.once('exit', () => process.removeListener('exit', killOnExit));
    await this.waitUntilAccepting(timeoutMs);
  }

  async waitUntilAccepting(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await accepts(this.port))) {
      if (this.process?.exitCode !== null && this.process?.exitCode !== undefined)
        throw new Error(`rabbitmq-server for ${this.name} exited with ${this.process.exitCode}; logs in ${this.dir}/log`);
      if (Date.now() > deadline) throw new Error(`${this.name} did not accept connections within ${timeoutMs} ms; logs in ${this.dir}/log`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** rabbitmqctl against this node only. */
  async ctl(...args: string[]): Promise<string> {
    const { stdout } = await execFileAsync(join(RABBIT_BIN, 'rabbitmqctl'), ['-q', '-n', this.name, ...args], {
      env: this.env(),
      timeout: 60_000,
    });
    return stdout;
  }

  async stopApp(): Promise<void> {
    await this.ctl('stop_app');
  }

  /** start_app, retried: right after stop_app the listener port may still be held for a moment. */
  async startApp(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.ctl('start_app');
        return;
      } catch (error) {
        if (attempt >= 10) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  async closeAllConnections(reason: string): Promise<void> {
    await this.ctl('close_all_connections', reason);
  }

  /** Stop the whole node (the Erlang VM), keeping its data for a restart. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await this.ctl('stop').catch(() => undefined);
    const timer = setTimeout(() => this.kill(), 20_000);
    await exited;
    clearTimeout(timer);
    this.process = undefined;
  }

  private kill(): void {
    const pid = this.process?.pid;
    if (pid !== undefined) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }

  /** Stop the node and delete its files. */
  async destroy(): Promise<void> {
    await this.stop().catch(() => this.kill());
    rmSync(this.dir, { recursive: true, force: true });
  }
}
