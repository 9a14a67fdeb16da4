import { Narrator } from './narrator.js';
import * as releaseN from './releases/release-n.js';
import * as releaseN1 from './releases/release-n1.js';
import { Service } from './service.js';
import { STEPS, type DemoContext, type Step } from './steps.js';

export { Narrator } from './narrator.js';
export { Service } from './service.js';
export { STEPS, type DemoContext, type Step } from './steps.js';

/** Run the steps in order against a fresh pair of services; resolves with the narration. */
export async function runDemo(write: (line: string) => void = () => {}, steps: readonly Step[] = STEPS): Promise<Narrator> {
  const log = new Narrator(write);
  const ctx: DemoContext = {
    log,
    hostA: new Service('volume@host-a', 'N', releaseN.registry),
    hostB: new Service('volume@host-b', 'N+1', releaseN1.registry),
    pin: 'N',
  };
  for (const step of steps) {
    log.step(step.title);
    await step.run(ctx);
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
