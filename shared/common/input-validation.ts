import { badUserInput } from './errors';

/**
 * Argument checks every subgraph makes the same way, before any SQL: a bad
 * value is BAD_USER_INPUT with `extensions.argument` naming the argument, and
 * the message quotes at most a short, cleaned prefix of what was sent.
 * Arguments stay `String`/`ID` in the schema (custom scalars would change the
 * composed schema's types, and every client's variable declarations with them).
 */

/** The most characters of a bad value an error message quotes. */
export const ECHO_LENGTH = 20;

/** Control characters (NUL among them), invisible formatting characters and lone surrogates. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u;
const UNPRINTABLE_ALL = new RegExp(UNPRINTABLE.source, 'gu');
/** The same, less tab, line feed and carriage return, which free text may hold. */
// eslint-disable-next-line no-control-regex -- it finds control characters in order to refuse them
const UNPRINTABLE_IN_TEXT = /[\0-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\p{Cf}]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u;

/**
 * A bad value as an error message may show it: at most ECHO_LENGTH characters, each
 * unprintable one as `?`, in quotes, with how long it was when it was cut.
 */
export function quoteInput(value: string, max = ECHO_LENGTH): string {
  const chars = [...value];
  const shown = chars.slice(0, max).join('').replace(UNPRINTABLE_ALL, '?');
  return chars.length > max ? `"${shown}…" (${chars.length} characters)` : `"${shown}"`;
}

/** True when the value holds a control character (NUL among them), an invisible formatting character or a lone surrogate. */
export function hasUnprintable(value: string, allowLineBreaks = false): boolean {
  return (allowLineBreaks ? UNPRINTABLE_IN_TEXT : UNPRINTABLE).test(value);
}

function refuse(argument: string, value: string, why: string): never {
  throw badUserInput(`${argument}: ${quoteInput(value)} ${why}`, { argument });
}

/** Letters (any script, with their accents), then letters, spaces, hyphens, apostrophes and full stops. */
const NAME = /^\p{L}\p{M}*[\p{L}\p{M} '’.-]*$/u;
/** The most characters of a name (PDS holds at most 35 per name part; two parts and a space fit). */
export const NAME_MAX_LENGTH = 100;

/** A person's name, trimmed: 1–100 characters, letters first, then letters, spaces, hyphens, apostrophes and full stops. */
export function validateNameArg(value: string, argument: string): string {
  const name = value.trim();
  if (name.length === 0) refuse(argument, value, 'is empty: give a name');
  if (name.length > NAME_MAX_LENGTH) refuse(argument, value, `is too long for a name (at most ${NAME_MAX_LENGTH} characters)`);
  if (!NAME.test(name)) refuse(argument, value, 'is not a name: letters, spaces, hyphens, apostrophes and full stops only');
  return name;
}

/** A full UK postcode once spaces are removed: outward code (area, district) and inward code (sector, unit). */
const POSTCODE = /^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$/;

/** A full UK postcode, such as NS1 4AB; any case, spaces anywhere. Returned as written, trimmed. */
export function validatePostcodeArg(value: string, argument: string): string {
  const postcode = value.trim();
  if (postcode.length > 10 || !POSTCODE.test(postcode.replace(/ /g, '').toUpperCase())) {
    refuse(argument, value, 'is not a UK postcode such as NS1 4AB');
  }
  return postcode;
}

/** The years a date argument may fall in: PostgreSQL refuses year 0, and no record here is older than 1900. */
const YEARS = { min: 1900, max: 2100 };
/** The first year a period's end may fall in: four digits (ISO 8601 without an expanded year), so never year 0. */
const PERIOD_FIRST_YEAR = 1000;

function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** A real calendar date written YYYY-MM-DD, from 1900 to 2100 (so 2019-02-30 is refused). */
export function validateDateArg(value: string, argument: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) refuse(argument, value, 'is not a date as YYYY-MM-DD');
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < YEARS.min || year > YEARS.max) refuse(argument, value, `is not a date from ${YEARS.min} to ${YEARS.max}`);
  if (!isCalendarDate(year, month, day)) refuse(argument, value, 'is not a calendar date');
  return value;
}

/** ISO 8601 in its extended form, as PostgreSQL and Date.parse both read it: a date, or a date and time with an optional zone. */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))?)?$/;

/**
 * True for an ISO 8601 date or date and time (2026-01-31, 2026-01-31T09:30:00Z, 2026-01-31T09:30+01:00) on a real
 * calendar day of a year 1000 to 9999. Stricter than Date.parse, which takes "1" or "March 7" that PostgreSQL refuses.
 */
export function isIsoDateTime(value: string): boolean {
  const match = DATE_TIME.exec(value);
  if (!match) return false;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, zoneHours = 0, zoneMinutes = 0] = match.slice(1, 9).map((part) => Number(part ?? 0));
  return (
    year >= PERIOD_FIRST_YEAR &&
    isCalendarDate(year, month, day) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    zoneHours <= 14 &&
    zoneMinutes <= 59 &&
    !Number.isNaN(Date.parse(value))
  );
}

/** An ISO 8601 date or date and time, as `isIsoDateTime` takes it. */
export function validateDateTimeArg(value: string, argument: string): string {
  if (!isIsoDateTime(value)) refuse(argument, value, 'is not an ISO 8601 date or time, such as 2026-01-31 or 2026-01-31T09:30:00Z');
  return value;
}

/** A reference or id as systems of record write them: letters, digits and `. _ : / -`, starting with a letter or digit. */
const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/;

/** An identifier (a grant's id, housing's reference for a household member), trimmed: at most `max` characters. @default max 64 */
export function validateIdentifierArg(value: string, argument: string, max = 64): string {
  const id = value.trim();
  if (id.length === 0 || id.length > max || !IDENTIFIER.test(id)) {
    refuse(argument, value, `is not a reference: 1 to ${max} letters, digits and . _ : / -`);
  }
  return id;
}

/** Free text a person writes (a review's note), trimmed: some visible text, at most `max` characters, line breaks allowed, no control characters. @default max 2000 */
export function validateTextArg(value: string, argument: string, max = 2000): string {
  const text = value.trim();
  if (!/[\p{L}\p{N}]/u.test(text)) throw badUserInput(`${argument}: give some text`, { argument });
  if (text.length > max) refuse(argument, value, `is too long (at most ${max} characters)`);
  if (hasUnprintable(text, true)) refuse(argument, value, 'holds control or invisible characters');
  return text;
}
