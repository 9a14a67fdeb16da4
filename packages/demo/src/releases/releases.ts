import type { ObjectRegistry } from '@versioned/objects';
import type { ReleaseVersions } from '../service-records.js';
import type { HostEnvironment } from './host-environment.js';
import * as releaseN from './release-n.js';
import * as releaseN1 from './release-n1.js';
import { VolumeManagerN } from './volume-manager-n.js';
import { VolumeManager } from './volume-manager-n1.js';

/** What a volume service of one release runs: the API version it serves, the objects it reads, its manager. */
export interface Release extends ReleaseVersions {
  readonly registry: ObjectRegistry;
  makeManager(env: HostEnvironment): object;
}

export const RELEASE_N: Release = {
  name: 'N',
  rpcVersion: '1.0',
  objectsVersion: 'N',
  registry: releaseN.registry,
  makeManager: (env) => new VolumeManagerN(env),
};

export const RELEASE_N1: Release = {
  name: 'N+1',
  rpcVersion: '1.1',
  objectsVersion: 'N+1',
  registry: releaseN1.registry,
  makeManager: (env) => new VolumeManager(env),
};
