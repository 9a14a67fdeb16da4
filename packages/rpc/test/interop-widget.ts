// The Widget of test/interop/interop_common.py, as the interop tests' TypeScript side declares it.
import { ObjectRegistry, VersionedObject, f, field, versionedObject } from '@versioned/objects';

export const registry = new ObjectRegistry();

@versionedObject({
  name: 'Widget',
  version: '1.1',
  registry,
  history: [
    { version: '1.0', note: 'Initial version: id, name' },
    { version: '1.1', note: 'Adds size', added: ['size'] },
  ],
})
export class Widget extends VersionedObject {
  @field(f.uuid()) declare id: string;
  @field(f.string()) declare name: string;
  @field(f.integer(), { default: 0 }) declare size: number;
}

export const WIDGET_ID = '9b1a5b84-2f5e-4a55-8d5a-6b8d0f8e5a11';
