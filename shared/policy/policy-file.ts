import { readFileSync } from 'node:fs';
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Node } from 'yaml';
import { z } from 'zod';
import { ORG_TYPES, PURPOSES, ROLES } from '../common';

/** One way to be allowed: every condition given must hold. */
export const ruleSchema = z
  .object({
    /** The roles allowed, or `any`: every role in the registry, an agency joining later included. */
    roles: z.preprocess((roles) => (roles === 'any' ? [...ROLES] : roles), z.array(z.enum(ROLES)).min(1, 'a rule needs at least one role')),
    purposes: z.array(z.enum(PURPOSES)).min(1, 'a rule needs at least one purpose'),
    orgTypes: z.array(z.enum(ORG_TYPES)).min(1).optional(),
    breakGlass: z.literal(true).optional(),
    relationship: z.string().min(1).optional(),
    consent: z.enum(['required', 'unless-safeguarding']).optional(),
    unlessRestricted: z.literal(true).optional(),
  })
  .strict();
export type Rule = z.infer<typeof ruleSchema>;

const policyName = z.string().regex(/^[a-z]+:[a-z0-9]+(-[a-z0-9]+)*$/, 'a policy is named <agency>:<kebab-name>');

export const policyFileSchema = z
  .object({
    relationships: z.record(z.string().regex(/^[a-z]+(-[a-z]+)*$/, 'a relationship is named in kebab-case'), z.string().min(1)).optional(),
    policies: z.record(policyName, z.object({ description: z.string().min(1), allow: z.array(ruleSchema).min(1) }).strict()),
  })
  .strict();
export type PolicyFile = z.infer<typeof policyFileSchema>;

/** A policy file that cannot be used; the message names the file, the line and the reason. */
export class PolicyFileError extends Error {
  override name = 'PolicyFileError';
}

/**
 * Reads and checks a policy file. Every problem is reported as
 * `file:line: reason`, and a relationship a rule names must be one the file lists.
 */
export function loadPolicyFile(path: string, text = readFileSync(path, 'utf8')): PolicyFile {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  const at = (node: Node | null | undefined) => (node?.range ? lineCounter.linePos(node.range[0]).line : 1);
  if (document.errors.length > 0) {
    throw new PolicyFileError(document.errors.map((e) => `${path}:${e.linePos?.[0]?.line ?? 1}: ${e.message.split('\n')[0]}`).join('\n'));
  }
  const result = policyFileSchema.safeParse(document.toJS());
  const problems: string[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) {
      const node = document.getIn(issue.path as (string | number)[], true) as Node | undefined;
      const parent = document.getIn(issue.path.slice(0, -1) as (string | number)[], true) as Node | undefined;
      const badKey = issue.code === 'invalid_key';
      const message = badKey
        ? `"${String(issue.path.at(-1))}" is not a valid name (policies are named <agency>:<kebab-name>, relationships in kebab-case)`
        : issue.message;
      const line = at((badKey ? keyNode(parent, issue.path.at(-1)) : undefined) ?? node ?? keyNode(parent, issue.path.at(-1)) ?? parent);
      problems.push(`${path}:${line}: ${issue.path.join('.') || '(file)'}: ${message}`);
    }
  } else {
    const known = new Set(Object.keys(result.data.relationships ?? {}));
    for (const [name, policy] of Object.entries(result.data.policies)) {
      policy.allow.forEach((rule, i) => {
        if (rule.relationship && !known.has(rule.relationship)) {
          const node = document.getIn(['policies', name, 'allow', i, 'relationship'], true) as Node | undefined;
          problems.push(
            `${path}:${at(node)}: policies.${name}.allow.${i}.relationship: "${rule.relationship}" is not one of this file's relationships (${[...known].join(', ') || 'none'})`,
          );
        }
      });
    }
  }
  if (problems.length > 0) throw new PolicyFileError(problems.join('\n'));
  return result.data!;
}

function keyNode(parent: Node | undefined, key: PropertyKey | undefined): Node | undefined {
  if (!parent || !isMap(parent)) return undefined;
  const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
  return pair && isScalar(pair.key) ? pair.key : undefined;
}

/**
 * The policies for the access log's fields (the subgraph kit's, which every agency serves), the same in every
 * agency: here, beside the policies they join, so that what reads policy files needs nothing of the audit.
 */
export function accessLogPolicies(agency: string): PolicyFile['policies'] {
  const everyone = { roles: [...ROLES], purposes: [...PURPOSES] };
  return {
    [`${agency}:access-log`]: {
      description: "Who saw what of a child's data, when and why: for privacy officers (Caldicott guardians) auditing access.",
      allow: [{ roles: ['privacy-officer'], purposes: ['audit'] }],
    },
    [`${agency}:own-history`]: { description: "A user's own access history: every user may see what was disclosed to them.", allow: [everyone] },
    [`${agency}:access-entry`]: {
      description: "The fields of an access log entry, reached only through the access log or a user's own history.",
      allow: [everyone],
    },
  };
}

/**
 * Reads several agencies' policy files into one set of policies, with each
 * agency's access log policies (the subgraph kit's); a name defined twice is an error.
 */
export function loadPolicies(paths: readonly string[]): PolicyFile['policies'] {
  const merged: PolicyFile['policies'] = {};
  for (const path of paths) {
    const own = loadPolicyFile(path).policies;
    const agencies = new Set(Object.keys(own).map((name) => name.split(':')[0]!));
    for (const [name, policy] of Object.entries({ ...own, ...(Object.assign({}, ...[...agencies].map(accessLogPolicies)) as PolicyFile['policies']) })) {
      if (merged[name]) throw new PolicyFileError(`${path}: policy "${name}" is already defined in another policy file`);
      merged[name] = policy;
    }
  }
  return merged;
}
