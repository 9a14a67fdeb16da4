import { Cluster } from './cluster.js';
import { Narrator } from './narrator.js';
import { STEPS, type DemoContext, type Step } from './steps.js';

export { Narrator } from './narrator.js';
export { Cluster, VolumeHost } from './cluster.js';
export { RELEASE_N, RELEASE_N1, VOLUME_RELEASES, type Release } from './releases/releases.js';
export { STEPS, type DemoContext, type Step } from './steps.js';

/** Run the steps in order against a fresh cluster (host A on release N, host B on N+1); resolves with the narration. */
export async function runDemo(write: (line: string) => void = () => {}, steps: readonly Step[] = STEPS): Promise<Narrator> {
  const log = new Narrator(write);
  const cluster = await Cluster.start(log);
  const ctx: DemoContext = { log, cluster };
  try {
    for (const step of steps) {
      log.step(step.title);
      await step.run(ctx);
    }
  } finally {
    await cluster.close();
  }
  return log;
}

/** The `pnpm demo` entry point: the exit code (0 when every step showed what it claims). */
export async function main(): Promise<number> {
  try {
    await runDemo((line) => console.log(line));
    return 0;
  } catch (err) {
    console.error('\ndemo failed:', err);
    return 1;
  }
}
