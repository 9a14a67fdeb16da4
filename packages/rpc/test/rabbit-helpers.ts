import { spawn, execFile, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import amqp, { type Channel } from 'amqplib';
import { RabbitTransport, type RabbitTransportOptions } from '../src/index.js';

/** The broker every RabbitMQ test talks to (scripts/provision.sh starts it). Unreachable means failure, never a skip. */
export const BROKER_URL = process.env['RABBITMQ_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672/';
export const PYTHON = '/usr/bin/python3';
/** The Python scripts live in the source tree, beside the compiled tests' sources. */
export const INTEROP_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'interop');

/** A name no other test run uses: topics, exchanges, connection names. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
}

/** Transports opened by a test, closed by `closeAll` in its `after` hook. */
export class TransportPool {
  private readonly open: RabbitTransport[] = [];
  readonly errors: unknown[] = [];

  async connect(options: RabbitTransportOptions = {}): Promise<RabbitTransport> {
    const transport = await RabbitTransport.connect({
      url: BROKER_URL,
      reconnect: { initialDelayMs: 100, maxDelayMs: 1000 },
      onError: (error) => this.errors.push(error),
      ...options,
    });
    this.open.push(transport);
    return transport;
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled(this.open.splice(0).map((t) => t.close()));
  }
}

/** A raw amqplib channel for poking at the broker the way a foreign client would. */
export async function rawChannel(): Promise<{ channel: Channel; close: () => Promise<void> }> {
  const model = await amqp.connect(BROKER_URL);
  model.on('error', () => undefined);
  const channel = await model.createChannel();
  channel.on('error', () => undefined);
  return { channel, close: () => model.close().catch(() => undefined) };
}

/** Delete the queues a test's listeners left (oslo never deletes topic queues itself). */
export async function deleteQueues(names: readonly string[]): Promise<void> {
  const { channel, close } = await rawChannel();
  for (const name of names) await channel.deleteQueue(name).catch(() => undefined);
  await close();
}

const execFileAsync = promisify(execFile);

/** Close, from the broker side, every connection whose connection_name is `name` (as a network failure would). */
export async function closeConnectionsNamed(name: string): Promise<number> {
  const { stdout } = await execFileAsync('rabbitmqctl', ['-q', 'list_connections', 'pid', 'client_properties'], { timeout: 30_000 });
  const pids = stdout
    .split('\n')
    .filter((line) => line.includes(`{"connection_name","${name}"}`))
    .map((line) => line.split('\t')[0]!);
  for (const pid of pids)
    await execFileAsync('rabbitmqctl', ['-q', 'close_connection', pid, 'closed by a reconnection test'], { timeout: 30_000 });
  return pids.length;
}

/** A Python interop process speaking JSON lines on stdout; killed by `stop()` whatever state it is in. */
export class PythonProcess {
  private readonly lines: string[] = [];
  private readonly waiters: (() => void)[] = [];
  private stderr = '';
  readonly exited: Promise<number | null>;

  private constructor(readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      this.lines.push(line);
      for (const wake of this.waiters.splice(0)) wake();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-8000);
    });
    this.exited = new Promise((resolve) =>
      child.on('exit', (code) => {
        resolve(code);
        for (const wake of this.waiters.splice(0)) wake();
      }),
    );
  }

  /** `env` is added to this process's environment (INTEROP_TRANSPORT_URL: a broker other than the shared one). */
  static start(script: string, args: readonly string[], env: Record<string, string> = {}): PythonProcess {
    const child = spawn(PYTHON, [join(INTEROP_DIR, script), ...args], {
      cwd: INTEROP_DIR,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return new PythonProcess(child);
  }

  /** The next JSON line, or a failure naming the process's stderr after `timeoutMs`. */
  async nextJson(timeoutMs = 15_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    while (this.lines.length === 0) {
      if (this.child.exitCode !== null) throw new Error(`python exited (${this.child.exitCode}) before answering:\n${this.stderr}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no answer from python within ${timeoutMs}ms; stderr:\n${this.stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return JSON.parse(this.lines.shift()!) as Record<string, unknown>;
  }

  send(value: unknown): void {
    this.child.stdin.write(`${JSON.stringify(value)}\n`);
  }

  get diagnostics(): string {
    return this.stderr;
  }

  /** Close stdin (the scripts exit on it), then kill if still alive after a grace period. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
