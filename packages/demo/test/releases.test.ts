import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemoryTransport, ObjectsRpcSerializer, RpcServer, isRpcError, type RpcMessage, type Transport } from '@versioned/rpc';
import { OBJECT_VERSIONS } from '../src/releases/object-versions.js';
import * as releaseN from '../src/releases/release-n.js';
import * as releaseN1 from '../src/releases/release-n1.js';
import { assertNewestRelease } from '@versioned/upgrade';
import { RELEASE_N, RELEASE_N1, VOLUME_RELEASES } from '../src/releases/releases.js';
import { VOLUME_TOPIC, VolumeAPI, volumeApi } from '../src/releases/volume-api.js';
import { volumeApiN } from '../src/releases/volume-manager-n.js';
import type { VolumeRow } from '../src/releases/host-environment.js';

const env = { host: 'host-x', zone: 'az-1', rows: new Map<string, VolumeRow>(), say: () => {} };
const VOLUME_ID = '7c4d3b2a-1e0f-4a9b-8c7d-6e5f4a3b2c1d';

const served = (release: typeof RELEASE_N): string => (release.makeEndpoints(env)[0] as { target: { version: string } }).target.version;

test("each release's RPC version is what its manager serves", () => {
  assert.equal(served(RELEASE_N), RELEASE_N.rpcVersion);
  assert.equal(served(RELEASE_N1), RELEASE_N1.rpcVersion);
});

test("the releases' RPC versions are the volume API's release aliases, derived from its history", () => {
  assert.deepEqual(volumeApi.aliases(), VOLUME_RELEASES.aliases('volume'));
  assert.equal(volumeApiN.version, RELEASE_N.rpcVersion);
});

test('the newest declared release is what the code serves and registers (assertNewestRelease)', () => {
  assert.doesNotThrow(() => assertNewestRelease(VOLUME_RELEASES, { rpc: { volume: served(RELEASE_N1) }, registry: releaseN1.registry }));
  assert.deepEqual(VOLUME_RELEASES.aliases(), { N: '1.0', 'N+1': '1.1' });
  assert.throws(
    () => assertNewestRelease(VOLUME_RELEASES, { rpc: { volume: served(RELEASE_N) } }),
    /release N\+1 declares volume 1\.1 but the code serves 1\.0/,
  );
});

test("each release's object versions are what its registry registers (Cinder's OBJ_VERSIONS test)", () => {
  assert.doesNotThrow(() => OBJECT_VERSIONS.check(releaseN1.registry));
  for (const meta of releaseN.registry.newestClasses())
    assert.equal(OBJECT_VERSIONS.get(RELEASE_N.objectsVersion)[meta.name], meta.version);
});

/** A VolumeAPI capped at release N's version, calling a release N host, with what reached the transport. */
async function cappedAtReleaseN(): Promise<{ api: VolumeAPI; sent: RpcMessage[]; close(): Promise<void> }> {
  const memory = new InMemoryTransport();
  const sent: RpcMessage[] = [];
  const wire: Transport = {
    call: (target, message, options) => (sent.push(message), memory.call(target, message, options)),
    cast: (target, message) => memory.cast(target, message),
    listen: (target, handler) => memory.listen(target, handler),
    close: () => memory.close(),
  };
  const server = new RpcServer({
    transport: memory,
    target: { topic: VOLUME_TOPIC, server: 'host-x' },
    endpoints: RELEASE_N.makeEndpoints(env),
    serializer: new ObjectsRpcSerializer({ registry: releaseN.registry }),
  });
  await server.start();
  const api = new VolumeAPI({ transport: wire, versionCap: () => RELEASE_N.rpcVersion, manifest: () => OBJECT_VERSIONS.get('N') });
  return { api, sent, close: () => memory.close() };
}

test('capped at release N, createVolume degrades to 1.0 without its zone, and a release N host accepts it', async () => {
  const { api, sent, close } = await cappedAtReleaseN();
  const volume = releaseN1.Volume.create({
    id: VOLUME_ID,
    name: 'v',
    size: 1,
    status: 'available',
    created_at: new Date(0),
    attachments: [],
  });
  const reply = await api.createVolume({}, 'host-x', volume, 'az-2');
  assert.equal(reply.objVersion, '1.0');
  assert.deepEqual(
    sent.map((m) => [m.method, m.version, Object.keys(m.args)]),
    [['create_volume', '1.0', ['volume']]],
  );
  await close();
});

test('capped at release N, extendVolume is refused with version_cap and nothing is sent', async () => {
  const { api, sent, close } = await cappedAtReleaseN();
  await assert.rejects(api.extendVolume({}, 'host-x', VOLUME_ID, 2), (err) => isRpcError(err, 'version_cap'));
  assert.equal(sent.length, 0);
  await close();
});
