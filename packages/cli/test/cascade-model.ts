import assert from 'node:assert/strict';
import type { ClassSpec, FieldSpec } from './helpers.js';

/**
 * A domain five levels deep with a cycle, in oslo's style (children declared per parent version) or Cinder's
 * (children moving through a ManifestHistory), and the report's advice applied to it mechanically.
 */

export interface Entry {
  version: string;
  note: string;
  added?: string[];
  removed?: string[];
  changed?: string[];
  children?: Record<string, string>;
}
export interface Model {
  name: string;
  version: string;
  fields: Record<string, FieldSpec>;
  history: Entry[];
}
export interface Manifest {
  key: string;
  updates: Record<string, string>;
}

/** Volume -> VolumeAttachment -> Connector -> Target -> Port (leaf); VolumeAttachment.volume -> Volume (a cycle). */
export function domain(style: 'oslo' | 'manifest'): Model[] {
  const rel = (children: Record<string, string>): { children?: Record<string, string> } => (style === 'oslo' ? { children } : {});
  return [
    {
      name: 'Port',
      version: '1.1',
      fields: { id: 'f.uuid()', speed: 'f.integer()' },
      history: [
        { version: '1.0', note: 'Initial' },
        { version: '1.1', added: ['speed'], note: 'Speed' },
      ],
    },
    {
      name: 'Target',
      version: '1.1',
      fields: { iqn: 'f.string()', port: ['f.object("Port")', '{ nullable: true }'] },
      history: [
        { version: '1.0', note: 'Initial', ...rel({ port: '1.0' }) },
        { version: '1.1', note: 'Port 1.1', ...rel({ port: '1.1' }) },
      ],
    },
    {
      name: 'Connector',
      version: '1.0',
      fields: { host: 'f.string()', targets: ['f.listOfObjects("Target")', '{ default: [] }'] },
      history: [{ version: '1.0', note: 'Initial', ...rel({ targets: '1.1' }) }],
    },
    {
      name: 'VolumeAttachment',
      version: '1.2',
      fields: {
        id: 'f.uuid()',
        mountpoint: ['f.string()', '{ nullable: true }'],
        connector: ['f.object("Connector")', '{ nullable: true }'],
        volume: ['f.object("Volume")', '{ nullable: true }'],
      },
      history: [
        { version: '1.0', note: 'Initial', ...rel({ connector: '1.0', volume: '1.0' }) },
        { version: '1.1', added: ['mountpoint'], note: 'Mountpoint' },
        { version: '1.2', note: 'Volume 1.1', ...rel({ volume: '1.1' }) },
      ],
    },
    {
      name: 'Volume',
      version: '1.1',
      fields: { id: 'f.uuid()', size: 'f.integer()', attachments: ['f.listOfObjects("VolumeAttachment")', '{ default: [] }'] },
      history: [
        { version: '1.0', note: 'Initial', ...rel({ attachments: '1.1' }) },
        { version: '1.1', added: ['size'], note: 'Size', ...rel({ attachments: '1.2' }) },
      ],
    },
  ];
}

export function initialManifests(models: readonly Model[]): Manifest[] {
  return [
    { key: '1.0', updates: { Port: '1.0', Target: '1.0', Connector: '1.0', VolumeAttachment: '1.1', Volume: '1.0' } },
    { key: '1.1', updates: Object.fromEntries(models.map((m) => [m.name, m.version])) },
  ];
}

export function toSpecs(models: readonly Model[]): ClassSpec[] {
  return models.map((m) => ({ name: m.name, version: m.version, fields: m.fields, history: JSON.stringify(m.history) }));
}

export function manifestSource(manifests: readonly Manifest[]): string {
  return `export const OBJ_VERSIONS = new ManifestHistory()${manifests.map((m) => `.add(${JSON.stringify(m.key)}, ${JSON.stringify(m.updates)})`).join('')};`;
}

/** One change to one class, as a developer makes it (without touching versions or histories). */
export type Edit = { kind: 'add'; field: string } | { kind: 'nullable'; field: string } | { kind: 'retype'; field: string };

export function applyEdit(model: Model, edit: Edit): void {
  if (edit.kind === 'add') model.fields[edit.field] = ['f.string()', '{ nullable: true }'];
  else {
    const spec = model.fields[edit.field] as FieldSpec;
    const [type, options] = typeof spec === 'string' ? [spec, '{}'] : spec;
    // Removing a field needs a history edit before the class even registers; retyping (a major change) does not.
    if (edit.kind === 'retype') model.fields[edit.field] = [type === 'f.integer()' ? 'f.string()' : 'f.integer()', options];
    else model.fields[edit.field] = [type, '{ nullable: true }'];
  }
}

export interface JsonPlan {
  classes: { name: string; version: string; history: Entry[] }[];
  manifest: { key: string; extend: boolean; updates: Record<string, string> } | null;
  then: string | null;
}

/** The report's advice, applied without judgement. */
export function applyPlan(models: Model[], manifests: Manifest[], plan: JsonPlan): void {
  for (const advice of plan.classes) {
    const model = models.find((m) => m.name === advice.name);
    assert.ok(model, `advice for an unknown class ${advice.name}`);
    model.version = advice.version;
    model.history = advice.history;
  }
  if (plan.manifest) {
    if (plan.manifest.extend) Object.assign((manifests[manifests.length - 1] as Manifest).updates, plan.manifest.updates);
    else manifests.push({ key: plan.manifest.key, updates: { ...plan.manifest.updates } });
  }
}
