import { printSchema, Supergraph } from '@apollo/federation-internals';
import { buildSchema, findBreakingChanges, getNullableType, isNonNullType, isObjectType, isInterfaceType, type GraphQLSchema } from 'graphql';
import { stripPolicyFeatures } from '../shared';

/**
 * The graph as clients see it (the supergraph's API schema): no federation internals, nothing
 * `@inaccessible`, no policy directives. What front-end teams build against (`schema/api.graphql`).
 */
export function apiSchemaSdl(supergraphSdl: string): string {
  return `${printSchema(Supergraph.build(stripPolicyFeatures(supergraphSdl)).apiSchema())}\n`;
}

/**
 * Each change from `before` to `after` (API schemas) that can break a client, in words: what graphql-js
 * counts as breaking (a type or field removed, an argument made required, a type changed), and also an
 * output field that was nullable made non-null, since every protected field must be able to answer null
 * with a FORBIDDEN error.
 */
export function breakingChanges(before: string, after: string): string[] {
  const [old, next] = [buildSchema(before), buildSchema(after)];
  const found = findBreakingChanges(old, next).map((c) => `${c.type}: ${c.description}`);
  return [...found, ...nullableMadeNonNull(old, next)].sort();
}

function nullableMadeNonNull(old: GraphQLSchema, next: GraphQLSchema): string[] {
  const out: string[] = [];
  for (const type of Object.values(old.getTypeMap())) {
    const now = next.getType(type.name);
    if (!(isObjectType(type) || isInterfaceType(type)) || !now || !(isObjectType(now) || isInterfaceType(now))) continue;
    for (const [name, field] of Object.entries(type.getFields())) {
      const changed = now.getFields()[name];
      if (changed && !isNonNullType(field.type) && isNonNullType(changed.type) && String(getNullableType(changed.type)) === String(field.type)) {
        out.push(`FIELD_MADE_NON_NULL: ${type.name}.${name} changed type from ${String(field.type)} to ${String(changed.type)}.`);
      }
    }
  }
  return out;
}
