import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** The child's demographics an agency may match on, each asked of identity with `@requires`. */
export const MATCH_FIELDS = ['given', 'family', 'dateOfBirth', 'line1', 'town', 'postcode'] as const;
export type MatchField = (typeof MATCH_FIELDS)[number];

const declarationSchema = z.strictObject({
  /** Names the kit's types and operations: `Housing` → PossibleHousingMatch, confirmHousingMatch … */
  noun: z.string().regex(/^[A-Z][A-Za-z]+$/, 'a noun in PascalCase, such as Housing'),
  /** What the agency calls a person it holds, in messages and descriptions: `household member`. */
  person: z.string().regex(/^[a-z][a-z ]+$/, 'lower-case words, such as household member'),
  matchOn: z.array(z.enum(MATCH_FIELDS)).min(2, "match on at least two of the child's demographics"),
  /** Who holds a record, and the relationship their practitioners have to the records they hold. */
  holder: z.strictObject({ orgType: z.string().min(1), relationship: z.string().regex(/^[a-z]+(-[a-z]+)*$/, 'a relationship in kebab-case') }),
  /** The policies of the kit's fields: reading what matched, and deciding on a possible match. */
  policies: z.strictObject({ record: z.string().min(1), decision: z.string().min(1) }),
});

/** What an agency that holds no NHS number declares in its `matching.yaml`. */
export type MatchingDeclaration = z.infer<typeof declarationSchema>;

/** The agency's matching declaration, from `matching.yaml` in its folder; null for an agency that holds NHS numbers. */
export function readMatchingDeclaration(dir: string): MatchingDeclaration | null {
  const file = join(dir, 'matching.yaml');
  if (!existsSync(file)) return null;
  const parsed = declarationSchema.safeParse(parseYaml(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${file}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** The `@requires` selection of the child's demographics the declaration matches on, as the agency's field must carry it. */
export function requiredDemographics(declaration: MatchingDeclaration): string {
  const has = (f: MatchField) => declaration.matchOn.includes(f);
  const name = ['given', 'family'].filter((f) => has(f as MatchField));
  const address = (['line1', 'town', 'postcode'] as const).filter(has);
  return [
    name.length > 0 && `name { ${name.join(' ')} }`,
    has('dateOfBirth') && 'dateOfBirth',
    address.length > 0 && `address { ${address.join(' ')} }`,
    // Always: a restricted child's records are never matched into view.
    'restricted',
  ]
    .filter(Boolean)
    .join(' ');
}

const policy = (name: string) => `@policy(policies: [["${name}"]])`;

/**
 * The kit's part of the agency's schema: the demographics it takes from identity (external), a possible
 * match, a person's decision on one, and the two mutations that record it.
 */
export function matchingSdl(agency: string, d: MatchingDeclaration): string {
  const has = (f: MatchField) => d.matchOn.includes(f);
  const record = policy(d.policies.record);
  const decision = policy(d.policies.decision);
  const external = [
    (has('given') || has('family')) && '  "The child\'s registered name, from the demographics service."\n  name: ChildName @external',
    has('dateOfBirth') && '  "Date of birth, from the demographics service."\n  dateOfBirth: String @external',
    (has('line1') || has('town') || has('postcode')) && '  "Current address, from the demographics service."\n  address: Address @external',
    `  "Whether the child's record is restricted, from the demographics service: a restricted child's ${d.person} is never shown."\n  restricted: Boolean @external`,
  ]
    .filter(Boolean)
    .join('\n');
  const args = `(
    "The child's NHS number, 10 digits."
    nhsNumber: ID!
    "${d.noun}'s reference for the ${d.person}."
    reference: ID!
  )`;
  return `
extend type Child {
${external}
}
${
  has('given') || has('family')
    ? `
"A person's name."
type ChildName @shareable {
  "Given name."
  given: String
  "Family name."
  family: String
}
`
    : ''
}${
    has('line1') || has('town') || has('postcode')
      ? `
"A postal address."
type Address @shareable {
  "First line: house number and street."
  line1: String
  "Post town."
  town: String
  "Postcode, upper case with a single space."
  postcode: String
}
`
      : ''
  }
"A ${d.person} that may be the child, for a person to confirm or reject."
type Possible${d.noun}Match {
  "${d.noun}'s reference for the ${d.person}: what confirm${d.noun}Match and reject${d.noun}Match take."
  reference: ID ${record}
  "The matching model's probability that this ${d.person} is the child, from 0 to 1."
  confidence: Float ${record}
  "What the score rests on: each field both sides hold, alone when exact or with its agreement level (docs/matching.md)."
  matchedOn: [String!] ${record}
}

"A person's decision on a possible match, as ${agency} records it."
type ${d.noun}MatchDecision {
  "The child's NHS number."
  nhsNumber: ID ${decision}
  "${d.noun}'s reference for the ${d.person}."
  reference: ID ${decision}
  "Whether the ${d.person} is this child."
  decision: ${d.noun}MatchOutcome ${decision}
  "Who decided: their name and organisation."
  decidedBy: String ${decision}
  "When the decision was recorded, as an ISO 8601 timestamp."
  decidedAt: String ${decision}
}

"A person's decision on a possible match."
enum ${d.noun}MatchOutcome {
  "The ${d.person} is the child: ${agency} holds the NHS number from now on."
  CONFIRMED
  "The ${d.person} is not the child: never proposed for this child again."
  REJECTED
}

extend type Mutation {
  """
  Confirms that a ${d.person} (a reference from possibleMatches) is the child with
  this NHS number. From then ${agency} holds the NHS number against the ${d.person},
  and the match is exact (nhsNumberStatus 01). A practitioner of a ${d.holder.orgType}
  may confirm only their own organisation's records. Recorded with who and when.
  """
  confirm${d.noun}Match${args}: ${d.noun}MatchDecision ${decision}
  """
  Records that a ${d.person} is not this child, so that it is never proposed for
  the child again; undoes a confirmation of the same pair. Recorded with who and when.
  """
  reject${d.noun}Match${args}: ${d.noun}MatchDecision ${decision}
}
`;
}
