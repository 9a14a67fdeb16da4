import type { FieldType } from '@versioned/objects';
import type { RequestContext } from '../serializer.js';

/**
 * An argument: a field type (required), or `{ type, default }` / `{ type, optional: true }` for one a caller
 * may omit; `ifCapped: 'drop'` lets a client under an older cap send the call without it.
 */
export type ArgDecl<T = any> = FieldType<T> | ArgSpec<T>;

/** One declared argument of a method: its field type, whether it may be omitted, what an older cap does with it. */
export interface ArgSpec<T = any> {
  readonly type: FieldType<T>;
  /** What the server passes when the caller omits it (a function is called for each call). */
  readonly default?: T | (() => T);
  /** The server passes nothing when the caller omits it. */
  readonly optional?: true;
  /** Under a cap older than the argument, send the call without it instead of failing. */
  readonly ifCapped?: 'drop';
}

/** One declared method at a version: its arguments, its result, and what a client under an older cap sends instead. */
export interface MethodDecl {
  readonly args?: Readonly<Record<string, ArgDecl>>;
  /** What the method returns; without one, the result is ignored (`void`). */
  readonly result?: FieldType;
  /** Under a cap older than the method, call this (older) method instead, with `args` mapping the arguments. */
  readonly ifCapped?: {
    /** The older method to call instead. */
    readonly method: string;
    /** How to turn the arguments into the older method's. */
    readonly args?: (args: Record<string, unknown>) => Record<string, unknown>;
  };
}

/** How a method of the previous major maps onto the new one: served by the proxy, used by capped clients. */
export interface PreviousMethod {
  /** The new method serving it (default: the same name). */
  readonly method?: string;
  /** Old arguments -> new ones, for the proxy endpoint. */
  readonly upgrade?: (args: Record<string, unknown>) => Record<string, unknown>;
  /** New arguments -> old ones, for a client capped at the previous major. */
  readonly downgrade?: (args: Record<string, unknown>) => Record<string, unknown>;
}

/** One version of the API: the changelog line and what it changed. */
export interface VersionSpec {
  readonly version: string;
  /** The release it ships in: release -> version aliases come from these. */
  readonly release: string;
  readonly note: string;
  /** New methods; at a new major (X.0), every method the major serves. */
  readonly methods?: Readonly<Record<string, MethodDecl>>;
  /** New arguments of existing methods: method -> { argument: type }. */
  readonly args?: Readonly<Record<string, Readonly<Record<string, ArgDecl>>>>;
  /** At a new major: how the previous major's methods map onto this one. */
  readonly previous?: Readonly<Record<string, PreviousMethod>>;
  /** Stop serving this (previous) major: allowed from the release after the one that opened the new major. */
  readonly retires?: number;
}

// ---- What tsc derives from a history ----

/** The entries of the newest major: those from its X.0 on. */
type CurrentMajor<H extends readonly unknown[], Acc extends readonly unknown[] = []> = H extends readonly [infer E, ...infer R]
  ? CurrentMajor<R, E extends { readonly version: `${number}.0` } ? [E] : [...Acc, E]>
  : Acc;

type Fold<Es extends readonly unknown[], M = {}, A = {}> = Es extends readonly [infer E, ...infer R]
  ? Fold<R, M & (E extends { readonly methods: infer X } ? X : {}), A & (E extends { readonly args: infer Y } ? Y : {})>
  : { methods: M; args: A };

type Table<H extends readonly unknown[]> = Fold<CurrentMajor<H>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The methods of the API's newest major. */
export type MethodName<H extends readonly unknown[]> = keyof Table<H>['methods'] & string;

/** Every argument declaration of a method across the newest major. */
export type ArgDecls<H extends readonly unknown[], M extends string> = (Table<H>['methods'] extends Record<M, { readonly args: infer X }>
  ? X
  : {}) &
  (Table<H>['args'] extends Record<M, infer Y> ? Y : {});

/** The value type of an argument declaration. */
export type ValueOf<D> = D extends FieldType<infer T> ? T : D extends { readonly type: FieldType<infer T> } ? T : never;

type Omittable<D> =
  D extends FieldType<any> ? false : D extends { readonly default: unknown } ? true : D extends { readonly optional: true } ? true : false;
type Absent<D> = D extends { readonly optional: true } ? true : false;

/** What a caller passes: arguments with a default or `optional` may be left out. */
export type CallArgs<D> = Simplify<
  { -readonly [K in keyof D as Omittable<D[K]> extends true ? never : K]: ValueOf<D[K]> } & {
    -readonly [K in keyof D as Omittable<D[K]> extends true ? K : never]?: ValueOf<D[K]> | undefined;
  }
>;

/** What the implementation receives: defaults filled in, only `optional` arguments may be absent. */
export type ServedArgs<D> = Simplify<
  { [K in keyof D as Absent<D[K]> extends true ? never : K]: ValueOf<D[K]> } & {
    [K in keyof D as Absent<D[K]> extends true ? K : never]?: ValueOf<D[K]>;
  }
>;

/** The TypeScript type of a declared method's result (void without one). */
export type ResultOf<H extends readonly unknown[], M extends string> =
  Table<H>['methods'] extends Record<M, { readonly result: FieldType<infer R> }>
    ? R
    : // biome-ignore lint/suspicious/noConfusingVoidType: a method without a result returns nothing, and an implementation returning void must fit
      void;

/** The arguments parameter of a call: optional when the method needs none. */
export type ArgsParam<H extends readonly unknown[], M extends string> =
  {} extends CallArgs<ArgDecls<H, M>> ? [args?: CallArgs<ArgDecls<H, M>>] : [args: CallArgs<ArgDecls<H, M>>];

/** What the server tells a method about the call it serves. */
export interface CallInfo {
  /** The version the caller sent. */
  readonly version: string;
  /** The method the caller named (an old-major name when the proxy serves it). */
  readonly method: string;
}

/** The implementation of an API: one method per method of the newest major. */
export type Implementation<H extends readonly unknown[]> = {
  [M in MethodName<H>]: (
    context: RequestContext,
    args: ServedArgs<ArgDecls<H, M>>,
    call: CallInfo,
  ) => ResultOf<H, M> | Promise<ResultOf<H, M>>;
};
