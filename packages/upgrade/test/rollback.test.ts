import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InMemoryBroker, InMemoryTransport, ObjectsRpcSerializer, RpcClient, RpcServer } from '@versioned/rpc';
import type { PinsChange, RunningService, Upgrade } from '../src/index.js';
import { managerN, managerN1, registryN, registryN1, VOLUME_RELEASES, VolumeN1 } from './fixtures/volume-releases.js';
import { DIALECTS, openUpgrade, sleep, withDatabase } from './helpers.js';

/** A volume host: one release at a time, serving on the in-memory broker, its row in the services table. */
class Host {
  server: RpcServer | undefined;
  service: RunningService | undefined;
  constructor(
    readonly name: string,
    private readonly broker: InMemoryBroker,
    private readonly upgrade: Upgrade,
    private readonly received: (release: string, version: string) => void,
  ) {}

  async start(release: 'N' | 'N+1'): Promise<void> {
    this.service = await this.upgrade.register('volume', this.name, { release });
    this.server = new RpcServer({
      transport: new InMemoryTransport({ broker: this.broker }),
      target: { topic: 'volume', server: this.name },
      endpoints: [release === 'N' ? managerN(this.received) : managerN1(this.received)],
      serializer: new ObjectsRpcSerializer({ registry: release === 'N' ? registryN : registryN1 }),
    });
    await this.server.start();
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    await this.service?.stop();
  }
}

for (const dialect of DIALECTS) {
  test(`${dialect}: before finalization a host rolls forward to N+1 and back to N under load: the pins stay at N and no call fails`, async () => {
    await withDatabase(dialect, async (url) => {
      const changes: PinsChange[] = [];
      const { upgrade } = await openUpgrade(url, {
        binaries: [VOLUME_RELEASES],
        config: { liftPolicy: { volume: 'finalize' } },
        onPinsChange: (c) => changes.push(c),
      });
      const broker = new InMemoryBroker();
      const received: string[] = [];
      const hosts = ['host-a', 'host-b'].map(
        (name) => new Host(name, broker, upgrade, (release, version) => received.push(`${release}:${version}`)),
      );
      // The caller runs N+1 code: it would send 1.1 calls and Volume 1.1 objects if its pins let it.
      const transport = new InMemoryTransport({ broker });
      const client = new RpcClient({
        transport,
        target: { topic: 'volume', version: '1.0' },
        versionCap: upgrade.versionCap('volume'),
        serializer: new ObjectsRpcSerializer({ registry: registryN1, manifest: upgrade.manifest('volume'), onDataLoss: 'refuse' }),
        timeoutMs: 5_000,
      });
      const up = new Set<Host>();
      let calls = 0;
      const failures: unknown[] = [];
      let running = true;
      const caller = async (worker: number) => {
        while (running) {
          const target = [...up][(calls + worker) % Math.max(1, up.size)];
          if (!target) {
            await sleep(1);
            continue;
          }
          const volume = new VolumeN1({ id: `v${calls}`, name: 'data' });
          try {
            const reply = client.canSendVersion('1.1')
              ? await client.prepare({ server: target.name, version: '1.1' }).call({}, 'tag_volume', { volume, tag: 'gold' })
              : await client.prepare({ server: target.name }).call({}, 'echo_volume', { volume });
            assert.equal((reply as VolumeN1).id, volume.id);
            calls += 1;
          } catch (error) {
            failures.push(error);
          }
        }
      };
      try {
        for (const host of hosts) {
          await host.start('N');
          up.add(host);
        }
        const workers = [0, 1, 2, 3].map(caller);
        const restart = async (host: Host, release: 'N' | 'N+1') => {
          up.delete(host); // drained: no new calls while it restarts
          await sleep(20);
          await host.stop();
          await host.start(release);
          up.add(host);
          await sleep(50);
        };
        const [a, b] = hosts as [Host, Host];
        await restart(b, 'N+1'); // canary
        await restart(b, 'N'); // rolled back
        await restart(b, 'N+1');
        await restart(a, 'N+1'); // every host on N+1, not finalized
        assert.equal(upgrade.pins('volume').release, 'N');
        await restart(a, 'N'); // a late rollback, still safe
        running = false;
        await Promise.all(workers);
        assert.deepEqual(failures, []);
        assert.ok(calls > 50, `only ${calls} calls`);
        assert.deepEqual(changes, [], 'the pins never moved');
        assert.deepEqual(new Set(received), new Set(['N:1.0', 'N+1:1.0']), 'every host only ever received Volume 1.0');
      } finally {
        running = false;
        for (const host of hosts) await host.stop();
        await transport.close();
        await upgrade.close();
      }
    });
  });
}
