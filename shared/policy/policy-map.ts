import { Kind, parse, print, visit, type ConstArgumentNode, type DefinitionNode, type DocumentNode } from 'graphql';

/** For each field coordinate (`Type.field`), the @policy requirement: any group whose policies all allow. */
export type PolicyMap = Map<string, string[][]>;

const isPolicyLink = (args: readonly ConstArgumentNode[] | undefined) =>
  (args ?? []).some((a) => a.name.value === 'url' && a.value.kind === Kind.STRING && a.value.value.includes('specs.apollo.dev/policy/'));

/**
 * Reads the `@policy` of every field in an SDL (a subgraph's or the composed
 * supergraph): object types' fields and interfaces' (an `@interfaceObject` is
 * an interface in the supergraph).
 *
 * A field selected on an interface is decided on the interface's coordinate
 * (`Contact.phone`), one in a fragment on the type condition's (`Relative.phone`),
 * and a union member's fields on the member's. The object an interface field
 * returns may be any implementation, so the interface's policy must be each
 * implementation's: composition gives an interface field the conjunction of its
 * implementations' policies (one with none adds nothing), and
 * `npm run policy -- lint` reports every implementation that differs. A
 * subgraph may not put @policy on an interface, so where an interface field has
 * none here, it gets that conjunction from the implementations in this SDL, and
 * only when every one of them has a policy (otherwise default deny holds).
 */
export function readPolicyMap(sdl: string | DocumentNode): PolicyMap {
  const document = typeof sdl === 'string' ? parse(sdl) : sdl;
  const map: PolicyMap = new Map();
  const interfaceFields = new Map<string, Set<string>>();
  const implementations = new Map<string, Set<string>>();
  for (const definition of document.definitions) {
    if (!hasFields(definition)) continue;
    const type = definition.name.value;
    const isInterface = definition.kind === Kind.INTERFACE_TYPE_DEFINITION || definition.kind === Kind.INTERFACE_TYPE_EXTENSION;
    if (!isInterface) for (const i of definition.interfaces ?? []) add(implementations, i.name.value, type);
    for (const field of definition.fields ?? []) {
      if (isInterface) add(interfaceFields, type, field.name.value);
      for (const directive of field.directives ?? []) {
        if (directive.name.value !== 'policy') continue;
        const value = directive.arguments?.find((a) => a.name.value === 'policies')?.value;
        if (value?.kind !== Kind.LIST) continue;
        const groups = value.values.map((group) => (group.kind === Kind.LIST ? group.values.flatMap((p) => (p.kind === Kind.STRING ? [p.value] : [])) : []));
        const coordinate = `${type}.${field.name.value}`;
        map.set(coordinate, [...(map.get(coordinate) ?? []), ...groups]);
      }
    }
  }
  for (const [type, fields] of interfaceFields) {
    const objects = [...(implementations.get(type) ?? [])];
    for (const field of fields) {
      const required = objects.map((object) => map.get(`${object}.${field}`));
      if (map.has(`${type}.${field}`) || objects.length === 0 || required.some((groups) => !groups)) continue;
      map.set(`${type}.${field}`, (required as string[][][]).reduce(conjunction));
    }
  }
  return map;
}

type FieldsDefinition = Extract<
  DefinitionNode,
  { kind: Kind.OBJECT_TYPE_DEFINITION | Kind.OBJECT_TYPE_EXTENSION | Kind.INTERFACE_TYPE_DEFINITION | Kind.INTERFACE_TYPE_EXTENSION }
>;

const hasFields = (d: DefinitionNode): d is FieldsDefinition =>
  d.kind === Kind.OBJECT_TYPE_DEFINITION ||
  d.kind === Kind.OBJECT_TYPE_EXTENSION ||
  d.kind === Kind.INTERFACE_TYPE_DEFINITION ||
  d.kind === Kind.INTERFACE_TYPE_EXTENSION;

const add = (map: Map<string, Set<string>>, key: string, value: string) => map.set(key, (map.get(key) ?? new Set()).add(value));

/** Both requirements met: some group of each, so every pair of groups taken together. */
const conjunction = (a: string[][], b: string[][]): string[][] => a.flatMap((x) => b.map((y) => [...new Set([...x, ...y])].sort()));

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
