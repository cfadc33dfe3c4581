import { defaultFieldResolver, getNamedType, getNullableType, isListType, isObjectType, type GraphQLSchema } from 'graphql';
import type { Authority } from '../common';
import type { FactsNeeded, RecordFactsOf } from '../policy';

/** Only relationships are read here: nothing else need be loaded for them. */
const RELATIONSHIPS_ONLY: FactsNeeded = { relationships: true, consent: false, restricted: false };

/**
 * The response extension in which an agency tells the gateway which of the
 * children it answered for the caller has a relationship with (the allocated
 * worker, the registered practice, the child's school, the landlord), so that
 * the gateway's unusual-access count leaves them out. Internal: the gateway
 * does not pass subgraph extensions on to clients.
 */
export const RELATED_CHILDREN_EXTENSION = 'relatedChildren';

/** What a request's context holds for this: who asked, and the children noted so far. */
export interface RelatedContext {
  authority: Authority | null;
  related: Set<string>;
}

const isPromise = (value: unknown): value is Promise<unknown> => typeof (value as Promise<unknown> | null)?.then === 'function';

/**
 * Wraps each `Child` field that returns one of the agency's records (a type
 * with record facts, such as `ChildSocialCare`): once the record is loaded,
 * the agency's own facts say whether the caller has any relationship with
 * the child, and if so the child is noted in `context.related`. Only records
 * the request reads anyway are looked at; nothing is loaded for this.
 */
export function noteRelatedChildren(schema: GraphQLSchema, recordFacts: Record<string, RecordFactsOf>): GraphQLSchema {
  const child = schema.getType('Child');
  if (!isObjectType(child)) return schema;
  for (const field of Object.values(child.getFields())) {
    // One record per child: a list of records is not what a relationship is read from.
    if (isListType(getNullableType(field.type))) continue;
    const typeName = getNamedType(field.type).name;
    const factsOf = recordFacts[typeName];
    if (!factsOf || typeName === 'Child') continue;
    const resolve = field.resolve ?? defaultFieldResolver;
    field.resolve = (parent: { nhsNumber?: unknown }, args, ctx: RelatedContext, info) => {
      const note = (record: unknown): unknown => {
        const authority = ctx.authority;
        // A denial (graphql-shield returns the error as the field's value) is not a record.
        if (!authority || record === null || typeof record !== 'object' || record instanceof Error || typeof parent?.nhsNumber !== 'string') return record;
        const nhsNumber = parent.nhsNumber;
        const facts = factsOf(record, authority, ctx, RELATIONSHIPS_ONLY);
        if (!isPromise(facts)) {
          if (facts.relationships.size > 0) ctx.related.add(nhsNumber);
          return record;
        }
        return facts.then((f) => {
          if (f.relationships.size > 0) ctx.related.add(nhsNumber);
          return record;
        });
      };
      const result = resolve(parent, args, ctx, info);
      return isPromise(result) ? result.then(note) : note(result);
    };
  }
  return schema;
}
