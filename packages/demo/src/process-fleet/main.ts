import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RabbitTransport } from '@versioned/rpc';
import { exitCodeOf, formatSummary, rollingUpgrade, runPlan, summarize, writeTimeline, type Summary } from '../fleet/index.js';
import { createDatabase } from './database.js';
import { PYTHON } from './python-host.js';
import { ProcessFleet, type ProcessFleetOptions } from './supervisor.js';

export const DEFAULT_BROKER_URL = 'rabbit://guest:guest@127.0.0.1:5672/';
export const DEFAULT_POSTGRES_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

/** A service the process fleet needs is missing: what, where, and the error. The CLI prints it and exits 2. */
export class FleetSetupError extends Error {
  constructor(
    readonly service: 'rabbitmq' | 'postgresql' | 'python',
    message: string,
  ) {
    super(message);
    this.name = 'FleetSetupError';
  }
}

const redact = (url: string): string => url.replace(/^([a-z]+:\/\/[^:/@]*:)[^@]*@/i, '$1***@');

/** Fail before starting any process when RabbitMQ, PostgreSQL or the Python host's packages are missing. */
export async function checkServices(options: Pick<ProcessFleetOptions, 'brokerUrl' | 'postgresUrl'>): Promise<void> {
  try {
    const transport = await RabbitTransport.connect({
      url: options.brokerUrl,
      reconnect: { attemptTimeoutMs: 5000 },
      onError: () => undefined,
    });
    await transport.close();
  } catch (error) {
    throw new FleetSetupError(
      'rabbitmq',
      `cannot reach RabbitMQ at ${redact(options.brokerUrl)}: ${(error as Error).message} (start it, or pass --broker URL)`,
    );
  }
  try {
    const probe = await createDatabase(options.postgresUrl, 'versioned_fleet_probe');
    await probe.drop();
  } catch (error) {
    throw new FleetSetupError(
      'postgresql',
      `cannot create a database on PostgreSQL at ${redact(options.postgresUrl)}: ${(error as Error).message} (start it, or pass --postgres URL)`,
    );
  }
  try {
    await promisify(execFile)(PYTHON, ['-c', 'import oslo_messaging, oslo_versionedobjects, psycopg2'], { timeout: 30_000 });
  } catch (error) {
    const detail = ((error as { stderr?: string }).stderr ?? (error as Error).message).trim().split('\n').at(-1);
    throw new FleetSetupError(
      'python',
      `the Python host needs ${PYTHON} with oslo.messaging, oslo.versionedobjects and psycopg2 (scripts/provision.sh installs them): ${detail}`,
    );
  }
}

export interface ProcessDemoOptions extends ProcessFleetOptions {
  readonly write?: (line: string) => void;
  readonly timelinePath?: string;
  readonly settleMs?: number;
}

/** `pnpm demo -- --fleet rabbitmq`: the rolling upgrade of the process fleet under load; resolves once every process stopped. */
export async function runProcessDemo(options: ProcessDemoOptions): Promise<Summary> {
  const write = options.write ?? (() => {});
  await checkServices(options);
  const fleet = await ProcessFleet.open(options);
  // Ctrl-C: the children get it too and stop; the run's database is dropped before exiting.
  const interrupted = (): void => {
    write('interrupted: stopping the fleet');
    void fleet.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  try {
    write(
      `the services table: PostgreSQL database ${fleet.database.name} (created for this run, dropped after); broker ${redact(options.brokerUrl)}, exchange ${fleet.exchange}`,
    );
    write(`fleet: ${fleet.api.child.name} calling ${[...fleet.members.values()].map((m) => m.child.name).join(', ')}, each an OS process`);
    const steps = rollingUpgrade(fleet.volumeHosts);
    await runPlan(fleet, steps, options.settleMs ?? 2_000, (i, step) => {
      const { stats } = fleet.sampleNow();
      write(
        `step ${i + 1}/${steps.length}: ${step.title} | pins volume ${fleet.api.pins.volume} | ${fleet.recorder.rate().toFixed(0)} ops/s | made ${stats.made}, failed ${stats.failed}`,
      );
    });
    const stats = await fleet.stopLoad();
    const recording = fleet.recorder.recording();
    const timeline = writeTimeline(options.timelinePath ?? join(tmpdir(), 'versioned-fleet-timeline.svg'), recording);
    const summary = summarize(
      stats,
      fleet.ledger,
      fleet.lostCasts().length,
      fleet.pinChanges,
      (recording.samples.at(-1)?.t ?? 0) / 1000,
      timeline,
    );
    write('');
    for (const line of formatSummary(summary)) write(line);
    return summary;
  } finally {
    process.off('SIGINT', interrupted);
    await fleet.close();
  }
}

const USAGE = 'usage: pnpm demo -- --fleet rabbitmq [--broker rabbit://...] [--postgres postgresql://...] [--timeline FILE.svg]';

/** The CLI of the process fleet: exit 0 when every call was answered, 1 otherwise, 2 for a bad option or a missing service. */
export async function processFleetMain(argv: readonly string[]): Promise<number> {
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i] as string;
    if (name === '--') continue;
    const value = argv[i + 1];
    if (!['--broker', '--postgres', '--timeline'].includes(name) || value === undefined || value.startsWith('--')) {
      console.error(
        `demo: ${name.startsWith('--') && value === undefined ? `${name} needs a value` : `unknown option ${JSON.stringify(name)}`}; ${USAGE}`,
      );
      return 2;
    }
    values[name] = value;
    i += 1;
  }
  const brokerUrl = values['--broker'] ?? process.env['VERSIONED_BROKER_URL'] ?? DEFAULT_BROKER_URL;
  const postgresUrl = values['--postgres'] ?? process.env['VERSIONED_POSTGRES_URL'] ?? DEFAULT_POSTGRES_URL;
  const timelinePath = values['--timeline'];
  try {
    const summary = await runProcessDemo({
      brokerUrl,
      postgresUrl,
      write: (line) => console.log(line),
      ...(timelinePath ? { timelinePath } : {}),
    });
    const code = exitCodeOf(summary);
    if (code !== 0) console.error('\ndemo failed: some calls failed, ran twice, were lost or could not be decoded (see the table)');
    return code;
  } catch (error) {
    if (error instanceof FleetSetupError) {
      console.error(`demo: ${error.message}`);
      return 2;
    }
    console.error('\ndemo failed:', error instanceof Error ? error.message : error);
    return 1;
  }
}
