import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { basename, join, resolve } from 'node:path';
import type { GraphQLError } from 'graphql';
import { z } from 'zod';
import { ConfigError, ErrorCode, graphqlError } from '../shared';

/**
 * `enforce`: a client runs only the operations in its own manifest, sent by hash; anything else is refused before
 * it is parsed. `allow` (development): registered operations run by hash, and free-form operations run too.
 */
export type TrustedDocumentsMode = 'enforce' | 'allow';

/** Each client's registered operations: client name (its `apollographql-client-name`) → SHA-256 (hex) → document. */
export type TrustedDocumentManifests = ReadonlyMap<string, ReadonlyMap<string, string>>;

export interface TrustedDocuments {
  mode: TrustedDocumentsMode;
  manifests: TrustedDocumentManifests;
}

/** The repository's manifests, written by `npm run codegen` (tools/codegen). */
export const DEFAULT_TRUSTED_DOCUMENTS_DIR = resolve(__dirname, '..', 'trusted-documents');

/** The hash a document is registered and sent under: the SHA-256 of its text, in hex (as Apollo's persisted queries). */
export const trustedDocumentHash = (document: string) => createHash('sha256').update(document).digest('hex');

/** The header a client names itself in; the name selects its manifest. */
export const CLIENT_NAME_HEADER = 'apollographql-client-name';

const manifestShape = z.record(z.string(), z.string().min(1, 'expected a GraphQL document'));
const HASH = /^[0-9a-f]{64}$/;
const clientNameShape = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * Reads every `<client-name>.json` in `dir`. A manifest that does not parse, or in which a hash is not the SHA-256 of
 * its document, stops the gateway: it would otherwise run something nobody registered.
 */
export function loadTrustedDocumentManifests(dir: string): TrustedDocumentManifests {
  if (!existsSync(dir)) throw new ConfigError(`Invalid configuration:\n  TRUSTED_DOCUMENTS_DIR="${dir}": no such folder`);
  const manifests = new Map<string, ReadonlyMap<string, string>>();
  for (const file of readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()) {
    const client = basename(file, '.json');
    const where = `trusted-documents manifest ${join(dir, file)}`;
    if (!clientNameShape.test(client)) throw new ConfigError(`${where}: "${client}" is not a client name (lower-case letters, digits, ".", "_" and "-")`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    } catch (error) {
      throw new ConfigError(`${where}: not JSON (${(error as Error).message})`);
    }
    const checked = manifestShape.safeParse(parsed);
    if (!checked.success) {
      throw new ConfigError(`${where}: ${checked.error.issues.map((i) => `${i.path.join('.') || 'manifest'}: ${i.message}`).join('; ')}`);
    }
    for (const [hash, document] of Object.entries(checked.data)) {
      if (!HASH.test(hash)) throw new ConfigError(`${where}: ${JSON.stringify(hash.slice(0, 80))}: expected a SHA-256 in lower-case hex`);
      if (trustedDocumentHash(document) !== hash) throw new ConfigError(`${where}: ${hash} is not the SHA-256 of its document`);
    }
    manifests.set(client, new Map(Object.entries(checked.data)));
  }
  return manifests;
}

function refuse(code: typeof ErrorCode.TRUSTED_DOCUMENT_REQUIRED | typeof ErrorCode.TRUSTED_DOCUMENT_NOT_FOUND, message: string): GraphQLError {
  return graphqlError(code, message, { http: { status: 400 } });
}

/** What the request carries, read the way Apollo Server will read it (a JSON body for POST, the URL for GET). */
function requestedDocument(req: IncomingMessage, body: unknown): { query?: unknown; hash?: unknown } {
  if (req.method === 'GET') {
    const search = new URL(req.url ?? '/', 'http://localhost').searchParams;
    let extensions: unknown;
    try {
      extensions = JSON.parse(search.get('extensions') ?? 'null');
    } catch {
      extensions = undefined;
    }
    return { query: search.get('query') ?? undefined, hash: persistedHash(extensions) };
  }
  const request = (body !== null && typeof body === 'object' ? body : {}) as { query?: unknown; extensions?: unknown };
  return { query: request.query, hash: persistedHash(request.extensions) };
}

function persistedHash(extensions: unknown): unknown {
  if (extensions === null || typeof extensions !== 'object') return undefined;
  const persisted = (extensions as { persistedQuery?: unknown }).persistedQuery;
  return persisted !== null && typeof persisted === 'object' ? (persisted as { sha256Hash?: unknown }).sha256Hash : undefined;
}

export interface TrustedDocumentContext {
  /** The registered document this request runs, found by its hash in its client's manifest. */
  trustedDocument?: string;
}

/**
 * Trusted documents (persisted operations as an allow-list), in two parts:
 * - `resolve`, called while the request's context is made (before Apollo Server parses anything): finds the
 *   document a hash names in the sending client's manifest, or refuses the request with a stable code;
 * - `trustedDocumentsPlugin` (plugins/), first of the gateway's plugins: puts that document in place of the hash,
 *   so that everything after it (limits, authorisation, audit, the planner) sees the registered text and nothing
 *   the client sent.
 * A hash is never registered by a client: in `enforce` a hash not in the client's manifest is refused; in `allow` it
 * is left to Apollo Server's automatic persisted queries, as free-form operations are.
 */
export function trustedDocuments(options: TrustedDocuments) {
  const { mode, manifests } = options;
  return {
    mode,
    resolve(req: IncomingMessage, body: unknown): string | undefined {
      const { query, hash } = requestedDocument(req, body);
      const clientName = req.headers[CLIENT_NAME_HEADER];
      const client = typeof clientName === 'string' ? clientName : undefined;
      if (typeof hash === 'string') {
        const document = client === undefined ? undefined : manifests.get(client)?.get(hash);
        if (document !== undefined) return document;
        if (mode === 'allow') return undefined;
        if (client === undefined)
          throw refuse(
            ErrorCode.TRUSTED_DOCUMENT_NOT_FOUND,
            `Only registered operations run here: name your client in the ${CLIENT_NAME_HEADER} header, whose manifest holds this hash`,
          );
        if (!manifests.has(client))
          throw refuse(
            ErrorCode.TRUSTED_DOCUMENT_NOT_FOUND,
            `Only registered operations run here, and the client "${client.slice(0, 64)}" has registered none`,
          );
        throw refuse(
          ErrorCode.TRUSTED_DOCUMENT_NOT_FOUND,
          `The operation ${hash.slice(0, 64)} is not registered for the client "${client.slice(0, 64)}": regenerate and deploy its trusted-documents manifest`,
        );
      }
      if (mode === 'enforce') {
        throw refuse(
          ErrorCode.TRUSTED_DOCUMENT_REQUIRED,
          query === undefined
            ? 'Only registered operations run here: send extensions.persistedQuery.sha256Hash with your client name'
            : 'Only registered operations run here: send a registered operation by its hash (extensions.persistedQuery.sha256Hash), not its text',
        );
      }
      return undefined;
    },
  };
}
