import { Bench } from 'tinybench';

export interface TimingOptions {
  /** Time budget per task, ms. */
  readonly timeMs: number;
  readonly warmupMs: number;
  /** Calls per sample: one call is a few µs, too close to the clock's own cost (a syscall) to time alone. */
  readonly batch: number;
  /** Minimum samples per task. */
  readonly iterations: number;
}

export interface Timing {
  readonly opsPerSecond: number;
  /** Relative margin of error of the per-call latency, percent. */
  readonly rme: number;
  readonly samples: number;
}

/**
 * CPU time of this process, ms. On a shared machine wall time also counts the neighbours' turns; CPU time
 * does not, and for single-threaded work on an idle machine the two agree. (V8's helper threads count too.)
 */
export function cpuNow(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** Where results go so that V8 cannot drop a call whose value is unused. */
export let sink: unknown;

/** Time each task with tinybench, sequentially, in this process. */
export async function measure(tasks: ReadonlyMap<string, () => unknown>, options: TimingOptions): Promise<Map<string, Timing>> {
  const bench = new Bench({
    time: options.timeMs,
    iterations: options.iterations,
    warmup: options.warmupMs > 0,
    warmupTime: options.warmupMs,
    warmupIterations: options.iterations,
    throws: true,
    now: cpuNow,
  });
  const batch = options.batch;
  for (const [name, fn] of tasks) {
    bench.add(name, () => {
      const start = bench.now();
      for (let i = 0; i < batch; i++) sink = fn();
      const elapsed = bench.now() - start;
      return { overriddenDuration: elapsed / batch, overriddenIterationCost: elapsed };
    });
  }
  await bench.run();
  const out = new Map<string, Timing>();
  for (const task of bench.tasks) {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`benchmark task ${task.name} did not complete (${result.state})`);
    out.set(task.name, { opsPerSecond: 1000 / result.latency.mean, rme: result.latency.rme, samples: result.latency.samplesCount });
  }
  return out;
}
