import { accessLogPeers, readAgencySdl } from '../../shared';
import { join } from 'node:path';
import { isTypeDefinitionNode, Kind, parse, type FieldDefinitionNode } from 'graphql';
import { composeSupergraph, CompositionError } from '../../gateway';
import { REGISTRY } from '../../registry';

const sdl = (agency: string) => readAgencySdl(join(__dirname, '..', '..', 'subgraphs', agency), agency);
const agencies = REGISTRY.map((a) => a.name);

/** Types a caller reaches through a child: every field of these may one day be protected, so must be nullable. */
const isRecordType = (name: string) => !['Query', 'Mutation', 'ChildMatch'].includes(name);

describe.each(agencies)('the %s schema', (agency) => {
  const definitions = parse(sdl(agency)).definitions.filter(isTypeDefinitionNode);

  it('describes every type, field, argument and enum value, for front-end teams who read it as documentation', () => {
    const missing: string[] = [];
    for (const d of definitions) {
      if (!d.description) missing.push(d.name.value);
      if ('fields' in d)
        for (const f of (d.fields ?? []) as FieldDefinitionNode[]) {
          if (!f.description) missing.push(`${d.name.value}.${f.name.value}`);
          for (const a of f.arguments ?? []) if (!a.description) missing.push(`${d.name.value}.${f.name.value}(${a.name.value})`);
        }
      if ('values' in d) for (const v of d.values ?? []) if (!v.description) missing.push(`${d.name.value}.${v.name.value}`);
    }
    expect(missing).toEqual([]);
  });

  it('keeps every record field nullable but the NHS number key', () => {
    const nonNull: string[] = [];
    for (const d of definitions) {
      if (d.kind !== Kind.OBJECT_TYPE_DEFINITION || !isRecordType(d.name.value)) continue;
      for (const f of d.fields ?? []) {
        if (f.type.kind === Kind.NON_NULL_TYPE && !(d.name.value === 'Child' && f.name.value === 'nhsNumber')) nonNull.push(`${d.name.value}.${f.name.value}`);
      }
    }
    expect(nonNull).toEqual([]);
  });
});

describe('composition', () => {
  const sources = () => REGISTRY.map((a) => ({ name: a.name, url: `http://127.0.0.1:${a.port}/graphql`, sdl: sdl(a.name) }));

  it('composes the five subgraphs into one supergraph', () => {
    const supergraph = composeSupergraph(sources());
    for (const field of ['health: ChildHealth', 'socialCare: ChildSocialCare', 'housing: ChildHousing', 'education: ChildEducation'])
      expect(supergraph).toContain(field);
  });

  it("merges every other agency the gateway federates into identity's access log timeline, and only identity assembles one", () => {
    const peers = (agency: string) => accessLogPeers(join(__dirname, '..', '..', 'subgraphs', agency));
    expect([...peers('identity')].sort()).toEqual(agencies.filter((a) => a !== 'identity').sort());
    for (const agency of agencies.filter((a) => a !== 'identity')) expect(peers(agency)).toEqual([]);
    expect(composeSupergraph(sources())).toMatch(/entries: \[AccessLogEntry!\]/);
  });

  it('fails with each composition error listed when subgraphs disagree', () => {
    const broken = sources().map((s) =>
      s.name === 'housing' ? { ...s, sdl: s.sdl.replace('dateOfBirth: String @external', 'dateOfBirth: Int @external') } : s,
    );
    expect(() => composeSupergraph(broken)).toThrow(CompositionError);
    expect(() => composeSupergraph(broken)).toThrow(/do not compose:\n\s+- .*dateOfBirth/);
  });
});
