import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import { BREAK, parse, visit } from 'graphql';

/**
 * Guards the gateway's shared state: a persisted query is kept only when its
 * text carries no literal values (an NHS number, a name, a date), so that
 * nothing identifying a child is ever written there. Operations that pass such
 * values as variables — as clients should — are persisted as usual; the rest
 * still run, they are just not kept.
 */
export class OperationShapeCache implements KeyValueCache<string> {
  constructor(private readonly inner: KeyValueCache<string>) {}

  get(key: string): Promise<string | undefined> {
    return this.inner.get(key);
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    if (key.startsWith('apq:') && hasLiteralValues(value)) return;
    await this.inner.set(key, value, options);
  }

  delete(key: string): Promise<boolean | void> {
    return this.inner.delete(key);
  }
}

export function hasLiteralValues(operation: string): boolean {
  let found = false;
  try {
    visit(parse(operation), {
      StringValue() {
        found = true;
        return BREAK;
      },
      IntValue() {
        found = true;
        return BREAK;
      },
      FloatValue() {
        found = true;
        return BREAK;
      },
      EnumValue() {
        found = true;
        return BREAK;
      },
      // Directive arguments such as @include(if: true) carry no record data.
      Directive() {
        return false;
      },
    });
  } catch {
    return true;
  }
  return found;
}
