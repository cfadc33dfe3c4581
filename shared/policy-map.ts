import { Kind, parse, print, visit, type ConstArgumentNode, type DocumentNode } from 'graphql';

/** For each field coordinate (`Type.field`), the @policy requirement: any group whose policies all allow. */
export type PolicyMap = Map<string, string[][]>;

const isPolicyLink = (args: readonly ConstArgumentNode[] | undefined) =>
  (args ?? []).some((a) => a.name.value === 'url' && a.value.kind === Kind.STRING && a.value.value.includes('specs.apollo.dev/policy/'));

/** Reads the `@policy` of every field in an SDL (a subgraph's or the composed supergraph). */
export function readPolicyMap(sdl: string | DocumentNode): PolicyMap {
  const document = typeof sdl === 'string' ? parse(sdl) : sdl;
  const map: PolicyMap = new Map();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    for (const field of definition.fields ?? []) {
      for (const directive of field.directives ?? []) {
        if (directive.name.value !== 'policy') continue;
        const value = directive.arguments?.find((a) => a.name.value === 'policies')?.value;
        if (value?.kind !== Kind.LIST) continue;
        const groups = value.values.map((group) => (group.kind === Kind.LIST ? group.values.flatMap((p) => (p.kind === Kind.STRING ? [p.value] : [])) : []));
        const coordinate = `${definition.name.value}.${field.name.value}`;
        map.set(coordinate, [...(map.get(coordinate) ?? []), ...groups]);
      }
    }
  }
  return map;
}

/**
 * @apollo/gateway refuses supergraphs that carry `for: SECURITY` features. The
 * gateway reads the policy map first, then removes the policy link, its
 * definitions and every `@policy` use before loading the supergraph.
 */
export function stripPolicyFeatures(supergraphSdl: string): string {
  const stripped = visit(parse(supergraphSdl), {
    Directive(node) {
      if (node.name.value === 'policy') return null;
      if (node.name.value === 'link' && isPolicyLink(node.arguments as readonly ConstArgumentNode[])) return null;
      return undefined;
    },
    DirectiveDefinition(node) {
      return node.name.value === 'policy' ? null : undefined;
    },
    ScalarTypeDefinition(node) {
      return node.name.value === 'policy__Policy' ? null : undefined;
    },
  });
  return print(stripped);
}
