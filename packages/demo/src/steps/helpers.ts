import { isVersionedError, type ErrorCode, type Manifest, type VersionedObject } from '@versioned/objects';
import { isRpcError, type RpcErrorCode } from '@versioned/rpc';
import type { Narrator } from '../narrator.js';

// Fixed identities and times, so that every run prints the same thing.
export const VOLUME_ID = '7c4d3b2a-1e0f-4a9b-8c7d-6e5f4a3b2c1d';
export const LOGS_VOLUME_ID = '1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9';
export const INSTANCE_ID = '0d7f3a4e-2b1c-4e5f-8a9b-c0d1e2f3a4b5';
export const ATTACHMENT_ID = '6e1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
export const LOGS_ATTACHMENT_ID = '2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d';
export const CREATED_AT = new Date('2026-11-21T09:30:00.250Z');
export const REQUEST = { request_id: 'req-5d0c' };

type RefusalCode = ErrorCode | RpcErrorCode;

/** Run `fn`, which must fail with a VersionedError or RpcError of `code`; log the refusal and return it. */
export function expectRefusal(log: Narrator, code: RefusalCode, fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return logRefusal(log, code, err);
  }
  throw new Error(`expected a refusal with code ${code}, but it succeeded`);
}

/** The same for a promise (an RPC call). */
export async function expectRejection(log: Narrator, code: RefusalCode, promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return logRefusal(log, code, err);
  }
  throw new Error(`expected a refusal with code ${code}, but it succeeded`);
}

/** An RPC call rejects with RpcError only: an objects error (local or remote) is its cause. */
function logRefusal(log: Narrator, code: RefusalCode, err: unknown): Error {
  const refusal = isRpcError(err) && isVersionedError(err.cause) ? err.cause : err;
  if (!(isVersionedError(refusal) || isRpcError(refusal)) || refusal.code !== code) throw err;
  // RpcError messages start with their code, which the narration already shows.
  const text = refusal.message.startsWith(`${refusal.code}: `) ? refusal.message.slice(refusal.code.length + 2) : refusal.message;
  log.say(`refused (${refusal.code}): ${text}`);
  return refusal;
}

/** JSON on as few lines as stays readable: an object too long for one line gets a line per key. */
export function formatJson(value: unknown, indent = 0, width = 100): string {
  const flat = JSON.stringify(value);
  if (typeof value !== 'object' || value === null || Array.isArray(value) || flat.length + indent <= width) return flat;
  const pad = ' '.repeat(indent + 2);
  const entries = Object.entries(value).map(([key, v]) => `${pad}${JSON.stringify(key)}: ${formatJson(v, indent + 2, width)}`);
  return `{\n${entries.join(',\n')}\n${' '.repeat(indent)}}`;
}

export function formatManifest(manifest: Manifest | undefined): string {
  if (!manifest) return 'none';
  return Object.entries(manifest)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
}

export function short(uuid: string): string {
  return `${uuid.slice(0, 8)}…`;
}

export function need<T extends VersionedObject>(value: T | undefined): T {
  if (value === undefined) throw new Error('this step needs the volume built by an earlier step');
  return value;
}

export function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`the demo expected ${what}`);
}
