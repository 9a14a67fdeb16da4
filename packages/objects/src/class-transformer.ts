// The class-transformer entry, `@versioned/objects/class-transformer`: import it once (before or after the
// classes are declared) and class-transformer sees a versioned object's fields, as NestJS's
// ClassSerializerInterceptor and ValidationPipe({ transform: true }) use them:
// - instanceToPlain(obj) gives what obj.toPlain() gives (set fields, children as plain objects, never the
//   internal state); an unset field comes out as `undefined` (absent from JSON), or not at all with
//   `exposeUnsetFields: false`;
// - plainToInstance(Volume, plain) assigns each field from its plain form, checked as fromPlain() checks it,
//   and throws a typed error at the field's path (`Volume.attachments[2].id: expected a UUID`).
// class-transformer reads an instance's own keys and the names declared with @Expose(): each field is exposed
// under its name through a symbol-keyed accessor, so reading an unset field never calls loadAttr().
import { Expose } from 'class-transformer';
import { onDecorated } from './decorators.js';
import type { FieldDef } from './meta.js';
import { assignPlainField, plainField } from './plain.js';
import type { VersionedObject } from './object.js';

const keys = new Map<string, symbol>();

/** One symbol per field name, shared by every class, so that a subclass and its parent expose the same key. */
function keyOf(name: string): symbol {
  let key = keys.get(name);
  if (!key) keys.set(name, (key = Symbol(`@versioned/objects plain ${name}`)));
  return key;
}

function expose(proto: object, def: FieldDef): void {
  const key = keyOf(def.name);
  if (Object.hasOwn(proto, key)) return;
  Object.defineProperty(proto, key, {
    configurable: true,
    enumerable: false,
    get(this: VersionedObject): unknown {
      return plainField(this, def);
    },
    set(this: VersionedObject, value: unknown): void {
      // class-transformer assigns `undefined` for the exposed names a plain object lacks: leave those unset.
      if (value !== undefined) assignPlainField(this, def, value);
    },
  });
  Expose({ name: def.name })(proto, key);
}

onDecorated((meta) => {
  for (const def of meta.fields) expose(meta.cls.prototype, def);
});
