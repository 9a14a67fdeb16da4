import type { ObjectRegistry } from '@versioned/objects';
import { Releases } from '@versioned/upgrade';
import type { HostEnvironment } from './host-environment.js';
import { OBJECT_VERSIONS } from './object-versions.js';
import * as releaseN from './release-n.js';
import * as releaseN1 from './release-n1.js';
import { VolumeManagerN } from './volume-manager-n.js';
import { VolumeManager } from './volume-manager-n1.js';
import { volumeApi } from './volume-api.js';

/** Release name -> the volume API version it ships, from the API's history. */
const VOLUME_API_AT = volumeApi.aliases();

/**
 * The releases of the volume binary, oldest first, as data (`@versioned/upgrade`): the RPC version each
 * serves and the key of its object manifest. The pins, the release names in configuration and the checks
 * of releases.test.ts all come from this one list.
 */
export const VOLUME_RELEASES = new Releases(
  'volume',
  [
    { name: 'N', rpc: { volume: VOLUME_API_AT['N'] as string }, objects: 'N' },
    { name: 'N+1', rpc: { volume: VOLUME_API_AT['N+1'] as string }, objects: 'N+1' },
  ],
  { objects: OBJECT_VERSIONS },
);

/**
 * The releases of the API service, the volume service's caller: it serves no RPC API of its own here, so its
 * `api` version only orders its releases; it registers its row like any service, so the table and the demo's
 * timeline show which release it runs.
 */
export const API_RELEASES = new Releases(
  'api',
  [
    { name: 'N', rpc: { api: '1.0' }, objects: 'N' },
    { name: 'N+1', rpc: { api: '1.1' }, objects: 'N+1' },
  ],
  { objects: OBJECT_VERSIONS },
);

/** What a volume service of one release runs: its declared versions, the objects it reads, its manager. */
export interface Release {
  readonly name: string;
  /** The volume API version it serves (from VOLUME_RELEASES). */
  readonly rpcVersion: string;
  /** The key of its object manifest in OBJECT_VERSIONS (from VOLUME_RELEASES). */
  readonly objectsVersion: string;
  readonly registry: ObjectRegistry;
  /** The endpoints its volume service serves. */
  makeEndpoints(env: HostEnvironment): object[];
}

function release(name: string, registry: ObjectRegistry, makeEndpoints: (env: HostEnvironment) => object[]): Release {
  const declared = VOLUME_RELEASES.get(name);
  return { name, rpcVersion: declared.rpc.volume as string, objectsVersion: declared.objects, registry, makeEndpoints };
}

export const RELEASE_N = release('N', releaseN.registry, (env) => new VolumeManagerN(env).endpoints());
export const RELEASE_N1 = release('N+1', releaseN1.registry, (env) => new VolumeManager(env).endpoints());
