import { join } from 'node:path';
import { decideForCaller, loadPolicyFile, PolicyFileError, PURPOSES, ROLES, type Authority } from '../../shared';

const good = `relationships:
  allocated-worker: The caller is the allocated social worker.
policies:
  socialcare:case-notes:
    description: Case notes.
    allow:
      - roles: [social-worker]
        purposes: [safeguarding]
        relationship: allocated-worker
`;

describe('policy files', () => {
  it('reads a valid file', () => {
    expect(loadPolicyFile('p.yaml', good).policies['socialcare:case-notes']!.allow[0]).toEqual({
      roles: ['social-worker'],
      purposes: ['safeguarding'],
      relationship: 'allocated-worker',
    });
  });

  it.each([
    ['an unknown role', good.replace('[social-worker]', '[social-wroker]'), /^p\.yaml:7: policies\.socialcare:case-notes\.allow\.0\.roles\.0: /],
    ['an unknown purpose', good.replace('[safeguarding]', '[curiosity]'), /^p\.yaml:8: .*purposes\.0/],
    [
      'an unknown relationship',
      good.replace('relationship: allocated-worker', 'relationship: neighbour'),
      /^p\.yaml:9: .*"neighbour" is not one of this file's relationships/,
    ],
    ['a misspelt condition', good.replace('relationship:', 'relashionship:'), /^p\.yaml:\d+: .*relashionship/],
    ['a rule with no purposes', good.replace('        purposes: [safeguarding]\n', ''), /^p\.yaml:\d+: .*purposes/],
    ['a policy not named agency:kebab-name', good.replace('socialcare:case-notes', 'CaseNotes'), /^p\.yaml:4: .*<agency>:<kebab-name>/],
    ['broken YAML', good.replace('    allow:', '  allow: [oops'), /^p\.yaml:\d+: /],
  ])('stops on %s, naming the file, the line and the reason', (_label, text, message) => {
    expect(() => loadPolicyFile('p.yaml', text)).toThrow(PolicyFileError);
    expect(() => loadPolicyFile('p.yaml', text)).toThrow(message);
  });
});

describe('identity:unusual-access', () => {
  // The gateway counts every request but an audit; an alert identity may not record would refuse the caller's requests.
  const { policies } = loadPolicyFile(join(__dirname, '..', '..', 'subgraphs', 'identity', 'policy.yaml'));
  const counted = ROLES.flatMap((role) => PURPOSES.filter((purpose) => purpose !== 'audit').map((purpose) => [role, purpose] as const));
  it.each(counted)('lets the gateway record an alert for a %s asking for %s', (role, purpose) => {
    const authority: Authority = { caller: { sub: 'someone', name: 'Someone', org: 'X1', orgType: 'local-authority', roles: [role] }, purpose, traceId: 't' };
    expect(decideForCaller(policies, 'identity:unusual-access', authority).outcome).toBe('allow');
  });
});
