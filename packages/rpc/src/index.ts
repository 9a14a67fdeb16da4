export { RpcError, isRpcError, type RpcErrorCode } from './errors.js';
export { makeTarget, type Target } from './target.js';
export type { Transport, RpcMessage, RpcReply, SerializedFailure, MessageHandler, Listener } from './transport.js';
export { RabbitTransport, type RabbitTransportOptions } from './rabbit/transport.js';
export type { ReconnectPolicy } from './rabbit/connection.js';
export type { TopologyOptions } from './rabbit/topology.js';
