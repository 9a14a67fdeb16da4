import type { Cluster } from '../cluster.js';
import type { Narrator } from '../narrator.js';
import type { Volume } from '../releases/release-n1.js';

/** What the steps share: the log, the cluster, and what earlier steps made. */
export interface DemoContext {
  readonly log: Narrator;
  /** Host A (release N until it is upgraded), host B (release N+1), the services table, host B's client. */
  readonly cluster: Cluster;
  /** The volume host B built. */
  volume?: Volume;
}

/** One narrated step of the demo. A step throws when what it shows does not happen: the demo then fails. */
export interface Step {
  readonly title: string;
  run(ctx: DemoContext): void | Promise<void>;
}
