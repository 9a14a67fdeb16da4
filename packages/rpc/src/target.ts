import { isVersion } from '@versioned/objects';
import { RpcError } from './errors.js';

/** Where a message goes and what it claims to be (oslo.messaging's Target). Immutable. */
export interface Target {
  /** The topic services listen on (`conductor`, `volume`). */
  readonly topic: string;
  /** A single server of the topic; unset means any one of them. */
  readonly server?: string | undefined;
  /** The API namespace; unset (null on the wire) is the default namespace. */
  readonly namespace?: string | undefined;
  /** On a client: the version a message claims. On an endpoint: the version it implements. Default 1.0. */
  readonly version?: string | undefined;
  /** Deliver to every server of the topic (cast only). */
  readonly fanout?: boolean | undefined;
  /** Extra namespaces an endpoint also answers to (oslo's legacy_namespaces). */
  readonly legacyNamespaces?: readonly string[] | undefined;
  /** oslo's exchange (control_exchange); default `openstack`. */
  readonly exchange?: string | undefined;
}

const TOPIC_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Validate and freeze a target. */
export function makeTarget(target: Target): Target {
  if (typeof target.topic !== 'string' || !TOPIC_RE.test(target.topic)) {
    throw new RpcError('invalid_target', `target.topic must be a non-empty name, got ${JSON.stringify(target.topic)}`);
  }
  if (target.version !== undefined && !isVersion(target.version)) {
    throw new RpcError('invalid_target', `target.version must be "X.Y" or "X.Y.Z", got ${JSON.stringify(target.version)}`);
  }
  if (target.server !== undefined && (typeof target.server !== 'string' || target.server === '')) {
    throw new RpcError('invalid_target', `target.server must be a non-empty string, got ${JSON.stringify(target.server)}`);
  }
  return Object.freeze({ ...target, legacyNamespaces: target.legacyNamespaces ? Object.freeze([...target.legacyNamespaces]) : undefined });
}
