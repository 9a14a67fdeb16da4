import type { Listener, MessageHandler, RpcMessage, RpcReply, Target, Transport } from '@versioned/rpc';

/**
 * A transport that tells what goes over it: each call's method, version and arguments, then its reply.
 * It keeps the messages sent, so a step can show one or prove that nothing was sent.
 */
export class WireTap implements Transport {
  readonly sent: RpcMessage[] = [];

  constructor(
    private readonly inner: Transport,
    private readonly say: (line: string) => void,
  ) {}

  async call(target: Target, message: RpcMessage, options: { readonly timeoutMs: number }): Promise<RpcReply> {
    this.sent.push(message);
    const args = Object.entries(message.args).map(([name, value]) => `${name}=${describeEntity(value)}`);
    this.say(`→ ${message.method} ${message.version ?? '1.0'} to ${target.topic}.${target.server ?? '*'}: ${args.join(', ')}`);
    const reply = await this.inner.call(target, message, options);
    this.say(reply.failure ? `← failure: ${reply.failure.class}: ${reply.failure.message}` : `← ${describeEntity(reply.result)}`);
    return reply;
  }

  cast(target: Target, message: RpcMessage): Promise<void> {
    this.sent.push(message);
    return this.inner.cast(target, message);
  }

  listen(target: Target, handler: MessageHandler): Promise<Listener> {
    return this.inner.listen(target, handler);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** A value as it crossed: an envelope as `Name version` (with its children's), anything else as JSON. */
export function describeEntity(value: unknown): string {
  const envelope = asEnvelope(value);
  if (!envelope) return JSON.stringify(value);
  const children = Object.entries(envelope.data).flatMap(([field, v]) => {
    const list = Array.isArray(v) ? v.map(asEnvelope).filter((e) => e !== undefined) : [];
    return list.length ? [`${field}: ${list.map((e) => `${e.name} ${e.version}`).join(', ')}`] : [];
  });
  return `${envelope.name} ${envelope.version}${children.length ? ` (${children.join('; ')})` : ''}`;
}

function asEnvelope(value: unknown): { name: string; version: string; data: Record<string, unknown> } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const name = record['versioned_object.name'];
  const version = record['versioned_object.version'];
  if (typeof name !== 'string' || typeof version !== 'string') return undefined;
  return { name, version, data: (record['versioned_object.data'] ?? {}) as Record<string, unknown> };
}
