import { RpcDispatcher, type RpcEndpoint } from './dispatcher.js';
import { RpcError } from './errors.js';
import { toFailure, type RemoteErrorClass } from './failure.js';
import { NoOpSerializer, type RpcSerializer } from './serializer.js';
import { makeTarget, type Target } from './target.js';
import type { Listener, RpcMessage, RpcReply, Transport } from './transport.js';
import { DEFAULT_MESSAGE_VERSION } from './version.js';
import { DECLARED_ENDPOINT } from './api/serve.js';
import { argumentError } from './api/declaration.js';

/** The options of RpcServer: the transport, its target (topic and server), the endpoints, the serializer. */
export interface RpcServerOptions {
  transport: Transport;
  /** topic and server this server listens on (it also receives the topic's fanout casts). */
  target: Target;
  /** Tried in order for every message; see RpcDispatcher. */
  endpoints: readonly RpcEndpoint[];
  serializer?: RpcSerializer | undefined;
  /**
   * The API's declared errors (oslo's expected_exceptions): sent with their properties as kwargs.
   * Any other error goes back with its class, module and message only.
   */
  allowedErrors?: readonly RemoteErrorClass[] | undefined;
  /** Told about every error a method throws (and about failed casts, which have no caller to tell). */
  onError?: ((error: unknown, message: RpcMessage) => void) | undefined;
}

/** The serving side of a versioned RPC API (oslo's RPCServer + RPCDispatcher). */
export class RpcServer {
  readonly target: Target;
  readonly dispatcher: RpcDispatcher;
  private readonly transport: Transport;
  private readonly serializer: RpcSerializer;
  private readonly allowedErrors: readonly RemoteErrorClass[];
  private readonly onError: RpcServerOptions['onError'];
  private listener: Listener | undefined;

  constructor(options: RpcServerOptions) {
    if (!options || typeof options.transport !== 'object' || options.transport === null) {
      throw new RpcError('invalid_target', 'RpcServer needs a transport');
    }
    this.transport = options.transport;
    this.target = makeTarget(options.target);
    this.dispatcher = new RpcDispatcher(options.endpoints);
    this.serializer = options.serializer ?? new NoOpSerializer();
    this.allowedErrors = Object.freeze([...(options.allowedErrors ?? [])]);
    this.onError = options.onError;
  }

  /** Start receiving messages. */
  async start(): Promise<void> {
    if (this.listener) return;
    this.listener = await this.transport.listen(this.target, (message, meta) => this.handle(message, meta));
  }

  /** Stop receiving; messages in flight finish first. */
  async stop(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    await listener?.stop();
  }

  /** Dispatch one message and build its reply; never throws (failures become the reply). */
  async handle(message: RpcMessage, meta: { readonly expectsReply: boolean } = { expectsReply: true }): Promise<RpcReply> {
    try {
      if (typeof message !== 'object' || message === null) throw new RpcError('invalid_message', 'a message must be an object');
      const { endpoint, method } = this.dispatcher.resolve(message.namespace, message.version, message.method);
      const version = message.version ?? DEFAULT_MESSAGE_VERSION;
      const rawArgs = message.args ?? {};
      const rawContext = message.context ?? {};
      if (typeof rawArgs !== 'object' || Array.isArray(rawArgs))
        throw new RpcError('invalid_message', `the arguments of ${message.method} must be an object`);
      if (typeof rawContext !== 'object' || Array.isArray(rawContext))
        throw new RpcError('invalid_message', 'the message context must be an object');
      const context = this.serializer.deserializeContext(rawContext);
      const declared = DECLARED_ENDPOINT in endpoint ? String((endpoint as Record<symbol, unknown>)[DECLARED_ENDPOINT]) : undefined;
      const args: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(rawArgs)) {
        let decoded: unknown;
        try {
          decoded = await this.serializer.deserializeEntity(context, value);
        } catch (err) {
          // A declared API names the argument: `create_volume.volume.Volume.size: expected an integer`.
          throw declared === undefined ? err : argumentError(declared, message.method, name, err, version);
        }
        Object.defineProperty(args, name, { value: decoded, enumerable: true, writable: true, configurable: true });
      }
      const result = await method.call(endpoint, context, args, { version, method: message.method });
      if (!meta.expectsReply) return { result: null };
      return { result: result === undefined ? null : this.serializer.serializeEntity(context, result, 'result') };
    } catch (err) {
      this.report(err, message);
      return { failure: toFailure(err, this.allowedErrors) };
    }
  }

  private report(err: unknown, message: RpcMessage): void {
    try {
      this.onError?.(err, message);
    } catch {
      // A failing error hook must not turn one failure into two.
    }
  }
}
