import { GraphQLError } from 'graphql';
import { DEV_AUDIENCE, DEV_ISSUER, signPersonaToken } from '../../dev/personas';
import { createAuthenticator } from '../../gateway';
import {
  boundMessage,
  createContextSigner,
  createContextVerifier,
  createErrorFormatter,
  createKeyPair,
  createSdlRequestSigner,
  ErrorCode,
  quoteInput,
  validateDateArg,
  validateDateTimeArg,
  validateIdentifierArg,
  validateNameArg,
  validateNhsNumberArg,
  validateNhsNumberList,
  validatePostcodeArg,
  validateTextArg,
  type Authority,
} from '../../shared';

const LONG = 'x'.repeat(10_000);

/** What a validator throws for a value, as a client would see it. */
function refusal(check: () => unknown): { message: string; extensions: Record<string, unknown> } {
  try {
    check();
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    return { message: error.message, extensions: error.extensions };
  }
  throw new Error('expected the value to be refused');
}

describe('argument validators', () => {
  it.each([
    ['a name', (v: string) => validateNameArg(v, 'family')],
    ['a postcode', (v: string) => validatePostcodeArg(v, 'postcode')],
    ['a date', (v: string) => validateDateArg(v, 'dateOfBirth')],
    ['a date or time', (v: string) => validateDateTimeArg(v, 'since')],
    ['a reference', (v: string) => validateIdentifierArg(v, 'reference')],
    ['free text', (v: string) => validateTextArg(v, 'note')],
    ['an NHS number', (v: string) => validateNhsNumberArg(v, 'nhsNumber')],
  ])('refuse 10 KB given as %s with BAD_USER_INPUT naming the argument, quoting at most 20 characters', (_label, check) => {
    const { message, extensions } = refusal(() => check(LONG));
    expect(extensions.code).toBe('BAD_USER_INPUT');
    expect(typeof extensions.argument).toBe('string');
    expect(message.startsWith(`${extensions.argument as string}:`)).toBe(true);
    expect(message).not.toContain('x'.repeat(21));
    expect(message.length).toBeLessThan(200);
  });

  it.each([
    ['a NUL', 'Ha\u0000rt'],
    ['an escape', 'Ha\u001brt'],
    ['a zero-width space', 'Ha\u200brt'],
    ['a right-to-left override', 'Ha\u202ert'],
    ['a lone surrogate', 'Ha\ud800rt'],
  ])('refuse a name, a postcode and free text holding %s, and never quote it', (_label, value) => {
    for (const check of [() => validateNameArg(value, 'family'), () => validatePostcodeArg(value, 'postcode'), () => validateTextArg(value, 'note')]) {
      const { message } = refusal(check);
      // eslint-disable-next-line no-control-regex -- the message must hold no control character
      expect(message).not.toMatch(/[\u0000-\u001f\u200b\u202e\ud800]/);
    }
  });

  it('refuses a line break in a name or a postcode (free text may hold one)', () => {
    expect(refusal(() => validateNameArg('Ha\nrt', 'family')).message).toContain('"Ha?rt"');
    expect(refusal(() => validatePostcodeArg('NS1\n4AB', 'postcode')).message).toContain('"NS1?4AB"');
  });

  it('accepts names as people write them, trimmed', () => {
    for (const name of ['Hart', "O'Brien", 'Smith-Jones', 'Zoë', 'Siân', 'José María', 'St. John', 'D’Souza', 'Ng', '王'])
      expect(validateNameArg(` ${name} `, 'given')).toBe(name);
  });

  it.each(['', '   ', 'Hart2', '-Hart', "'", 'Hart; DROP TABLE', 'a'.repeat(101), 'Ha\trt'])('refuses %j as a name', (name) => {
    expect(refusal(() => validateNameArg(name, 'given')).extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'given' });
  });

  it('accepts UK postcodes in any case with or without the space', () => {
    for (const postcode of ['NS1 4AB', 'ns14ab', 'SW1A 1AA', 'M1 1AE', 'B33 8TH', 'CR2 6XH', 'DN55 1PT'])
      expect(validatePostcodeArg(postcode, 'postcode')).toBe(postcode);
  });

  it.each(['NS1', '4AB', 'NS1 4A', 'NS1 4ABC', '12345', 'NS1  4AB XYZ', 'NS1-4AB'])('refuses %j as a postcode', (postcode) => {
    expect(refusal(() => validatePostcodeArg(postcode, 'postcode')).extensions.argument).toBe('postcode');
  });

  it('accepts real calendar dates only', () => {
    for (const date of ['2019-05-14', '2020-02-29', '1900-01-01', '2100-12-31']) expect(validateDateArg(date, 'dateOfBirth')).toBe(date);
    for (const date of [
      '2019-02-30',
      '2019-02-29',
      '2019-13-01',
      '2019-00-10',
      '2019-04-31',
      '0000-01-01',
      '1899-12-31',
      '2019-5-14',
      '14/05/2019',
      '2019-05-14T00:00:00Z',
      '20190514',
    ]) {
      expect(refusal(() => validateDateArg(date, 'dateOfBirth')).extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'dateOfBirth' });
    }
  });

  it('accepts ISO 8601 dates and times that PostgreSQL reads as Date.parse does, and nothing looser', () => {
    for (const value of [
      '2026-01-31',
      '2026-01-31T09:30',
      '2026-01-31T09:30:00Z',
      '2026-01-31T09:30:00.123456Z',
      '2026-01-31T09:30:00+01:00',
      '2026-11-26T05:21:49.054000Z',
    ]) {
      expect(validateDateTimeArg(value, 'since')).toBe(value);
    }
    for (const value of [
      '1',
      'March 7',
      '2026-02-30',
      '2026-01-31T24:00:00Z',
      '2026-01-31T09:60',
      '2026-01-31T09:30:00+99:00',
      '2026-01-31 09:30',
      'yesterday',
      '0000-01-01',
    ]) {
      expect(refusal(() => validateDateTimeArg(value, 'since')).extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'since' });
    }
  });

  it('accepts references and ids as systems of record write them', () => {
    for (const id of ['TEN0000001-C1', '3f2c1e0a-9b8d-4c7e-a6f5-1d2e3f4a5b6c', 'NH:42']) expect(validateIdentifierArg(id, 'reference')).toBe(id);
    for (const id of ['', ' ', '-x', 'a b', 'x'.repeat(65), "x' OR '1'='1"])
      expect(refusal(() => validateIdentifierArg(id, 'reference')).extensions.argument).toBe('reference');
  });

  it('accepts free text with line breaks, and refuses text with nothing visible', () => {
    expect(validateTextArg('  Justified: unconscious child.\nNo history available.  ', 'note')).toBe('Justified: unconscious child.\nNo history available.');
    expect(refusal(() => validateTextArg(' \u200b\u200b ', 'note')).message).toBe('note: give some text');
    expect(refusal(() => validateTextArg('x'.repeat(2001), 'note')).extensions.argument).toBe('note');
  });

  it('quotes a short prefix of a bad value, each unprintable character as ?', () => {
    expect(quoteInput('Hart')).toBe('"Hart"');
    expect(quoteInput(`a\u0000b\u202e${'c'.repeat(30)}`)).toBe(`"a?b?${'c'.repeat(16)}…" (34 characters)`);
  });
});

describe('NHS number arguments', () => {
  it('names the rule a bad number breaks, quoting no more than a short prefix', () => {
    expect(refusal(() => validateNhsNumberArg('9990000019')).message).toBe(
      'nhsNumber: "9990000019" is not an NHS number: its check digit fails the Modulus 11 check',
    );
    expect(refusal(() => validateNhsNumberArg(`999000001${'8'.repeat(10_000)}`)).message).toBe(
      `nhsNumber: "99900000188888888888…" (10009 characters) is not an NHS number: it must be exactly 10 digits`,
    );
    expect(refusal(() => validateNhsNumberArg('999000\u00000018')).message).toContain('"999000?0018"');
  });

  it('still ignores spaces as people write them, and names the element of a list', () => {
    expect(validateNhsNumberArg('999 000 0018')).toBe('9990000018');
    expect(refusal(() => validateNhsNumberList(['9990000018', 'nope'])).extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'nhsNumbers[1]' });
  });
});

describe('error messages', () => {
  const format = createErrorFormatter({ development: false });

  it('cuts a value graphql-js quotes whole to a short prefix', () => {
    const message = `Variable "$n" got invalid value "${LONG}"; ID cannot represent value: "${LONG}"`;
    const bounded = boundMessage(message);
    expect(bounded).not.toContain('x'.repeat(41));
    expect(bounded).toContain('(10000 characters)');
    expect(format({ message, extensions: { code: 'BAD_USER_INPUT' } }, null).message).toBe(bounded);
  });

  it("gives Apollo Server's code-less refusal of a persisted query hash its own code", () => {
    const error = new GraphQLError('provided sha does not match query', { extensions: { http: { status: 400 } } });
    expect(format({ message: error.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }, error)).toEqual({
      message: 'extensions.persistedQuery.sha256Hash is not the SHA-256 of the query sent with it',
      extensions: { code: 'PERSISTED_QUERY_HASH_MISMATCH' },
    });
  });

  it('still masks a code-less error that Apollo answers with 500', () => {
    const error = new GraphQLError('relation "records.patient" does not exist');
    expect(format({ message: error.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }, error)).toEqual({
      message: 'Unexpected error.',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });

  it.each([ErrorCode.RATE_LIMITED, ErrorCode.DEADLINE_EXCEEDED])('lets %s through with its extensions', (code) => {
    const formatted = format({ message: 'Slow down.', extensions: { code, retryAfterSeconds: 3, stacktrace: ['x'] } }, null);
    expect(formatted).toEqual({ message: 'Slow down.', extensions: { code, retryAfterSeconds: 3 } });
  });
});

describe('a break-glass justification', () => {
  const authority = async (breakGlass: string) => {
    const keys = await createKeyPair('unit-idp');
    const authenticate = createAuthenticator({ keys: keys.publicJwks, issuer: DEV_ISSUER, audience: DEV_AUDIENCE });
    const token = await signPersonaToken('dr.lee', keys.privateJwk);
    return authenticate({ authorization: `Bearer ${token}`, 'x-purpose-of-use': 'emergency-care', 'x-break-glass': breakGlass });
  };
  const refused = async (breakGlass: string) => {
    const error = await authority(breakGlass).then(
      () => null,
      (e: GraphQLError) => e,
    );
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error!.extensions).toMatchObject({ code: 'BAD_REQUEST', header: 'x-break-glass' });
    expect(error!.message).toContain('X-Break-Glass');
    expect(error!.message).not.toContain(breakGlass.slice(0, 30));
    return error!.message;
  };
  /** UTF-8 bytes as Node's HTTP parser hands them over: each byte a latin1 character. */
  const onTheWire = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

  it('accepts 20 letters and digits of ASCII, trimmed', async () => {
    expect((await authority('  Unconscious child in resus, no history  ')).breakGlass).toBe('Unconscious child in resus, no history');
  });

  it('accepts other text percent-encoded as an RFC 8187 value, stored as written', async () => {
    const text = 'Enfant inconscient à l’accueil, aucun antécédent';
    expect((await authority(`UTF-8''${encodeURIComponent(text)}`)).breakGlass).toBe(text);
  });

  it('refuses 30 zero-width spaces, raw or encoded, and 20 characters that are mostly spaces and punctuation', async () => {
    expect(await refused(onTheWire('\u200b'.repeat(30)))).toContain('must be ASCII');
    expect(await refused(`UTF-8''${'%E2%80%8B'.repeat(30)}`)).toContain('invisible');
    expect(await refused(`a b c d e f g h i j k l m n o p q r s - - - - - - - -`)).toContain('at least 20 characters');
  });

  it('refuses UTF-8 sent raw (it would be stored garbled), and percent-encoding that is not UTF-8', async () => {
    expect(await refused(onTheWire('Enfant inconscient à l’accueil, aucun antécédent'))).toContain("UTF-8''");
    expect(await refused("UTF-8''Unconscious%20child%20in%20resus%FF%FE")).toContain('not valid percent-encoded UTF-8');
    expect(await refused("UTF-8''Unconscious%20child%20in%20resus%00%00")).toContain('control');
  });

  it('refuses more than 500 characters, and 10 KB without reading it', async () => {
    await authority('x'.repeat(500));
    expect(await refused('x'.repeat(501))).toContain('at most 500');
    expect(await refused('x'.repeat(10_000))).toContain('at most 500');
  });
});

describe("the signed request for a subgraph's SDL", () => {
  it("verifies as no authority, for that subgraph only; a practitioner's context still verifies as theirs", async () => {
    const keys = await createKeyPair('unit-gateway');
    const verify = createContextVerifier({ gatewayKeys: keys.publicJwks, agency: 'health' });
    const sdl = createSdlRequestSigner({ privateJwk: keys.privateJwk });
    expect(await verify(await sdl('health'))).toBeNull();
    await expect(verify(await sdl('socialcare'))).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    await expect(verify(await createSdlRequestSigner({ privateJwk: (await createKeyPair('forger')).privateJwk })('health'))).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
    });
    const authority: Authority = { caller: { sub: 'a', name: 'A', org: 'o', orgType: 'hospital', roles: ['gp'] }, purpose: 'direct-care', traceId: 't' };
    expect(await verify(await createContextSigner({ privateJwk: keys.privateJwk })(authority, 'health'))).toEqual(authority);
  });
});
