// One process of the process fleet, started by the supervisor (supervisor.ts): a TypeScript volume host or the
// API service, on RabbitMQ and the PostgreSQL services table. Its configuration is one JSON argument; it
// speaks JSON lines: events on stdout, commands on stdin (the API service's operations). SIGTERM (or stdin
// closing) stops it gracefully; SIGHUP reloads its Upgrade (@versioned/upgrade's SIGHUP support).
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { RabbitTransport, type Transport } from '@versioned/rpc';
import { Upgrade, type PinsChange } from '@versioned/upgrade';
import { ApiService, type Operation, type VolumeDirectory } from '../fleet/api-service.js';
import { releaseNamed } from '../fleet/in-memory.js';
import { upgradeTimings, type FleetTimings } from '../fleet/timings.js';
import { VolumeHost } from '../fleet/volume-host.js';
import { API_RELEASES, VOLUME_RELEASES } from '../releases/releases.js';
import { FileRows } from './rows-file.js';

export interface ChildConfig {
  readonly role: 'volume' | 'api';
  readonly host: string;
  readonly release: string;
  readonly zone?: string;
  readonly broker: string;
  readonly exchange: string;
  readonly database: string;
  readonly timings: FleetTimings;
  /** A volume host's rows file (they outlive the process). */
  readonly rows?: string;
  /** Register although the fleet was finalized at a newer release (a release-N host coming back). */
  readonly forceBelowFinalized?: boolean;
}

/** The API service's commands on stdin. */
export type ApiCommand =
  | { readonly cmd: 'run'; readonly op: Operation; readonly requestId: string }
  | { readonly cmd: 'volumes' }
  | { readonly cmd: 'merge'; readonly volumes: Record<string, Record<string, number>> };

function emit(event: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ ...fields, event })}\n`);
}

function connect(config: ChildConfig): Promise<Transport> {
  return RabbitTransport.connect({
    url: config.broker,
    exchange: config.exchange,
    connectionName: `versioned-fleet:${config.role}:${config.host}:${process.pid}`,
    reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
    onError: (error) => emit('warn', { message: error instanceof Error ? error.message : String(error) }),
  });
}

async function openUpgrade(config: ChildConfig, onPins?: (change: PinsChange) => void): Promise<Upgrade> {
  return Upgrade.open({
    database: config.database,
    binaries: [VOLUME_RELEASES, API_RELEASES],
    config: { liftPolicy: { volume: 'finalize' } },
    reloadOnSighup: true,
    // The reload a SIGHUP runs says so when it is done: that line is the `sighup` event the supervisor waits for.
    logger: {
      info: (message) => emit(message.startsWith('SIGHUP') ? 'sighup' : 'info', { message }),
      warn: (message) => emit('warn', { message }),
    },
    ...upgradeTimings(config.timings),
    ...(onPins ? { onPinsChange: onPins } : {}),
  });
}

export async function runChild(config: ChildConfig): Promise<void> {
  const stopping: (() => Promise<void>)[] = [];
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    for (const step of stopping) await step().catch((error: unknown) => emit('warn', { message: `stopping: ${String(error)}` }));
    emit('stopped', { host: config.host });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  const input = createInterface({ input: process.stdin });
  input.on('close', () => void stop());

  if (config.role === 'volume') {
    const upgrade = await openUpgrade(config);
    const rows = config.rows === undefined ? undefined : new FileRows(config.rows);
    const host = new VolumeHost({
      host: config.host,
      zone: config.zone ?? 'az-1',
      connect: () => connect(config),
      upgrade,
      timings: config.timings,
      ...(rows ? { rows } : {}),
      report: (report) => emit(report.kind, { ...report, kind: undefined }),
    });
    stopping.push(
      () => host.stop(),
      () => upgrade.close(),
    );
    await host.start(releaseNamed(config.release), config.forceBelowFinalized ? { forceBelowFinalized: true } : {});
    emit('ready', { host: config.host, release: config.release, pid: process.pid });
    return;
  }

  const volumes: VolumeDirectory = new Map();
  let service: ApiService | undefined;
  const upgrade = await openUpgrade(
    config,
    (change) => service && emit('pins', { volume: service.pins().release, api: upgrade.pins('api').release, message: change.message }),
  );
  const transport = await connect(config);
  service = await ApiService.start({ host: config.host, release: config.release, transport, upgrade, timings: config.timings, volumes });
  stopping.push(
    () => (service as ApiService).stop(),
    () => transport.close(),
    () => upgrade.close(),
  );
  input.on('line', (line) => {
    const command = JSON.parse(line) as ApiCommand;
    if (command.cmd === 'run') {
      void (service as ApiService)
        .run(command.op, command.requestId)
        .then((outcome) => emit('outcome', { requestId: command.requestId, outcome }));
    } else if (command.cmd === 'volumes') {
      emit('volumes', { volumes: Object.fromEntries([...volumes].map(([host, sizes]) => [host, Object.fromEntries(sizes)])) });
    } else if (command.cmd === 'merge') {
      for (const [host, sizes] of Object.entries(command.volumes)) {
        const mine = volumes.get(host) ?? new Map<string, number>();
        volumes.set(host, mine);
        for (const [id, size] of Object.entries(sizes)) if (!mine.has(id)) mine.set(id, size);
      }
      emit('merged');
    }
  });
  emit('ready', {
    host: config.host,
    release: config.release,
    pid: process.pid,
    pins: { volume: service.pins().release, api: upgrade.pins('api').release },
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runChild(JSON.parse(process.argv[2] ?? '{}') as ChildConfig).catch((error: unknown) => {
    emit('failed', { error: error instanceof Error ? error.message : String(error) });
    process.exit(2);
  });
}
