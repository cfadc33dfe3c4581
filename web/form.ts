/** A value as text when it is a string, else '' (a token's claim of another type, a form field sent twice). */
export function textOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** A field of a posted form as the text a person typed: '' when it is missing or not one string. */
export function formText(body: unknown, name: string): string {
  return textOf((body as Record<string, unknown>)[name]);
}
