// The public API of @versioned/rpc, name by name: what is not listed here is internal to the package
// (findMethod, toFailure/fromFailure, errorModule; the version functions are @versioned/objects').
// packages/rpc/api/rpc.api.md is the report of it.
export { RpcError, isRpcError, type RpcErrorCode } from './errors.js';
export { makeTarget, type Target } from './target.js';
export type { Transport, RpcMessage, RpcReply, SerializedFailure, MessageHandler, Listener } from './transport.js';
export { DEFAULT_MESSAGE_VERSION, versionIsCompatible } from './version.js';
export { RpcClient, DEFAULT_TIMEOUT_MS, type RpcClientOptions, type PrepareOptions, type VersionCapSource } from './client.js';
export { RpcServer, type RpcServerOptions } from './server.js';
export { RpcDispatcher, type RpcEndpoint, type EndpointTarget, type EndpointMethod, type Dispatch } from './dispatcher.js';
export {
  NoOpSerializer,
  ObjectsRpcSerializer,
  OBJ_MANIFEST_CONTEXT_KEY,
  type RpcSerializer,
  type RequestContext,
  type EntityRole,
  type ManifestSource,
  type ObjectsRpcSerializerOptions,
} from './serializer.js';
export {
  RPC_ERROR_MODULE,
  OBJECTS_ERROR_MODULE,
  BUILTIN_ERROR_MODULE,
  PYTHON_BUILTIN_FOR,
  type RemoteErrorClass,
} from './failure.js';
export { InMemoryTransport, type InMemoryTransportOptions } from './memory/transport.js';
export { InMemoryBroker, type Subscription } from './memory/broker.js';
export { RabbitTransport, type RabbitTransportOptions } from './rabbit/transport.js';
export type { ReconnectPolicy, ConnectionState } from './rabbit/connection.js';
export { MAX_TIMER_MS, timeoutError, closedError } from './transport-contract.js';
export type { TopologyOptions } from './rabbit/topology.js';
export { RpcApi, defineRpcApi, isRpcApi, type RpcApiSpec, type RpcApiDescription, type TypeRecord } from './api/api.js';
export { RpcApiClient, type ApiClientOptions, type ApiPrepareOptions } from './api/client.js';
export { planCall, type PlannedCall } from './api/plan.js';
export type {
  ArgDecl,
  ArgSpec,
  MethodDecl,
  PreviousMethod,
  VersionSpec,
  CallInfo,
  Implementation,
  MethodName,
  ArgDecls,
  CallArgs,
  ServedArgs,
  ResultOf,
  ArgsParam,
} from './api/types.js';
