import { createHash } from 'node:crypto';
import { appendFile, mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { ErrorCode, type AuditHead, type DeniedPath, type Logger, type WitnessedHead } from '../shared';
import type { GatewayContext } from './agency-data-source';
import { operationSubjects } from './operation-subjects';

/** What the gateway records of one operation: metadata only, never a record value an agency returned. */
export interface GatewayAuditEntry {
  at: string;
  traceId: string;
  caller: { sub: string; name: string; roles: string[]; org: string };
  purpose: string;
  breakGlass: { justification: string; grant: string | null } | null;
  operation: { type: string; name: string | null; hash: string };
  /** The NHS numbers asked for. */
  children: string[];
  /** Searches, with their parameters, as ContactPoint audited them. */
  searches: Record<string, unknown>[];
  /** Fields the gateway withheld before planning, with the policy and the reason. */
  filtered: { path: string; policy: string; reason: string }[];
  /**
   * The newest head of each agency's audit chain that an agency showed this gateway since its line
   * before: kept as a witness, so that an agency's chain rewritten later no longer matches it.
   */
  witnessed?: Record<string, WitnessedAt>;
}

/** A head an agency showed, with when the gateway received it. */
export type WitnessedAt = Omit<WitnessedHead, 'where'>;

/** A line written when the gateway stops, with the heads the agencies showed it since its last operation's line. */
export interface GatewayWitnessLine {
  at: string;
  kind: 'witnessed';
  witnessed: Record<string, WitnessedAt>;
}

/**
 * The gateway's own audit log: one line per operation in an append-only JSON
 * lines file, each carrying the hash of the line before (so a gap or an edit
 * shows), written before anything is fetched. If it cannot be written, the
 * operation is refused with AUDIT_UNAVAILABLE. Each line also carries the
 * heads of the agencies' chains that the agencies showed since the line before
 * (`witness`), as a witness that `npm run audit -- verify --gateway-log`
 * holds each agency's chain against.
 */
export function createGatewayAudit(options: { path: string; logger: Logger }) {
  let last: Promise<string> | undefined;
  // The newest head each agency has shown since the last line written (responses may arrive out of order).
  const heads = new Map<string, WitnessedAt>();
  const keep = (agency: string, head: WitnessedAt): void => {
    const known = heads.get(agency);
    if (!known || head.seq > known.seq) heads.set(agency, head);
  };
  const witness = (agency: string, head: AuditHead): void => keep(agency, { seq: head.seq, hash: head.hash, at: new Date().toISOString() });
  const takeHeads = (): Record<string, WitnessedAt> | undefined => {
    if (heads.size === 0) return undefined;
    const taken = Object.fromEntries(heads);
    heads.clear();
    return taken;
  };
  // Heads whose line was not written go back for the next one, unless an agency has shown a newer head since.
  const putBack = (taken: Record<string, WitnessedAt> | undefined): void => {
    for (const [agency, head] of Object.entries(taken ?? {})) keep(agency, head);
  };
  // Where the chain stands: the hash on the file's last line, read from its end (the log only grows).
  const previousHash = async (): Promise<string> => {
    let file;
    try {
      file = await open(options.path, 'r');
    } catch {
      return '0'.repeat(64);
    }
    try {
      const { size } = await file.stat();
      const length = Math.min(size, 256 * 1024);
      const { buffer } = await file.read(Buffer.alloc(length), 0, length, size - length);
      const last = buffer.toString('utf8').trimEnd().split('\n').at(-1);
      return last ? (JSON.parse(last) as { hash: string }).hash : '0'.repeat(64);
    } finally {
      await file.close();
    }
  };
  const append = (entry: GatewayAuditEntry | GatewayWitnessLine): Promise<string> => {
    const next = (last ?? mkdir(dirname(options.path), { recursive: true }).then(previousHash)).then(async (prev) => {
      const hash = createHash('sha256').update(`${prev}|${JSON.stringify(entry)}`).digest('hex');
      await appendFile(options.path, `${JSON.stringify({ ...entry, prevHash: prev, hash })}\n`);
      return hash;
    });
    // A failed write leaves the chain where it was for the next one.
    last = next.catch(() => previousHash());
    return next;
  };
  const plugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return {
        async didResolveOperation(rc) {
          const operation = rc.operation;
          if (!operation) return;
          const authority = rc.contextValue.authority;
          const { children, searches } = operationSubjects(rc);
          const filtered = (rc.contextValue.filtered ?? []).map((d: DeniedPath) => ({ path: d.path.join('.'), policy: d.policy, reason: d.reason }));
          const witnessed = takeHeads();
          try {
            await append({
              at: new Date().toISOString(), traceId: authority.traceId,
              caller: { sub: authority.caller.sub, name: authority.caller.name, roles: [...authority.caller.roles], org: authority.caller.org },
              purpose: authority.purpose,
              breakGlass: authority.breakGlass ? { justification: authority.breakGlass, grant: authority.breakGlassGrant?.id ?? null } : null,
              operation: { type: operation.operation, name: rc.operationName ?? null, hash: rc.queryHash ?? '' },
              children, searches, filtered,
              ...(witnessed ? { witnessed } : {}),
            });
          } catch (error) {
            putBack(witnessed);
            options.logger.error({ err: error, traceId: authority.traceId }, 'could not write the gateway audit log: operation refused');
            throw new GraphQLError('The operation could not be recorded in the gateway\'s audit log, so nothing is disclosed.', { extensions: { code: ErrorCode.AUDIT_UNAVAILABLE } });
          }
        },
      };
    },
  };
  /** Writes the heads not yet written, if any, in a line of their own (when the gateway stops). */
  const flush = async (): Promise<void> => {
    const witnessed = takeHeads();
    if (!witnessed) return;
    try {
      await append({ at: new Date().toISOString(), kind: 'witnessed', witnessed });
    } catch (error) {
      putBack(witnessed);
      throw error;
    }
  };
  return { plugin, append, witness, flush };
}

/** Walks a gateway audit file and reports the first line whose hash or link does not hold. */
export async function verifyGatewayAudit(path: string): Promise<{ lines: number; broken: { line: number; detail: string } | null }> {
  const lines = (await readFile(path, 'utf8')).split('\n').filter(Boolean);
  let prev = '0'.repeat(64);
  for (const [i, line] of lines.entries()) {
    const { prevHash, hash, ...entry } = JSON.parse(line) as (GatewayAuditEntry | GatewayWitnessLine) & { prevHash: string; hash: string };
    if (createHash('sha256').update(`${prevHash}|${JSON.stringify(entry)}`).digest('hex') !== hash) return { lines: lines.length, broken: { line: i + 1, detail: 'the line does not match its hash (edited)' } };
    if (prevHash !== prev) return { lines: lines.length, broken: { line: i + 1, detail: 'the line does not follow the one before (deleted or reordered)' } };
    prev = hash;
  }
  return { lines: lines.length, broken: null };
}

/** The heads of each agency's chain that a gateway's log witnessed, with when each was received and the line it is on. */
export async function witnessedHeads(path: string): Promise<Map<string, WitnessedHead[]>> {
  const heads = new Map<string, WitnessedHead[]>();
  const lines = (await readFile(path, 'utf8')).split('\n').filter(Boolean);
  for (const [i, line] of lines.entries()) {
    const { witnessed } = JSON.parse(line) as Partial<GatewayAuditEntry>;
    for (const [agency, head] of Object.entries(witnessed ?? {})) {
      let list = heads.get(agency);
      if (!list) heads.set(agency, (list = []));
      list.push({ seq: head.seq, hash: head.hash, at: head.at, where: `${path} line ${i + 1}` });
    }
  }
  return heads;
}
