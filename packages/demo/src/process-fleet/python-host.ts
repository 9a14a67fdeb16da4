import { fileURLToPath } from 'node:url';
import { FleetChild } from './child.js';

/** The Debian interpreter that has oslo.messaging, oslo.versionedobjects and psycopg2 (scripts/provision.sh). */
export const PYTHON = process.env['VERSIONED_PYTHON'] ?? '/usr/bin/python3';
/** packages/demo/python, beside the compiled dist/ (shipped as source). */
export const PYTHON_DIR = fileURLToPath(new URL('../../../python/', import.meta.url));

export interface PythonHostOptions {
  readonly host: string;
  /** The broker, in oslo's form (`rabbit://user:password@host:port/`); an `amqp://` URL is converted. */
  readonly brokerUrl: string;
  readonly exchange: string;
  readonly topic: string;
  /** postgresql://... with the services table already created. */
  readonly database: string;
  readonly reportIntervalMs: number;
  /** Down time + late grace of the fleet: a heartbeat older than this means the row was dead. */
  readonly deadAfterMs: number;
  /** How long it serves after its row says stopped (SIGTERM). */
  readonly drainMs?: number;
  /** Start although the fleet was finalized at a newer release (a release-N host coming back). */
  readonly forceBelowFinalized?: boolean;
  /** A JSON file holding its volume rows across restarts (the TypeScript hosts read and write the same). */
  readonly rows?: string;
}

/** oslo.messaging names the RabbitMQ driver `rabbit://`. */
export function osloTransportUrl(url: string): string {
  return url.replace(/^amqps?:\/\//, 'rabbit://');
}

/** Start packages/demo/python/volume_host.py: a release-N volume host in Python (oslo.messaging, oslo.versionedobjects). */
export function startPythonHost(options: PythonHostOptions): FleetChild {
  const args = [
    'volume_host.py',
    '--host',
    options.host,
    '--transport-url',
    osloTransportUrl(options.brokerUrl),
    '--exchange',
    options.exchange,
    '--topic',
    options.topic,
    '--database',
    options.database,
    '--report-interval-ms',
    String(options.reportIntervalMs),
    '--dead-after-ms',
    String(options.deadAfterMs),
    '--drain-ms',
    String(options.drainMs ?? 500),
    ...(options.rows ? ['--rows', options.rows] : []),
    ...(options.forceBelowFinalized ? ['--force-below-finalized'] : []),
  ];
  return FleetChild.start(`${options.host} (Python, release N)`, PYTHON, args, {
    cwd: PYTHON_DIR,
    env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
  });
}
