// The record checks every package shares (the RPC and CLI packages import them from @versioned/objects/internal).

/** An object that is neither null nor an array: a record of keys to values, whatever its class. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A record whose prototype is Object.prototype or null: what JSON gives, not a class instance (a Date, a Map). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!isRecord(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Set a key on a plain object without ever touching its prototype (`__proto__` becomes an own key). */
export function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
