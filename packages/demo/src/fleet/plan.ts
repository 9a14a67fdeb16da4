import { setTimeout as sleep } from 'node:timers/promises';
import type { Recorder } from './recorder.js';

/** What an upgrade plan does to a fleet, whatever runs it (one process, or OS processes over RabbitMQ). */
export interface FleetControl {
  /** The volume hosts, in upgrade order. */
  readonly volumeHosts: readonly string[];
  readonly recorder: Recorder;
  /** Graceful stop of the host's release, then a start on `release`. */
  restartHost(host: string, release: string): Promise<void>;
  /** Start an API service on `release`, move the load to it, stop the old one once its operations are done. */
  replaceApi(release: string): Promise<void>;
  /** The operator finalizes the volume binary at its newest release; every process's pins lift at its next read of the table. */
  finalize(): Promise<void>;
  /** `reload()` in every process (what SIGHUP does). */
  reloadAll(): Promise<void>;
}

export interface Step {
  readonly title: string;
  run(fleet: FleetControl): Promise<void>;
}

/** The rolling upgrade: each volume host in turn, then the API service, then the pins lift (no restart). */
export function rollingUpgrade(hosts: readonly string[]): Step[] {
  return [
    ...hosts.map((host): Step => ({ title: `upgrade ${host}: stop N, start N+1`, run: (fleet) => fleet.restartHost(host, 'N+1') })),
    { title: 'upgrade the API service: start N+1, move the load, stop N', run: (fleet) => fleet.replaceApi('N+1') },
    {
      title: 'finalize volume: the pins lift, no restart',
      run: async (fleet) => {
        await fleet.finalize();
        await fleet.reloadAll();
      },
    },
  ];
}

/** Run the steps in order, each recorded as an event, with `settleMs` of load before the first and after each. */
export async function runPlan(
  fleet: FleetControl,
  steps: readonly Step[],
  settleMs: number,
  onStep?: (index: number, step: Step) => void,
): Promise<void> {
  await sleep(settleMs);
  for (const [i, step] of steps.entries()) {
    onStep?.(i, step);
    fleet.recorder.event('step', step.title);
    await step.run(fleet);
    await sleep(settleMs);
  }
}
