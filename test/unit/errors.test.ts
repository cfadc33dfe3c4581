import { GraphQLError } from 'graphql';
import { createErrorFormatter } from '../../shared';
import { hasLiteralValues } from '../../gateway';

describe('error formatting', () => {
  const internal = { message: 'relation "records.x" does not exist', path: ['child'], extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['Error: relation', '    at query (shared/database.ts:47)'] } };

  it('masks an unexpected error as "Unexpected error." with no stack trace', () => {
    const masked: unknown[] = [];
    const formatted = createErrorFormatter({ development: false, onMasked: (e) => masked.push(e) })(internal, new Error('boom'));
    expect(formatted).toEqual({ message: 'Unexpected error.', path: ['child'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(masked).toHaveLength(1);
  });

  it('keeps the message and code of errors a caller can act on, without the stack trace', () => {
    const error = new GraphQLError('nhsNumber: bad', { extensions: { code: 'BAD_USER_INPUT', argument: 'nhsNumber' } });
    const formatted = createErrorFormatter({ development: false })({ message: error.message, extensions: { ...error.extensions, stacktrace: ['x'] } }, error);
    expect(formatted).toEqual({ message: 'nhsNumber: bad', extensions: { code: 'BAD_USER_INPUT', argument: 'nhsNumber' } });
  });

  it('masks an error with an unknown code too', () => {
    expect(createErrorFormatter({ development: false })({ message: 'secret', extensions: { code: 'SOMETHING_ODD' } }, null).message).toBe('Unexpected error.');
  });

  it('still names the agency an unexpected error came from', () => {
    const formatted = createErrorFormatter({ development: false })({ ...internal, extensions: { ...internal.extensions, serviceName: 'health' } }, null);
    expect(formatted.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', agency: 'health' });
  });

  it('shows everything in development only', () => {
    expect(createErrorFormatter({ development: true })(internal, null)).toBe(internal);
  });
});

describe('what the gateway may persist', () => {
  it.each([
    ['{ child(nhsNumber: "9990000018") { nhsNumber } }', true],
    ['query ($n: ID!) { child(nhsNumber: $n) { nhsNumber } }', false],
    ['query ($n: ID! = "9990000018") { child(nhsNumber: $n) { nhsNumber } }', true],
    ['query ($n: ID!, $h: Boolean!) { child(nhsNumber: $n) { health @include(if: $h) { conditions { name } } } }', false],
    ['{ searchChildren(family: "Hart", dateOfBirth: "2019-05-14", gender: FEMALE) { score } }', true],
    ['not graphql {', true],
  ])('treats %s as carrying literal values: %s', (operation, expected) => {
    expect(hasLiteralValues(operation)).toBe(expected);
  });
});
