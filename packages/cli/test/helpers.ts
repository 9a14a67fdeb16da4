import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, symlink, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The installed command, as `node_modules/.bin/versioned` runs it. */
export const CLI_BIN = fileURLToPath(new URL('../../bin/versioned.js', import.meta.url));
const OBJECTS_PACKAGE = fileURLToPath(new URL('../../../objects', import.meta.url));
const RPC_PACKAGE = fileURLToPath(new URL('../../../rpc', import.meta.url));

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run the real CLI in a child process. */
export function runCli(args: readonly string[], cwd: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI_BIN, ...args], { cwd, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') reject(err);
      else resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
    });
  });
}

/** A field in a generated module: the `f.` expression, and optionally the options object literal. */
export type FieldSpec = string | readonly [type: string, options: string];

export interface ClassSpec {
  readonly name: string;
  readonly version: string;
  readonly fields: Readonly<Record<string, FieldSpec>>;
  /** The `history` option as a JS literal, and extra class body (methods) as JS. */
  readonly history?: string;
  readonly body?: string;
}

/**
 * The source of a compiled object module (plain JS: the decorators applied by hand, as tsc emits them),
 * registering `classes` into the default registry of @versioned/objects when imported.
 */
export function objectModule(classes: readonly ClassSpec[], options: { exportRegistry?: boolean; extra?: string } = {}): string {
  const lines = [`import { VersionedObject, ObjectRegistry, ManifestHistory, versionedObject, field, f } from '@versioned/objects';`];
  if (options.exportRegistry) lines.push('export const registry = new ObjectRegistry();');
  for (const cls of classes) {
    lines.push(`export class ${cls.name} extends VersionedObject {${cls.body ?? ''}}`);
    for (const [name, spec] of Object.entries(cls.fields)) {
      const [type, opts] = typeof spec === 'string' ? [spec, '{}'] : spec;
      lines.push(`field(${type}, ${opts})(${cls.name}.prototype, ${JSON.stringify(name)});`);
    }
    const registry = options.exportRegistry ? ', registry' : '';
    const history = cls.history ? `, history: ${cls.history}` : '';
    lines.push(
      `versionedObject({ name: ${JSON.stringify(cls.name)}, version: ${JSON.stringify(cls.version)}${history}${registry} })(${cls.name});`,
    );
  }
  if (options.extra) lines.push(options.extra);
  return `${lines.join('\n')}\n`;
}

/** A throwaway project directory that resolves @versioned/objects, like a user's repository. */
export class TempProject {
  private constructor(readonly dir: string) {}

  static async create(): Promise<TempProject> {
    const dir = await mkdtemp(join(tmpdir(), 'versioned-cli-'));
    await mkdir(join(dir, 'node_modules', '@versioned'), { recursive: true });
    await symlink(OBJECTS_PACKAGE, join(dir, 'node_modules', '@versioned', 'objects'), 'dir');
    return new TempProject(dir);
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  /** Make @versioned/rpc resolvable too, for modules that declare RPC APIs. */
  async linkRpc(): Promise<void> {
    await symlink(RPC_PACKAGE, join(this.dir, 'node_modules', '@versioned', 'rpc'), 'dir');
  }

  async write(name: string, text: string): Promise<void> {
    await mkdir(join(this.path(name), '..'), { recursive: true });
    await writeFile(this.path(name), text, 'utf8');
  }

  /** Write `objects.mjs` and a package.json pointing the CLI at it. */
  async writeObjects(classes: readonly ClassSpec[], extra?: string): Promise<void> {
    await this.write('objects.mjs', objectModule(classes, extra ? { extra } : {}));
    await this.write('package.json', JSON.stringify({ name: 'app', type: 'module', versioned: { modules: ['objects.mjs'] } }, null, 2));
  }

  run(...args: string[]): Promise<CliResult> {
    return runCli(args, this.dir);
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** The fixture Volume at 1.2, the starting point of most tests. */
export const VOLUME_1_2: ClassSpec = {
  name: 'Volume',
  version: '1.2',
  fields: {
    id: ['f.uuid()', '{ readOnly: true }'],
    name: 'f.string()',
    size: ['f.nonNegativeInteger()', '{ default: 1 }'],
    kind: ['f.enum(["ssd", "hdd"])', '{ default: "hdd" }'],
    attachments: ['f.listOfObjects("Attachment")', '{ default: [] }'],
  },
};

export const ATTACHMENT_1_0: ClassSpec = {
  name: 'Attachment',
  version: '1.0',
  fields: { id: 'f.uuid()', mountpoint: ['f.string()', '{ nullable: true }'] },
};

/** `spec` with fields changed (a `null` removes one) and, optionally, a new version and history. */
export function edit(spec: ClassSpec, fields: Record<string, FieldSpec | null>, version = spec.version, history?: string): ClassSpec {
  const next: Record<string, FieldSpec> = { ...spec.fields };
  for (const [name, value] of Object.entries(fields)) {
    if (value === null) delete next[name];
    else next[name] = value;
  }
  const out: ClassSpec = { ...spec, version, fields: next };
  return history === undefined ? out : { ...out, history };
}
