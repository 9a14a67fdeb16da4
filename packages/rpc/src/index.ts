export { RpcError, isRpcError, type RpcErrorCode } from './errors.js';
export { makeTarget, type Target } from './target.js';
export type { Transport, RpcMessage, RpcReply, SerializedFailure, MessageHandler, Listener } from './transport.js';
