import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  InMemoryFleet,
  exitCodeOf,
  formatSummary,
  rollingUpgrade,
  runPlan,
  summarize,
  writeTimeline,
  type InMemoryFleetOptions,
  type Recording,
  type Sample,
  type Summary,
} from './fleet/index.js';

export * from './fleet/index.js';
export { RELEASE_N, RELEASE_N1, VOLUME_RELEASES, API_RELEASES, type Release } from './releases/releases.js';

export interface DemoOptions extends InMemoryFleetOptions {
  /** Where each printed line goes (default: nowhere). */
  readonly write?: (line: string) => void;
  /** Redraw one live progress line (a terminal); otherwise a plain line per step. */
  readonly live?: ((line: string) => void) | undefined;
  /** Where the SVG timeline is written (default: versioned-demo-timeline.svg in the OS temporary directory). */
  readonly timelinePath?: string;
  /** Load run before the first step and after each (default 3 s). */
  readonly settleMs?: number;
}

export interface DemoResult {
  readonly summary: Summary;
  readonly recording: Recording;
}

/** One progress line: the step, the pins the caller sends at, operations per second, failures so far. */
function progress(step: string, sample: Sample, rate: number): string {
  const pins = Object.entries(sample.pins)
    .map(([binary, release]) => `${binary} ${release}`)
    .join(', ');
  const hosts = Object.entries(sample.hosts)
    .map(([host, release]) => `${host} ${release}`)
    .join(', ');
  return `${step} | pins ${pins} | ${rate.toFixed(0)} ops/s | failed ${sample.stats.failed} | ${hosts}`;
}

/**
 * `pnpm demo`: an API service and three volume hosts on release N, under load; the hosts are upgraded one at a
 * time, then the API service, then the pins lift (finalize, no restart). Resolves once the fleet is closed.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const { write = () => {}, live, timelinePath, settleMs, ...fleetOptions } = options;
  let step = 'fleet up: api N, volume hosts N, load running';
  let fleet: InMemoryFleet | undefined;
  fleet = await InMemoryFleet.open({
    ...fleetOptions,
    onSample: (sample) => {
      fleetOptions.onSample?.(sample);
      live?.(progress(step, sample, fleet?.recorder.rate() ?? 0));
    },
  });
  try {
    const steps = rollingUpgrade(fleet.volumeHosts);
    write(`the services table: ${fleet.database} (@versioned/upgrade on SQLite; lift policy for volume: finalize)`);
    write(
      `fleet: api-1 (release N) calling ${fleet.volumeHosts.join(', ')} (release N), ${fleet.ratePerSecond} calls and casts per second`,
    );
    write(progress(step, fleet.sampleNow(), 0));
    await runPlan(fleet, steps, settleMs ?? 3_000, (i, s) => {
      const f = fleet as InMemoryFleet;
      step = `step ${i + 1}/${steps.length}: ${s.title}`;
      write(progress(step, f.sampleNow(), f.recorder.rate()));
    });
    step = 'upgraded';
    write(progress(step, fleet.sampleNow(), fleet.recorder.rate()));
    const stats = await fleet.stopLoad();
    const recording = fleet.recorder.recording();
    const timeline = writeTimeline(timelinePath ?? join(tmpdir(), 'versioned-demo-timeline.svg'), recording);
    const seconds = (recording.samples.at(-1)?.t ?? 0) / 1000;
    const summary = summarize(
      stats,
      fleet.ledger,
      fleet.lostCasts().length,
      fleet.pinChanges.map((c) => ({ t: c.t / 1000, message: c.message })),
      seconds,
      timeline,
    );
    write('');
    for (const line of formatSummary(summary)) write(line);
    return { summary, recording };
  } finally {
    await fleet.close();
  }
}

/** The `pnpm demo` entry point: the exit code (0 when every call was answered, 1 otherwise). */
export async function main(args: readonly string[] = process.argv.slice(2)): Promise<number> {
  // --fleet memory (the default) or rabbitmq: the same fleet as OS processes (src/process-fleet).
  let argv = args;
  const fleetAt = argv.indexOf('--fleet');
  if (fleetAt >= 0) {
    const kind = argv[fleetAt + 1];
    argv = argv.filter((_, i) => i !== fleetAt && i !== fleetAt + 1);
    if (kind === 'rabbitmq') return (await import('./process-fleet/main.js')).processFleetMain(argv);
    if (kind !== 'memory') {
      console.error(`demo: --fleet expects memory or rabbitmq, got ${JSON.stringify(kind ?? '')}`);
      return 2;
    }
  }
  let timelinePath: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--') continue;
    if (argv[i] === '--timeline' && argv[i + 1] !== undefined && !argv[i + 1]?.startsWith('--')) timelinePath = argv[++i];
    else {
      console.error(
        `demo: ${argv[i] === '--timeline' ? '--timeline needs a file path' : `unknown option ${JSON.stringify(argv[i])}`}; usage: pnpm demo [-- [--fleet memory|rabbitmq] --timeline FILE.svg]`,
      );
      return 2;
    }
  }
  // Ctrl-C: exit (the fleet's temporary directory is removed on exit) with the conventional code.
  const interrupted = () => {
    console.error('\ndemo interrupted');
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  const tty = process.stdout.isTTY === true;
  let drawn = false;
  const live = tty
    ? (line: string) => {
        const width = process.stdout.columns ?? 120;
        process.stdout.write(`\r\x1b[2K${line.slice(0, width - 1)}`);
        drawn = true;
      }
    : undefined;
  const write = (line: string) => {
    if (drawn) process.stdout.write('\r\x1b[2K');
    drawn = false;
    console.log(line);
  };
  try {
    const { summary } = await runDemo({ write, live, ...(timelinePath ? { timelinePath } : {}) });
    const code = exitCodeOf(summary);
    if (code !== 0) console.error('\ndemo failed: some calls failed, ran twice, were lost or could not be decoded (see the table)');
    return code;
  } catch (err) {
    console.error('\ndemo failed:', err instanceof Error ? err.message : err);
    return 1;
  } finally {
    process.off('SIGINT', interrupted);
  }
}
