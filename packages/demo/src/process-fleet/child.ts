import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** One line a fleet process prints on stdout: `{"event": "...", ...}`. */
export interface ChildEvent {
  readonly event: string;
  readonly [key: string]: unknown;
}

/**
 * A process of the fleet (a volume host or the API service), started by the supervisor: it speaks JSON lines
 * on stdout, one event each (ready, ran, stats, stopped...). Lines that are not JSON are kept with stderr
 * for the diagnostics of a failure.
 */
export class FleetChild {
  readonly events: ChildEvent[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly listeners = new Set<(event: ChildEvent) => void>();
  private log = '';

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let event: ChildEvent | undefined;
      try {
        const parsed = JSON.parse(line) as unknown;
        if (typeof parsed === 'object' && parsed !== null && typeof (parsed as ChildEvent).event === 'string') event = parsed as ChildEvent;
      } catch {
        // not an event
      }
      if (!event) return this.keep(line);
      this.events.push(event);
      for (const listener of this.listeners) listener(event);
    });
    child.stderr!.on('data', (chunk: Buffer) => this.keep(chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    child.once('error', (error) => this.keep(`spawn failed: ${error.message}`));
  }

  static start(
    name: string,
    command: string,
    args: readonly string[],
    options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
  ): FleetChild {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    return new FleetChild(name, child);
  }

  private keep(text: string): void {
    this.log = (this.log + text + (text.endsWith('\n') ? '' : '\n')).slice(-8000);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines of stderr and of stdout that were not events. */
  get diagnostics(): string {
    return this.log;
  }

  on(listener: (event: ChildEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The first event (already seen or to come) named `name` matching `where`; fails if the process exits first or after `timeoutMs`. */
  waitFor(name: string, timeoutMs: number, where: (event: ChildEvent) => boolean = () => true): Promise<ChildEvent> {
    const seen = this.events.find((event) => event.event === name && where(event));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const done = (error: Error | undefined, event?: ChildEvent): void => {
        clearTimeout(timer);
        off();
        if (error) reject(error);
        else resolve(event as ChildEvent);
      };
      const timer = setTimeout(() => done(new Error(`${this.name}: no "${name}" within ${timeoutMs} ms\n${this.diagnostics}`)), timeoutMs);
      const off = this.on((event) => {
        if (event.event === name && where(event)) done(undefined, event);
        else if (event.event === 'failed') done(new Error(`${this.name} failed: ${String(event['error'])}`));
      });
      void this.exited.then(({ code, signal }) =>
        done(new Error(`${this.name} exited (${signal ?? code}) before "${name}"\n${this.diagnostics}`)),
      );
    });
  }

  /** One command, as a JSON line on its stdin. */
  send(command: unknown): void {
    if (this.running) this.child.stdin!.write(`${JSON.stringify(command)}\n`);
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended. */
  async stop(graceMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      const result = await this.exited;
      clearTimeout(timer);
      return result;
    }
    return this.exited;
  }
}
