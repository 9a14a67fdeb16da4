import { ManifestHistory } from '@versioned/objects';

/**
 * The object versions of each release (Cinder's OBJ_VERSIONS): a sender pinned to a release backports
 * every object, children included, to that release's manifest.
 */
export const OBJECT_VERSIONS = new ManifestHistory()
  .add('N', { Volume: '1.0', VolumeAttachment: '1.0' })
  .add('N+1', { Volume: '1.1', VolumeAttachment: '1.1' });
