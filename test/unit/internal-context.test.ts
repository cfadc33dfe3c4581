import { SignJWT } from 'jose';
import { createContextSigner, createContextVerifier, createKeyPair, GATEWAY_KEY_ALGORITHM, type Authority } from '../../shared';

const authority: Authority = {
  caller: { sub: 'sw.jones', name: 'Sam Jones', org: 'NS001', orgType: 'local-authority', roles: ['social-worker'] },
  purpose: 'safeguarding',
  traceId: 'trace-1',
};

describe("the gateway's signed context", () => {
  it('is signed with EdDSA by new gateway keys, and verified by the agency it is meant for', async () => {
    expect(GATEWAY_KEY_ALGORITHM).toBe('EdDSA');
    const keys = await createKeyPair('gateway-unit', GATEWAY_KEY_ALGORITHM);
    const token = await createContextSigner({ privateJwk: keys.privateJwk })(authority, 'health');
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())).toMatchObject({ alg: 'EdDSA', kid: 'gateway-unit' });
    await expect(createContextVerifier({ gatewayKeys: keys.publicJwks, agency: 'health' })(token)).resolves.toEqual(authority);
    await expect(createContextVerifier({ gatewayKeys: keys.publicJwks, agency: 'housing' })(token)).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });

  it('is still accepted from a gateway whose key was made ES256, before EdDSA', async () => {
    const keys = await createKeyPair('gateway-es256', 'ES256');
    const token = await createContextSigner({ privateJwk: keys.privateJwk })(authority, 'identity');
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())).toMatchObject({ alg: 'ES256' });
    await expect(createContextVerifier({ gatewayKeys: keys.publicJwks, agency: 'identity' })(token)).resolves.toEqual(authority);
  });

  it('is refused when signed by another key, or with a symmetric algorithm keyed on the public key', async () => {
    const gateway = await createKeyPair('gateway-unit', GATEWAY_KEY_ALGORITHM);
    const forger = await createKeyPair('gateway-unit', GATEWAY_KEY_ALGORITHM);
    const verify = createContextVerifier({ gatewayKeys: gateway.publicJwks, agency: 'health' });
    await expect(verify(await createContextSigner({ privateJwk: forger.privateJwk })(authority, 'health'))).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
    });
    const publicKeyBytes = new TextEncoder().encode(JSON.stringify(gateway.publicJwks.keys[0]));
    const confused = await new SignJWT({ authority })
      .setProtectedHeader({ alg: 'HS256', kid: 'gateway-unit' })
      .setIssuer('child-view-gateway')
      .setAudience('health')
      .setExpirationTime('60s')
      .sign(publicKeyBytes);
    await expect(verify(confused)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('cannot be signed with a key of another algorithm: the gateway fails to start, naming it', () => {
    expect(() => createContextSigner({ privateJwk: { kty: 'RSA', alg: 'RS256' } })).toThrow(/must be EdDSA \(Ed25519\) or ES256; it is RS256/);
  });
});
