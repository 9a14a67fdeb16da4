import type { VolumeData } from './volume-data.js';

/** What is timed. Each peer implements the ones it has; a row is printed for every operation. */
export const OPERATIONS = [
  { id: 'toPrimitive', label: 'toPrimitive' },
  { id: 'fromPrimitive', label: 'fromPrimitive (validated)' },
  { id: 'roundTrip', label: 'JSON round trip' },
  { id: 'backportOldest', label: 'toPrimitive backported to 1.0' },
] as const;

export type OperationId = (typeof OPERATIONS)[number]['id'];

export const PEERS = [
  { id: 'versioned', label: '@versioned/objects' },
  { id: 'handWritten', label: 'hand-written' },
  { id: 'handWrittenValidating', label: 'hand-written, validating' },
  { id: 'zod', label: 'zod' },
  { id: 'valibot', label: 'valibot' },
  { id: 'typia', label: 'typia' },
  { id: 'ajv', label: 'ajv' },
  { id: 'handWrittenIdiomatic', label: 'hand-written, idiomatic dates' },
  { id: 'classTransformer', label: 'class-transformer' },
  { id: 'oslo', label: 'oslo (Python)' },
] as const;

export type PeerId = (typeof PEERS)[number]['id'];

/** The peers that check what they decode: the targets of issue 17 are against these. */
export const VALIDATING_PEERS = ['zod', 'valibot', 'typia', 'ajv'] as const satisfies readonly PeerId[];

/** One JS peer, ready to be timed: its operations, and what it sends and reads back (to check the peers agree). */
export interface PreparedPeer {
  readonly operations: Partial<Record<OperationId, () => unknown>>;
  /** The JSON text of what crosses the wire (a peer that encodes). */
  wire?(): string;
  /** The JSON text of what crosses the wire after a JSON round trip: must equal wire() (a peer that round-trips). */
  wireAfterRoundTrip?(): string;
  /** Decode an envelope, throwing on bad input (a validating peer): checked to build what the hand-written copy builds. */
  decode?(primitive: unknown): unknown;
}

export interface JsPeer {
  readonly id: Exclude<PeerId, 'oslo'>;
  prepare(data: VolumeData): PreparedPeer;
}
