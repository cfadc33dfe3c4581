/**
 * Every client of the graph whose operations live in this repository. Each one's operations are `.graphql`
 * files; GraphQL Code Generator types them (`<dir>/generated/graphql.ts`) and writes its trusted-documents
 * manifest, `trusted-documents/<name>.json` (SHA-256 → document), which the gateway loads: with
 * `TRUSTED_DOCUMENTS=enforce` a client runs only what its manifest holds. `name` is the
 * `apollographql-client-name` the client sends.
 */
export const CLIENTS = [
  { name: 'child-view-web', operations: 'web/operations', description: "the practitioners' web app" },
  { name: 'caseload-export', operations: 'tools/caseload-export', description: 'the caseload export (npm run export:caseload)' },
] as const;
