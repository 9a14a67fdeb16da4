import { RpcError } from './errors.js';
import { makeTarget, type Target } from './target.js';

/**
 * What both transports check and say the same way, so a test on the in-memory transport meets the
 * errors RabbitMQ gives: the target of a call or cast, the timeout, and the timeout and closed errors.
 */

/** The longest interval a timer can have in Node (a longer one fires after 1 ms). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A call's target: a valid topic, no fanout (a call has one answer). */
export function checkCallTarget(target: Target): Target {
  const checked = makeTarget(target);
  if (checked.fanout)
    throw new RpcError('invalid_target', `a call cannot be fanned out (topic ${checked.topic}); use cast`, {
      details: { topic: checked.topic },
    });
  return checked;
}

/** A positive number of milliseconds a timer can hold (about 24.8 days at most). */
export function checkTimeoutMs(value: unknown, what = 'timeoutMs'): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_TIMER_MS) {
    throw new RpcError(
      'invalid_target',
      `${what} must be a number of milliseconds above 0 and at most ${MAX_TIMER_MS}, got ${safeJson(value)}`,
      { details: { [what]: value } },
    );
  }
  return value;
}

export function routeOf(target: Target): string {
  return target.server === undefined ? target.topic : `${target.topic}.${target.server}`;
}

export function describeCall(target: Target, method: string): string {
  return `${method} on ${routeOf(target)}`;
}

/** The error of a call that got no reply in time, identical on both transports. */
export function timeoutError(target: Target, method: string, timeoutMs: number): RpcError {
  return new RpcError('timeout', `no reply to ${describeCall(target, method)} within ${timeoutMs} ms`, {
    details: { topic: target.topic, server: target.server, method, timeoutMs },
  });
}

/** The error of anything done on (or still waiting on) a closed transport. */
export function closedError(method?: string): RpcError {
  return new RpcError('transport', method === undefined ? 'the transport is closed' : `the transport is closed: ${method} has no reply`, {
    details: method === undefined ? {} : { method },
  });
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
