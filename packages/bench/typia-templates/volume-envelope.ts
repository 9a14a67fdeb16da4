// Input of `typia generate` (run `pnpm --filter @versioned/bench typia:generate`): typia reads these types at
// compile time and writes the validator into ../src/peers/typia-generated/. Not compiled by `tsc -b` itself.
import typia, { type tags } from 'typia';

type Uuid = string & tags.Format<'uuid'>;
type DateTime = string & tags.Format<'date-time'>;

export interface AttachmentEnvelope {
  'versioned_object.name': 'Attachment';
  'versioned_object.namespace': 'versionedobjects';
  'versioned_object.version': '1.0';
  'versioned_object.changes'?: string[];
  'versioned_object.data': {
    id: Uuid;
    instance_uuid: Uuid;
    mountpoint: string;
    attached_at: DateTime;
  };
}

export interface VolumeEnvelope {
  'versioned_object.name': 'Volume';
  'versioned_object.namespace': 'versionedobjects';
  'versioned_object.version': '1.1';
  'versioned_object.changes'?: string[];
  'versioned_object.data': {
    id: Uuid;
    name: string;
    description: string | null;
    size: number & tags.Type<'int64'>;
    status: 'creating' | 'available' | 'in-use' | 'deleting' | 'error';
    bootable: boolean;
    created_at: DateTime;
    metadata: Record<string, string>;
    tags: string[];
    attachments: AttachmentEnvelope[];
  };
}

export const assertVolumeEnvelope = typia.createAssert<VolumeEnvelope>();
