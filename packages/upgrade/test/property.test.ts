import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { RunningService, Upgrade } from '../src/index.js';
import { DIALECTS, ManualClock, VOLUME, openUpgrade, withDatabase } from './helpers.js';

const HOSTS = 100;
const RULE = { downTimeMs: 60_000, lateGraceMs: 30_000, reportIntervalMs: 1e9 } as const;
const CONNECTIONS = 4;

type Op = 'start' | 'stop' | 'crash' | 'silent';
interface Action {
  readonly host: number;
  readonly op: Op;
  readonly release: number;
}
interface Step {
  readonly advanceMs: number;
  readonly actions: readonly Action[];
}

/** What the table should say about a host: the model the property compares the pins against. */
interface ModelHost {
  release: number;
  lastBeat: number;
  stopped: boolean;
  /** Beating (not crashed, not stopped). */
  running: boolean;
}

const stepArb: fc.Arbitrary<Step> = fc.record({
  advanceMs: fc.integer({ min: 0, max: 45_000 }),
  actions: fc.array(
    fc.record({
      host: fc.integer({ min: 0, max: HOSTS - 1 }),
      op: fc.constantFrom<Op>('start', 'stop', 'crash', 'silent'),
      release: fc.integer({ min: 0, max: 2 }),
    }),
    { maxLength: 25 },
  ),
});

function expectedRelease(model: readonly ModelHost[], now: number): string {
  const counting = model.filter((h) => !h.stopped && now - h.lastBeat < RULE.downTimeMs + RULE.lateGraceMs);
  const lowest = counting.length === 0 ? 0 : Math.min(...counting.map((h) => h.release));
  return VOLUME.list[lowest]?.name as string;
}

function expectedState(host: ModelHost, now: number): string {
  if (host.stopped) return 'stopped';
  const age = now - host.lastBeat;
  return age < RULE.downTimeMs ? 'live' : age < RULE.downTimeMs + RULE.lateGraceMs ? 'late' : 'dead';
}

async function runScenario(url: string, initial: readonly number[], steps: readonly Step[]): Promise<void> {
  const clock = new ManualClock();
  const opened = await Promise.all(
    Array.from({ length: CONNECTIONS + 1 }, () => openUpgrade(url, { clock: clock.read, ...RULE, refreshIntervalMs: 600_000 })),
  );
  const upgrades: Upgrade[] = opened.map((o) => o.upgrade);
  const observer = upgrades[CONNECTIONS] as Upgrade;
  const via = (host: number) => upgrades[host % CONNECTIONS] as Upgrade;
  const services = new Map<number, RunningService>();
  const model: ModelHost[] = [];
  try {
    await Promise.all(
      initial.map(async (release, host) => {
        services.set(host, await via(host).register('volume', `host-${host}`, { release: VOLUME.list[release]?.name as string }));
        model[host] = { release, lastBeat: clock.now, stopped: false, running: true };
      }),
    );
    for (const [index, step] of steps.entries()) {
      clock.advance(step.advanceMs);
      const last = new Map(step.actions.map((action) => [action.host, action]));
      await Promise.all(
        [...model.keys()].map(async (host) => {
          const action = last.get(host);
          const state = model[host] as ModelHost;
          const service = services.get(host);
          if (action?.op === 'start') {
            service?.abandon(); // a restart on another release: the old process is gone
            services.set(
              host,
              await via(host).register('volume', `host-${host}`, { release: VOLUME.list[action.release]?.name as string }),
            );
            Object.assign(state, { release: action.release, lastBeat: clock.now, stopped: false, running: true });
          } else if (action?.op === 'stop' && state.running) {
            await service?.stop();
            Object.assign(state, { stopped: true, running: false });
          } else if (action?.op === 'crash') {
            service?.abandon();
            state.running = false;
          } else if (action?.op !== 'silent' && state.running) {
            await service?.heartbeat();
            state.lastBeat = clock.now;
          }
        }),
      );
      await observer.reload();
      const pins = observer.pins('volume');
      const expected = expectedRelease(model, clock.now);
      assert.equal(pins.release, expected, `step ${index}: pins ${pins.release} (${pins.reason}), expected ${expected}`);
      const release = VOLUME.get(expected);
      assert.deepEqual([pins.rpc, pins.manifest], [release.rpc, release.manifest]);
      const views = new Map((await observer.services('volume')).map((view) => [view.host, view]));
      for (const [host, state] of model.entries()) {
        const view = views.get(`host-${host}`);
        assert.deepEqual(
          [view?.release, view?.state],
          [VOLUME.list[state.release]?.name, expectedState(state, clock.now)],
          `step ${index}: host-${host}`,
        );
      }
    }
  } finally {
    for (const service of services.values()) service.abandon();
    await Promise.all(upgrades.map((upgrade) => upgrade.close()));
  }
}

for (const dialect of DIALECTS) {
  test(`${dialect}: with 100 services registering and beating concurrently, stopping, crashing and coming back, the pins are always those of the oldest live release`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: HOSTS, maxLength: HOSTS }),
        fc.array(stepArb, { minLength: 4, maxLength: 12 }),
        (initial, steps) => withDatabase(dialect, (url) => runScenario(url, initial, steps)),
      ),
      { numRuns: 5 },
    );
  });
}
