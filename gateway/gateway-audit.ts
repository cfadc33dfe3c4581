import { createHash } from 'node:crypto';
import { appendFile, mkdir, open, readFile, truncate, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AuditHead, Logger, WitnessedHead } from '../shared';
import { boundValue, type ValueBounds } from './bounded-value';

/** What the gateway records of one operation: metadata only, never a record value an agency returned. */
export interface GatewayAuditEntry {
  at: string;
  traceId: string;
  caller: { sub: string; name: string; roles: string[]; org: string };
  purpose: string;
  breakGlass: { justification: string; grant: string | null } | null;
  operation: { type: string; name: string | null; hash: string };
  /** The NHS numbers asked for (ten digits each). */
  children: string[];
  /** Values given as NHS numbers that are not ten digits: how many, and a hash of them. */
  malformedNhsNumbers?: { count: number; sha256: string };
  /** Searches, with their parameters, as ContactPoint audited them (bounded: see `boundValue`). */
  searches: Record<string, unknown>[];
  /** What the gateway withheld before planning: where, which fields (those a removed part stood for), under which policy. */
  filtered: { path: string; fields?: string[]; policy: string; reason: string }[];
  /**
   * The newest head of each agency's audit chain that an agency showed this gateway since its line
   * before: kept as a witness, so that an agency's chain rewritten later no longer matches it.
   */
  witnessed?: Record<string, WitnessedAt>;
  /**
   * The operation was refused: its line would have been longer than MAX_AUDIT_LINE_BYTES. The line
   * keeps how many children, searches and withheld fields it had, and the hash of the line it would have been.
   */
  tooLargeToRecord?: { bytes: number; sha256: string; children: number; searches: number; filtered: number };
}

/** A head an agency showed, with when the gateway received it. */
export type WitnessedAt = Omit<WitnessedHead, 'where'>;

/** A line written when the gateway stops, with the heads the agencies showed it since its last operation's line. */
export interface GatewayWitnessLine {
  at: string;
  kind: 'witnessed';
  witnessed: Record<string, WitnessedAt>;
}

/** A line recording that a half-written line was removed from the end of the log (see `readChainEnd`). */
export interface GatewayTornLine {
  at: string;
  kind: 'torn';
  torn: { bytes: number; sha256: string };
}

type AuditLine = GatewayAuditEntry | GatewayWitnessLine | GatewayTornLine;

/** The longest line the gateway writes, whatever a client sends; an operation that would need more is refused. */
export const MAX_AUDIT_LINE_BYTES = 64 * 1024;
// Values in an entry are bounded again however they were built; searches come already cut to 256 characters.
const ENTRY_BOUNDS: ValueBounds = { maxString: 1024, maxDepth: 8, maxItems: Infinity, maxBytes: Infinity };
// Longer than any line this gateway writes, or wrote before lines were bounded: past it, the last line is not read.
const MAX_LAST_LINE_BYTES = 64 * 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;
const GENESIS = '0'.repeat(64);

/** An operation's line would be longer than MAX_AUDIT_LINE_BYTES: it was written without its lists, and the operation is refused. */
export class AuditLineTooLong extends Error {}

/**
 * The gateway's own audit log: one line per operation in an append-only JSON
 * lines file, each carrying the hash of the line before (so a gap or an edit
 * shows), written before anything is fetched (`record`, which `gatewayAuditPlugin`
 * calls). If it cannot be written, the operation is refused with AUDIT_UNAVAILABLE,
 * and the next one tries again.
 * Every value is bounded (`boundValue`), so that a line is at most
 * MAX_AUDIT_LINE_BYTES. Each line also carries the heads of the agencies'
 * chains that the agencies showed since the line before (`witness`), as a
 * witness that `npm run audit -- verify --gateway-log` holds each agency's chain against.
 */
export function createGatewayAudit(options: { path: string; logger: Logger }) {
  const { path, logger } = options;
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

  // The hash of the last line this gateway wrote; unset at first and after a failed write, when it is read from the file.
  let head: string | undefined;
  // Appends run one after another; this promise never rejects, so nothing is left unhandled.
  let queue: Promise<unknown> = Promise.resolve();
  const continueChain = async (): Promise<string> => {
    await mkdir(dirname(path), { recursive: true });
    const end = await readChainEnd(path);
    if (!end.torn) return end.hash;
    await truncate(path, end.torn.offset);
    logger.warn(
      { path, bytes: end.torn.bytes, sha256: end.torn.sha256 },
      'the gateway audit log ended in a half-written line: removed it, and recorded that in the chain',
    );
    const { line, hash } = encode({ at: new Date().toISOString(), kind: 'torn', torn: { bytes: end.torn.bytes, sha256: end.torn.sha256 } }, end.hash);
    await appendFile(path, line);
    return hash;
  };
  const write = async (entry: AuditLine): Promise<string> => {
    try {
      head ??= await continueChain();
      const { line, hash, tooLong } = encode(entry, head);
      await appendFile(path, line);
      head = hash;
      if (tooLong) throw new AuditLineTooLong(`the operation's line would be ${tooLong} bytes, more than ${MAX_AUDIT_LINE_BYTES}`);
      return hash;
    } catch (error) {
      // After a failed write the file may end anywhere: the next append reads where it ends.
      if (!(error instanceof AuditLineTooLong)) head = undefined;
      throw error;
    }
  };
  const append = (entry: GatewayAuditEntry | GatewayWitnessLine): Promise<string> => {
    const written = queue.then(() => write(entry));
    queue = written.catch(() => undefined);
    return written;
  };

  /**
   * Writes an operation's line with the heads the agencies showed since the line before; if it is not written,
   * the heads go back for the next line (a line too long is written without its lists, heads and all).
   */
  const record = async (entry: Omit<GatewayAuditEntry, 'witnessed'>): Promise<void> => {
    const witnessed = takeHeads();
    try {
      await append({ ...entry, ...(witnessed ? { witnessed } : {}) });
    } catch (error) {
      if (!(error instanceof AuditLineTooLong)) putBack(witnessed);
      throw error;
    }
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
  return { record, append, witness, flush };
}

export type GatewayAudit = ReturnType<typeof createGatewayAudit>;

/**
 * A line for the file, bounded, chained to `prev`. An operation whose line would be longer than
 * MAX_AUDIT_LINE_BYTES is written without its lists (`tooLargeToRecord`, and `tooLong` says how long it was).
 */
function encode(entry: AuditLine, prev: string): { line: string; hash: string; tooLong?: number } {
  const bounded = boundValue(entry, ENTRY_BOUNDS) as Record<string, unknown>;
  const body = JSON.stringify(bounded);
  const hash = createHash('sha256').update(`${prev}|${body}`).digest('hex');
  const line = `${JSON.stringify({ ...bounded, prevHash: prev, hash })}\n`;
  const bytes = Buffer.byteLength(line);
  if (bytes <= MAX_AUDIT_LINE_BYTES) return { line, hash };
  // Only the lists can grow with what a client sends; a line too long without them is a fault, and nothing is written.
  if (!('children' in entry) || entry.tooLargeToRecord) throw new Error(`a gateway audit line of ${bytes} bytes is more than ${MAX_AUDIT_LINE_BYTES}`);
  const tooLargeToRecord = {
    bytes,
    sha256: createHash('sha256').update(body).digest('hex'),
    children: entry.children.length,
    searches: entry.searches.length,
    filtered: entry.filtered.length,
  };
  const shorter = encode({ ...entry, children: [], searches: [], filtered: [], tooLargeToRecord }, prev);
  return { ...shorter, tooLong: bytes };
}

/**
 * Where the chain stands: the hash on the file's last whole line, read backwards from its end in
 * chunks however long that line is, and any half-written line after it.
 *
 * A last line without a newline was cut off (the gateway stopped, or the disk filled, during a
 * write). Its operation was never served, since an operation is served only once its line is
 * written whole; so the gateway removes it and continues the chain from the last whole line, with a
 * `torn` line recording the bytes removed and their SHA-256. A crash, or a full disk once space is
 * freed, does not stop the gateway. A last line that ends with a newline but is not a line of the
 * chain is not something this gateway writes: continuing after it would bury it, so every operation
 * is refused (AUDIT_UNAVAILABLE, logged) until someone who keeps the log looks at it. The gateway
 * never exits for it: each operation reads the end again.
 */
async function readChainEnd(path: string): Promise<{ hash: string; torn: { offset: number; bytes: number; sha256: string } | null }> {
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { hash: GENESIS, torn: null };
    throw error;
  }
  try {
    const { size } = await file.stat();
    const lastNewline = await newlineBefore(file, size);
    const torn = lastNewline + 1 < size ? { offset: lastNewline + 1, bytes: size - lastNewline - 1, sha256: await hashOf(file, lastNewline + 1, size) } : null;
    if (lastNewline < 0) return { hash: GENESIS, torn };
    const start = (await newlineBefore(file, lastNewline)) + 1;
    if (lastNewline - start > MAX_LAST_LINE_BYTES)
      throw new Error(
        `the last line of the gateway audit log ${path} is ${lastNewline - start} bytes long: not a line of the chain; someone who keeps the log must look at it`,
      );
    const parsed = parseLine((await readRange(file, start, lastNewline)).toString('utf8'));
    if (typeof parsed === 'string')
      throw new Error(`the last line of the gateway audit log ${path} is not a line of the chain (${parsed}); someone who keeps the log must look at it`);
    return { hash: parsed.hash, torn };
  } finally {
    await file.close();
  }
}

/** The position of the last newline before `end`, or -1. */
async function newlineBefore(file: FileHandle, end: number): Promise<number> {
  for (let to = end; to > 0;) {
    const from = Math.max(0, to - CHUNK_BYTES);
    const at = (await readRange(file, from, to)).lastIndexOf(0x0a);
    if (at >= 0) return from + at;
    to = from;
  }
  return -1;
}

async function hashOf(file: FileHandle, from: number, to: number): Promise<string> {
  const hash = createHash('sha256');
  for (let at = from; at < to; at += CHUNK_BYTES) hash.update(await readRange(file, at, Math.min(to, at + CHUNK_BYTES)));
  return hash.digest('hex');
}

async function readRange(file: FileHandle, from: number, to: number): Promise<Buffer> {
  const buffer = Buffer.alloc(to - from);
  for (let read = 0; read < buffer.length;) {
    const { bytesRead } = await file.read(buffer, read, buffer.length - read, from + read);
    if (bytesRead === 0) throw new Error('the gateway audit log became shorter while it was read');
    read += bytesRead;
  }
  return buffer;
}

/** A line's parts, or why it is not a line of the chain. */
function parseLine(text: string): { prevHash: string; hash: string; entry: Record<string, unknown> } | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'it is not JSON: cut off or corrupted';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'it is not a JSON object';
  const { prevHash, hash, ...entry } = parsed as Record<string, unknown>;
  if (typeof prevHash !== 'string' || typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) return 'it has no prevHash and hash';
  return { prevHash, hash, entry };
}

/** The file's lines that are not empty, numbered from 1; a last line without a newline is not `whole`. */
function linesOf(content: Buffer): { number: number; text: string; whole: boolean }[] {
  const lines: { number: number; text: string; whole: boolean }[] = [];
  for (let start = 0, number = 1; start < content.length; number++) {
    const end = content.indexOf(0x0a, start);
    const stop = end < 0 ? content.length : end;
    if (stop > start) lines.push({ number, text: content.toString('utf8', start, stop), whole: end >= 0 });
    start = stop + 1;
  }
  return lines;
}

/** Walks a gateway audit file and reports the first line whose hash or link does not hold, or that is not a line of the chain. */
export async function verifyGatewayAudit(path: string): Promise<{ lines: number; broken: { line: number; detail: string } | null }> {
  const lines = linesOf(await readFile(path));
  const broken = (line: number, detail: string) => ({ lines: lines.length, broken: { line, detail } });
  let prev = GENESIS;
  for (const { number, text, whole } of lines) {
    if (!whole) return broken(number, 'the last line is cut off: a write did not finish (the gateway removes it, and records that, when it next writes)');
    const parsed = parseLine(text);
    if (typeof parsed === 'string') return broken(number, `the line is not a line of the chain: ${parsed}`);
    let body: string;
    try {
      body = JSON.stringify(parsed.entry);
    } catch {
      return broken(number, 'the line cannot be read back (nested too deep)');
    }
    if (createHash('sha256').update(`${parsed.prevHash}|${body}`).digest('hex') !== parsed.hash)
      return broken(number, 'the line does not match its hash (edited)');
    if (parsed.prevHash !== prev) return broken(number, 'the line does not follow the one before (deleted or reordered)');
    prev = parsed.hash;
  }
  return { lines: lines.length, broken: null };
}

/** The heads of each agency's chain that a gateway's log witnessed, with when each was received and the line it is on (lines that cannot be read are left out: `verifyGatewayAudit` reports them). */
export async function witnessedHeads(path: string): Promise<Map<string, WitnessedHead[]>> {
  const heads = new Map<string, WitnessedHead[]>();
  for (const { number, text } of linesOf(await readFile(path))) {
    const parsed = parseLine(text);
    const witnessed = typeof parsed === 'string' ? undefined : parsed.entry.witnessed;
    if (typeof witnessed !== 'object' || witnessed === null) continue;
    for (const [agency, head] of Object.entries(witnessed as Record<string, Partial<WitnessedAt>>)) {
      if (typeof head?.seq !== 'number' || typeof head.hash !== 'string' || typeof head.at !== 'string') continue;
      let list = heads.get(agency);
      if (!list) heads.set(agency, (list = []));
      list.push({ seq: head.seq, hash: head.hash, at: head.at, where: `${path} line ${number}` });
    }
  }
  return heads;
}
