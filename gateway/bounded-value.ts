import { createHash } from 'node:crypto';

/** How much of a value a record keeps. */
export interface ValueBounds {
  /** Longer strings are replaced by a marker with their length, start and SHA-256. @default 256 */
  maxString?: number;
  /** Objects and arrays deeper than this (the value itself is depth 0) are replaced by a marker. @default 4 */
  maxDepth?: number;
  /** Items of an array, or keys of an object, kept; a marker counts the rest. @default 32 */
  maxItems?: number;
  /** About how many bytes of JSON the whole value may take; a marker counts what does not fit. @default 4096 */
  maxBytes?: number;
}

/** What stands in place of a string too long to keep. */
export interface OmittedString {
  omitted: 'string';
  length: number;
  start: string;
  sha256: string;
}

// Control characters (C0, DEL, C1), the JSON-hostile line separators, and lone surrogates.
// eslint-disable-next-line no-control-regex -- it finds control characters in order to replace them
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The string with each control character and lone surrogate replaced by U+FFFD, so that it is safe in any log viewer. */
export function safeText(value: string): string {
  return value.replace(UNSAFE, '\ufffd');
}

/** A string kept whole (made safe) if it is short, or else its length, start and SHA-256 (of its UTF-8). */
export function boundString(value: string, maxString = 256): string | OmittedString {
  if (value.length <= maxString) return safeText(value);
  return { omitted: 'string', length: value.length, start: safeText(value.slice(0, 32)), sha256: createHash('sha256').update(value).digest('hex') };
}

/**
 * A copy of a value (as a client sent it: any JSON, of any size or depth) that
 * is safe to write and small whatever the value: strings capped and made
 * safe, nesting, items and total size cut, each cut marked by an object with
 * an `omitted` key. It never recurses deeper than `maxDepth`, so a value nested
 * 100,000 deep costs nothing; JSON.stringify of the copy cannot overflow.
 */
export function boundValue(value: unknown, bounds: ValueBounds = {}): unknown {
  const limits: Required<ValueBounds> = { maxString: 256, maxDepth: 4, maxItems: 32, maxBytes: 4096, ...bounds };
  const budget = { bytes: limits.maxBytes };
  return bound(value, 0, limits, budget);
}

function bound(value: unknown, depth: number, limits: Required<ValueBounds>, budget: { bytes: number }): unknown {
  if (value === null || value === undefined || typeof value === 'boolean') return spend(budget, value ?? null);
  if (typeof value === 'number') return spend(budget, Number.isFinite(value) ? value : null);
  if (typeof value === 'bigint') return bound(value.toString(), depth, limits, budget);
  if (typeof value === 'string') return spend(budget, boundString(value, limits.maxString));
  if (value instanceof Date) return bound(Number.isNaN(value.getTime()) ? null : value.toISOString(), depth, limits, budget);
  if (typeof value !== 'object') return spend(budget, { omitted: typeof value });
  const isArray = Array.isArray(value);
  if (depth >= limits.maxDepth) return spend(budget, { omitted: isArray ? 'array' : 'object', depth: depth + 1 });
  budget.bytes -= 2;
  // As JSON.stringify does: an undefined property is left out (an undefined item becomes null).
  const entries: [string, unknown][] = isArray ? value.map((item, i) => [String(i), item]) : Object.entries(value).filter(([, item]) => item !== undefined);
  const kept: [string, unknown][] = [];
  for (const [key, item] of entries) {
    if (kept.length >= limits.maxItems || budget.bytes <= 0) {
      kept.push(['…', { omitted: 'items', count: entries.length - kept.length }]);
      break;
    }
    const name = isArray ? key : safeKey(key, limits.maxString, budget);
    kept.push([name, bound(item, depth + 1, limits, budget)]);
  }
  return isArray ? kept.map(([, item]) => item) : Object.fromEntries(kept);
}

function safeKey(key: string, maxString: number, budget: { bytes: number }): string {
  const kept = boundString(key, maxString);
  const name = typeof kept === 'string' ? kept : `…(${kept.length} characters, sha256 ${kept.sha256})`;
  budget.bytes -= Buffer.byteLength(name) + 3;
  return name;
}

function spend<T>(budget: { bytes: number }, value: T): T {
  budget.bytes -= Buffer.byteLength(JSON.stringify(value)) + 1;
  return value;
}
