import { readFile, writeFile } from 'node:fs/promises';
import { Validator, type OutputUnit } from '@cfworker/json-schema';
import { UsageError } from './errors.js';
import { hashDescription, type ObjectFingerprint } from './fingerprint.js';
import type { ObjectDescription } from './describe.js';
import { rpcApiKey, type RpcApiRecord } from './rpc-check.js';

/** A history entry as the lock file keeps it: what the wire depends on (the note is left out). */
export interface HistoryRecord {
  readonly version: string;
  readonly added?: readonly string[];
  readonly removed?: readonly string[];
  readonly changed?: readonly string[];
  readonly children?: Readonly<Record<string, string>>;
}

/** What the lock file records per object: the hash, the description it was computed from (for diffs), the history. */
export interface LockEntry {
  readonly fingerprint: string;
  readonly version: string;
  readonly description: ObjectDescription;
  /** Absent in format-1 lock files. */
  readonly history?: readonly HistoryRecord[];
}

/** One manifest of a ManifestHistory (Cinder's OBJ_VERSIONS): its key and the versions it moved. */
export interface ManifestRecord {
  readonly key: string;
  readonly updates: Readonly<Record<string, string>>;
}

/** A parsed lock file (`object-hashes.json`): per object its fingerprint, version, description and history; the manifests. */
export interface LockFile {
  readonly format: number;
  readonly objects: ReadonlyMap<string, LockEntry>;
  /** Absent when the project has no manifest history (or the file predates format 2). */
  readonly manifests?: readonly ManifestRecord[];
  /** The declared RPC APIs, by `topic` (or `topic:namespace`); absent in lock files written before RPC APIs were locked. */
  readonly rpcApis?: ReadonlyMap<string, RpcApiRecord>;
}

/** What `update` writes: the fingerprints, and the manifests when the project has a manifest history. */
export interface LockContents {
  readonly fingerprints: Iterable<ObjectFingerprint & { readonly history: readonly HistoryRecord[] }>;
  readonly manifests?: readonly ManifestRecord[] | undefined;
  readonly rpcApis?: readonly RpcApiRecord[] | undefined;
}

/** The lock file format version this CLI writes and reads. */
export const LOCK_FORMAT = 2;
const HEADER =
  'Written by `versioned fingerprint update`: the fingerprint, schema and history of every versioned object. Commit it; do not edit by hand.';

/** Deeper than any description a class produces (a list of lists of ... 200 levels): refused before validating. */
const MAX_DEPTH = 200;

const version = { type: 'string', pattern: '^(0|[1-9]\\d{0,8})\\.(0|[1-9]\\d{0,8})(\\.(0|[1-9]\\d{0,8}))?$' };
const name = { type: 'string', minLength: 1 };
const names = { type: 'array', items: name };

/** The JSON Schema (draft-07) of a lock file: every key `update` writes, nothing else. */
export const LOCK_FILE_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'versioned object-hashes.json',
  type: 'object',
  required: ['format', 'objects'],
  additionalProperties: false,
  properties: {
    comment: { type: 'string' },
    format: { enum: [1, 2] },
    objects: { type: 'object', additionalProperties: { $ref: '#/definitions/entry' } },
    manifests: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'updates'],
        additionalProperties: false,
        properties: { key: name, updates: { type: 'object', additionalProperties: version } },
      },
    },
    rpcApis: { type: 'object', additionalProperties: { $ref: '#/definitions/rpcApi' } },
  },
  definitions: {
    rpcApi: {
      type: 'object',
      required: ['topic', 'namespace', 'version', 'majors'],
      additionalProperties: false,
      properties: {
        topic: name,
        namespace: { anyOf: [name, { type: 'null' }] },
        version,
        majors: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            required: ['major', 'version', 'retiredIn', 'methods'],
            additionalProperties: false,
            properties: {
              major: { type: 'integer', minimum: 0 },
              version,
              retiredIn: { anyOf: [name, { type: 'null' }] },
              methods: { type: 'object', additionalProperties: { $ref: '#/definitions/rpcMethod' } },
            },
          },
        },
      },
    },
    rpcMethod: {
      type: 'object',
      required: ['since', 'result', 'args'],
      additionalProperties: false,
      properties: {
        since: version,
        result: { anyOf: [{ $ref: '#/definitions/type' }, { type: 'null' }] },
        args: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            required: ['since', 'type', 'required'],
            additionalProperties: false,
            properties: { since: version, type: { $ref: '#/definitions/type' }, required: { type: 'boolean' } },
          },
        },
      },
    },
    entry: {
      type: 'object',
      required: ['fingerprint', 'version', 'description'],
      additionalProperties: false,
      properties: {
        fingerprint: { type: 'string', pattern: '^(0|[1-9]\\d{0,8})\\.(0|[1-9]\\d{0,8})(\\.(0|[1-9]\\d{0,8}))?-[0-9a-f]{64}$' },
        version,
        description: { $ref: '#/definitions/description' },
        history: { type: 'array', minItems: 1, items: { $ref: '#/definitions/historyEntry' } },
      },
    },
    historyEntry: {
      type: 'object',
      required: ['version'],
      additionalProperties: false,
      properties: { version, added: names, removed: names, changed: names, children: { type: 'object', additionalProperties: version } },
    },
    description: {
      type: 'object',
      required: ['name', 'namespace', 'serialNamespace', 'fields', 'remotable', 'children'],
      additionalProperties: false,
      properties: {
        name,
        namespace: { type: 'string' },
        serialNamespace: { type: 'string' },
        fields: { type: 'array', items: { $ref: '#/definitions/field' } },
        remotable: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name', 'kind', 'arity'],
            additionalProperties: false,
            properties: { name, kind: { enum: ['instance', 'static'] }, arity: { type: 'integer', minimum: 0 } },
          },
        },
        children: {
          type: 'array',
          items: {
            type: 'object',
            required: ['field', 'target', 'version'],
            additionalProperties: false,
            properties: { field: name, target: name, version: { anyOf: [version, { type: 'null' }] } },
          },
        },
        relationships: {
          type: 'array',
          items: {
            type: 'object',
            required: ['field', 'pairs'],
            additionalProperties: false,
            properties: { field: name, pairs: { type: 'array', items: { type: 'array', minItems: 2, maxItems: 2, items: version } } },
          },
        },
      },
    },
    field: {
      type: 'object',
      required: ['name', 'type', 'nullable', 'readOnly'],
      additionalProperties: false,
      properties: {
        name,
        type: { $ref: '#/definitions/type' },
        nullable: { type: 'boolean' },
        readOnly: { type: 'boolean' },
        default: {
          oneOf: [
            { type: 'object', required: ['value'], additionalProperties: false, properties: { value: {} } },
            { type: 'object', required: ['factory'], additionalProperties: false, properties: { factory: { const: true } } },
          ],
        },
      },
    },
    // A field type's describe(): open to the keys of custom types, strict about the keys of the built-in ones.
    type: {
      type: 'object',
      required: ['type'],
      properties: {
        type: name,
        element: { $ref: '#/definitions/type' },
        target: name,
        subclasses: { type: 'boolean' },
        values: names,
        transitions: { type: 'object', additionalProperties: names },
        family: { enum: [4, 6, 'any'] },
        precision: { type: 'string' },
      },
      allOf: [
        { if: { properties: { type: { enum: ['List', 'Set', 'Dict'] } } }, then: { required: ['element'] } },
        { if: { properties: { type: { const: 'Object' } } }, then: { required: ['target', 'subclasses'] } },
        { if: { properties: { type: { enum: ['Enum', 'StateMachine'] } } }, then: { required: ['values'] } },
      ],
    },
  },
} as const;

let validator: Validator | undefined;

/** Read a lock file; `undefined` when there is none yet. A malformed file is a UsageError naming it. */
export async function readLockFile(path: string, display: (p: string) => string = (p) => p): Promise<LockFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    const why = (err as NodeJS.ErrnoException).code === 'EISDIR' ? 'it is a directory' : (err as Error).message.split('\n')[0];
    throw new UsageError('lock_file', `cannot read the lock file ${display(path)}: ${why}`, { file: path, cause: err });
  }
  return parseLockFile(text, path, display(path));
}

/**
 * Parse and validate a lock file completely: JSON, nesting depth, the schema, then what a schema cannot say
 * (the key is the object's name, the fingerprint's version is the entry's, the hash is the description's).
 */
export function parseLockFile(text: string, path: string, shown = path): LockFile {
  const bad = (where: string, why: string): UsageError =>
    new UsageError('lock_file', `the lock file ${shown} is not valid: ${where ? `${where}: ` : ''}${why}`, { file: path });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw bad('', `not JSON (${(err as Error).message.split('\n')[0]})`);
  }
  const deep = tooDeep(data);
  if (deep) throw bad(deep, `nested deeper than ${MAX_DEPTH} levels`);
  validator ??= new Validator(LOCK_FILE_SCHEMA as never, '7', true);
  const result = validator.validate(data);
  if (!result.valid) {
    const [where, why] = explain(result.errors, data);
    throw bad(where, why);
  }
  const file = data as {
    format: number;
    objects: Record<string, LockEntry>;
    manifests?: ManifestRecord[];
    rpcApis?: Record<string, RpcApiRecord>;
  };
  const objects = new Map<string, LockEntry>();
  for (const [key, entry] of Object.entries(file.objects)) {
    const where = `objects.${key}`;
    if (entry.description.name !== key)
      throw bad(`${where}.description.name`, `is ${JSON.stringify(entry.description.name)}, but the entry is for ${key}`);
    if (!entry.fingerprint.startsWith(`${entry.version}-`))
      throw bad(`${where}.fingerprint`, `${entry.fingerprint} does not start with the entry's version ${entry.version}`);
    const description = { relationships: [], ...(entry.description as Omit<ObjectDescription, 'relationships'>) } as ObjectDescription;
    // Lock files written before relationships were described have none; their hash is of what they hold.
    if (`${entry.version}-${hashDescription(entry.description)}` !== entry.fingerprint) {
      throw bad(
        `${where}.description`,
        'does not hash to the recorded fingerprint: the entry was edited by hand (restore it from git, or run `versioned fingerprint update`)',
      );
    }
    if (entry.history && entry.history[entry.history.length - 1]?.version !== entry.version) {
      throw bad(`${where}.history`, `the newest entry is not the locked version ${entry.version}`);
    }
    objects.set(key, { ...entry, description });
  }
  const rpcApis = new Map<string, RpcApiRecord>();
  for (const [key, api] of Object.entries(file.rpcApis ?? {})) {
    if (rpcApiKey(api) !== key) throw bad(`rpcApis.${key}`, `is the record of ${rpcApiKey(api)}, not of ${key}`);
    if (api.majors.some((m, i) => i > 0 && m.major <= (api.majors[i - 1]?.major as number)))
      throw bad(`rpcApis.${key}.majors`, 'the majors are not in increasing order');
    const newest = api.majors[api.majors.length - 1];
    if (newest?.version !== api.version)
      throw bad(`rpcApis.${key}.version`, `${api.version} is not the newest major's version ${newest?.version}`);
    rpcApis.set(key, api);
  }
  return { format: file.format, objects, ...(file.manifests ? { manifests: file.manifests } : {}), ...(file.rpcApis ? { rpcApis } : {}) };
}

/** The lock file text: keys sorted at every level, two-space indents, so that diffs are small and stable. */
export function formatLockFile(contents: LockContents): string {
  const objects: Record<string, LockEntry> = {};
  for (const fp of [...contents.fingerprints].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    // The hash and version first, for people reading diffs; the description with its keys sorted.
    objects[fp.name] = {
      fingerprint: fp.fingerprint,
      version: fp.version,
      description: sortKeys(fp.description) as ObjectDescription,
      history: fp.history,
    };
  }
  const manifests = contents.manifests?.length ? { manifests: contents.manifests } : {};
  const apis = [...(contents.rpcApis ?? [])].sort((a, b) => (rpcApiKey(a) < rpcApiKey(b) ? -1 : 1));
  const rpcApis = apis.length ? { rpcApis: Object.fromEntries(apis.map((a) => [rpcApiKey(a), sortKeys(a)])) } : {};
  return `${JSON.stringify({ comment: HEADER, format: LOCK_FORMAT, objects, ...manifests, ...rpcApis }, null, 2)}\n`;
}

/** Write the lock file; a write error is a UsageError `lock_file` naming the file. */
export async function writeLockFile(path: string, contents: LockContents, display: (p: string) => string = (p) => p): Promise<void> {
  try {
    await writeFile(path, formatLockFile(contents), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'its folder does not exist' : (err as Error).message.split('\n')[0];
    throw new UsageError('lock_file', `cannot write the lock file ${display(path)}: ${why}`, { file: path, cause: err });
  }
}

/** The path of the first value nested deeper than MAX_DEPTH, found without recursion. */
function tooDeep(root: unknown): string | undefined {
  const stack: [unknown, number, string][] = [[root, 0, '']];
  while (stack.length) {
    const [node, depth, where] = stack.pop() as [unknown, number, string];
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= MAX_DEPTH) return where || '(root)';
    if (Array.isArray(node)) for (const [i, v] of node.entries()) stack.push([v, depth + 1, `${where}[${i}]`]);
    else for (const [k, v] of Object.entries(node)) stack.push([v, depth + 1, where ? `${where}.${k}` : k]);
  }
  return undefined;
}

/** The innermost schema failure, as a path (`objects.Volume.description.fields[2](size).type`) and a reason. */
function explain(errors: readonly OutputUnit[], root: unknown): [string, string] {
  const innermost = errors.reduce((a, b) => (b.instanceLocation.length > a.instanceLocation.length ? b : a));
  const segments = innermost.instanceLocation
    .split('/')
    .slice(1)
    .map((s) => decodeURIComponent(s).replaceAll('~1', '/').replaceAll('~0', '~'));
  let node: unknown = root;
  let where = '';
  for (const seg of segments) {
    if (Array.isArray(node)) {
      node = node[Number(seg)];
      const label =
        typeof node === 'object' && node !== null && typeof (node as { name?: unknown }).name === 'string'
          ? `(${(node as { name: string }).name.slice(0, 80)})`
          : '';
      where += `[${seg}]${label}`;
    } else {
      node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[seg] : undefined;
      where += where ? `.${seg.slice(0, 80)}` : seg.slice(0, 80);
    }
  }
  const got = valueText(node);
  const sameSpot = errors.filter((e) => e.instanceLocation === innermost.instanceLocation);
  const required = sameSpot.find((e) => e.keyword === 'required');
  if (required) return [where, `missing ${/"([^"]*)"/.exec(required.error)?.[0] ?? 'a required key'}`];
  const extra = sameSpot.find((e) => e.keyword === 'false' || e.keyword === 'additionalProperties');
  if (extra) return [where, 'is not a key of the lock file format'];
  const typed = sameSpot.find((e) => e.keyword === 'type');
  if (typed) return [where, `expected ${/Expected "([^"]*)"/.exec(typed.error)?.[1] ?? 'another type'}, got ${got}`];
  if (sameSpot.some((e) => e.keyword === 'pattern'))
    return [
      where,
      `${got} is not of the expected form${/version/.test(where) || /\.updates\./.test(where) ? ' (a version "X.Y" or "X.Y.Z")' : ''}`,
    ];
  if (sameSpot.some((e) => e.keyword === 'enum' || e.keyword === 'const')) return [where, `${got} is not one of the allowed values`];
  return [where, `${got}: ${innermost.error.replace(/\.$/, '')}`];
}

function valueText(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}
