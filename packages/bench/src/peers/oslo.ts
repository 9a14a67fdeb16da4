import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { OperationId } from '../operations.js';
import type { VolumeData } from '../volume-data.js';

/** Debian's python3-oslo.versionedobjects lives under the system interpreter. */
export const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../../python/oslo_peer.py', import.meta.url));

export interface OsloResults {
  readonly python: string;
  readonly oslo: string;
  /** ops/s, timed inside the Python process. */
  readonly results: Partial<Record<OperationId, number>>;
  /** The envelope oslo encoded (tags sorted), to check that every peer sends the same thing. */
  readonly primitive: unknown;
  readonly backportOldest: unknown;
}

/** Run the oslo.versionedobjects peer on the same data for `seconds` per operation. */
export function runOslo(data: VolumeData, operations: readonly OperationId[], seconds: number): Promise<OsloResults> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (err) => reject(new Error(`cannot run the oslo peer with ${PYTHON}: ${err.message}`)));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`the oslo peer (${SCRIPT}) exited with ${code}:\n${stderr.trim()}`));
      try {
        resolve(JSON.parse(stdout) as OsloResults);
      } catch {
        reject(new Error(`the oslo peer printed something that is not JSON:\n${stdout.slice(0, 500)}`));
      }
    });
    child.stdin.end(JSON.stringify({ volume: data, seconds, operations }));
  });
}
