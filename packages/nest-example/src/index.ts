export { Attachment, Volume, VolumesController, VolumesModule, VersionedErrorFilter, registry } from './volumes.js';
