// The TypeScript end of oracle.py: one Python process per test file, one JSON line per request.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Primitive } from '../../src/index.js';
import type { ObjectSpec } from './model.js';

/** Debian's python3, where python3-oslo.versionedobjects installs; never another python on PATH. */
export const PYTHON = '/usr/bin/python3';
/** Compiled to dist/test/interop/oracle.js; the Python files stay in test/interop. */
const ORACLE_SCRIPT = fileURLToPath(new URL('../../../test/interop/oracle.py', import.meta.url));
const START_TIMEOUT_MS = 15_000;
const REQUEST_TIMEOUT_MS = 60_000;

/** What oslo holds for an object (oracle.py's report()). */
export interface PythonReport {
  $object: string;
  version: string;
  fields: Record<string, unknown>;
  /** oslo's Python type per set field: `datetime`, `set`, `IPAddress`, `int`, `object:Attachment`... */
  types: Record<string, string>;
  changed: string[];
}

export interface BuildResult {
  primitive: Primitive;
  report: PythonReport;
}

export interface DecodeResult {
  report: PythonReport;
  /** obj_to_primitive() of the decoded object. */
  primitive: Primitive;
}

export interface BackportOptions {
  target_version?: string;
  manifest?: Record<string, string>;
}

/** An exception raised by oslo, by its Python class name. */
export class OracleError extends Error {
  constructor(
    readonly pythonType: string,
    readonly pythonMessage: string,
    readonly trace: string,
  ) {
    super(`oslo raised ${pythonType}: ${pythonMessage}`);
    this.name = 'OracleError';
  }
}

interface Pending {
  resolve(value: { ok: unknown; warnings: string[] }): void;
  reject(err: Error): void;
}

export class PythonOracle {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private stderr = '';
  private exited: Error | undefined;
  /** oslo's warnings for the last request (e.g. its FutureWarning on an invalid UUID). */
  lastWarnings: string[] = [];

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly osloVersion: string,
  ) {}

  /** Start oracle.py; rejects with the reason and the fix when Python or oslo is missing. */
  static start(options: { cinder?: boolean } = {}): Promise<PythonOracle> {
    return new Promise((resolve, reject) => {
      // -B: never write __pycache__ into the source tree.
      // oslo_versionedobjects imports oslo_messaging, hence eventlet: skipping eventlet's DNS patching (dnspython)
      // halves the start-up and touches nothing versioned objects do.
      const env = { ...process.env, EVENTLET_NO_GREENDNS: 'yes', ...(options.cinder ? { ORACLE_CINDER: '1' } : {}) };
      const child = spawn(PYTHON, ['-B', ORACLE_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'], env });
      let oracle: PythonOracle | undefined;
      let stderr = '';
      const fail = (why: string): void =>
        reject(
          new Error(
            `The oslo.versionedobjects oracle (${PYTHON} ${ORACLE_SCRIPT}) could not start: ${why}\n` +
              `Install it with \`bash scripts/provision.sh\` (apt-get install python3-oslo.versionedobjects${options.cinder ? ' python3-cinder' : ''}).` +
              (stderr ? `\nPython stderr:\n${stderr}` : ''),
          ),
        );
      const timer = setTimeout(() => {
        child.kill();
        fail(`no ready line within ${START_TIMEOUT_MS} ms`);
      }, START_TIMEOUT_MS);
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        if (oracle) oracle.stderr = (oracle.stderr + chunk).slice(-8000);
        else stderr += chunk;
      });
      child.on('error', (err) => {
        clearTimeout(timer);
        fail(err.message);
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        if (!oracle) return fail(`exited with ${signal ?? `code ${code}`} before it was ready`);
        oracle.exited = new Error(`the oracle exited (${signal ?? `code ${code}`})\n${oracle.stderr}`);
        for (const p of oracle.pending.values()) p.reject(oracle.exited);
        oracle.pending.clear();
      });
      const lines = createInterface({ input: child.stdout });
      lines.on('line', (line) => {
        let message: Record<string, unknown>;
        try {
          message = JSON.parse(line);
        } catch {
          if (!oracle) fail(`wrote something that is not JSON: ${line}`);
          else oracle.failAll(new Error(`the oracle wrote a line that is not JSON: ${line.slice(0, 500)}`));
          return;
        }
        if (!oracle) {
          clearTimeout(timer);
          if (message.ready === true) {
            oracle = new PythonOracle(child, String(message.oslo));
            resolve(oracle);
          } else {
            fail(`cannot import oslo.versionedobjects or the fixture classes: ${String(message.fatal ?? line)}`);
          }
          return;
        }
        oracle.settle(message);
      });
    });
  }

  /** Reject every request in flight (the protocol is broken; nothing more can be matched up). */
  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  private settle(message: Record<string, unknown>): void {
    const id = message.id as number;
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    const warnings = (message.warnings as string[] | undefined) ?? [];
    const error = message.error as { type: string; message: string; trace: string } | undefined;
    if (error) {
      this.lastWarnings = warnings;
      pending.reject(new OracleError(error.type, error.message, error.trace));
    } else {
      pending.resolve({ ok: message.ok, warnings });
    }
  }

  private async request<T>(op: string, args: Record<string, unknown>): Promise<T> {
    if (this.exited) throw this.exited;
    const id = this.nextId++;
    let timer: NodeJS.Timeout | undefined;
    const reply = new Promise<{ ok: unknown; warnings: string[] }>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`the oracle did not answer ${op} #${id} within ${REQUEST_TIMEOUT_MS} ms\n${this.stderr}`));
      }, REQUEST_TIMEOUT_MS);
    });
    this.child.stdin.write(`${JSON.stringify({ id, op, ...args })}\n`);
    const { ok, warnings } = await reply.finally(() => clearTimeout(timer));
    this.lastWarnings = warnings;
    return ok as T;
  }

  /** Build an object the oslo way from a spec, then obj_to_primitive(target_version, manifest). */
  build(spec: ObjectSpec, options: BackportOptions = {}): Promise<BuildResult> {
    return this.request('build', { spec, ...options });
  }

  /** obj_from_primitive() on the receiver base of the envelope's project (or `base`), reported and re-encoded. */
  decode(primitive: unknown, options: BackportOptions & { base?: string } = {}): Promise<DecodeResult> {
    return this.request('decode', { primitive, ...options });
  }

  /** VersionedObjectSerializer.serialize_entity() of a payload in which specs stand for objects. */
  serialize(entity: unknown, options: { base?: string } = {}): Promise<unknown> {
    return this.request('serialize', { entity, ...options });
  }

  /** VersionedObjectSerializer.deserialize_entity(); objects come back as reports. */
  deserialize(entity: unknown, options: { base?: string } = {}): Promise<unknown> {
    return this.request('deserialize', { entity, ...options });
  }

  /** obj_tree_get_versions(name). */
  treeVersions(name: string): Promise<Record<string, string>> {
    return this.request('tree_versions', { name });
  }

  /** Register classes described as JSON (oracle.py's define_class()). */
  define(classes: readonly unknown[]): Promise<number> {
    return this.request('define', { classes });
  }

  /** Many requests in one line; each answer is `{ ok }` or `{ error: { type, message } }`. */
  batch(
    requests: readonly ({ op: string } & Record<string, unknown>)[],
  ): Promise<({ ok: unknown } | { error: { type: string; message: string } })[]> {
    return this.request('batch', { requests });
  }

  /** Python Cinder (started with `cinder: true`): CinderObjectSerializer(version_cap).serialize_entity() of a spec. */
  cinderSerialize(spec: ObjectSpec, versionCap?: string): Promise<Primitive> {
    return this.request('cinder_serialize', { spec, ...(versionCap ? { version_cap: versionCap } : {}) });
  }

  /** Python Cinder: obj_from_primitive(), reported, and re-serialized with a version cap. */
  cinderDecode(primitive: unknown, versionCap?: string): Promise<DecodeResult> {
    return this.request('cinder_decode', { primitive, ...(versionCap ? { version_cap: versionCap } : {}) });
  }

  /** Python Cinder's OBJ_VERSIONS, oldest first. */
  cinderVersions(): Promise<[string, Record<string, string>][]> {
    return this.request('cinder_versions', {});
  }

  close(): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.stdin.end();
    });
  }
}
