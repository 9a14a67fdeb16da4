// The classes of the side-by-side decorator test in standard (TC39) decorator mode: `accessor name: T`.
// test/fixtures/twins.ts declares the same classes with legacy decorators (`declare name: T`); the two
// must give the same metadata and the same envelopes (test/standard/decorator-modes.test.ts).
import { ObjectRegistry, ObjectList, VersionedObject, extraField, f, field, remotable, versionedObject } from '../../src/index.js';

export const standardRegistry = new ObjectRegistry();

@versionedObject({
  name: 'TwinAttachment',
  version: '1.1',
  registry: standardRegistry,
  history: [
    { version: '1.0', note: 'v1.0' },
    { version: '1.1', note: 'v1.1', added: ['attached_at'] },
  ],
})
export class TwinAttachment extends VersionedObject {
  @field(f.uuid()) accessor id!: string;
  @field(f.string()) accessor mountpoint!: string;
  @field(f.dateTime(), { nullable: true }) accessor attached_at!: Date | null;
}

@versionedObject({
  name: 'TwinVolume',
  version: '1.2',
  registry: standardRegistry,
  history: [
    { version: '1.0', note: 'v1.0', children: { attachments: '1.0' } },
    { version: '1.1', note: 'v1.1', added: ['tags'] },
    { version: '1.2', note: 'v1.2', added: ['bootable'], children: { attachments: '1.1' } },
  ],
})
export class TwinVolume extends VersionedObject {
  @field(f.uuid()) accessor id!: string;
  @field(f.string()) accessor name!: string;
  @field(f.string(), { nullable: true }) accessor description!: string | null;
  @field(f.integer()) accessor size!: number;
  @field(f.enum(['available', 'in-use', 'error'] as const), { default: 'available' }) accessor status!: 'available' | 'in-use' | 'error';
  @field(f.dict(f.string()), { default: {} }) accessor metadata!: Record<string, string>;
  @field(f.set(f.string())) accessor tags!: Set<string>;
  @field(f.boolean(), { default: false }) accessor bootable!: boolean;
  @field(f.listOfObjects<TwinAttachment>('TwinAttachment'), { default: [] }) accessor attachments!: TwinAttachment[];

  @extraField()
  get label(): string {
    return `${this.name} (${this.size} GB)`;
  }

  @remotable()
  save(_context: unknown): void {}

  @remotable()
  static getById(_context: unknown, _id: string): void {}
}

@versionedObject({
  name: 'TwinVolumeList',
  version: '1.0',
  registry: standardRegistry,
  history: [{ version: '1.0', note: 'v1.0', children: { objects: '1.2' } }],
})
export class TwinVolumeList extends ObjectList<TwinVolume> {
  @field(f.listOfObjects<TwinVolume>('TwinVolume'), { default: [] }) accessor objects!: TwinVolume[];
}
