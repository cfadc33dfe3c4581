# One image for every service in docker-compose.yml: each agency's subgraph
# and the gateway run from it, the compose file choosing the entry point.
FROM node:20-bookworm-slim

ENV NODE_ENV=production
WORKDIR /app

COPY package.json package-lock.json ./
# tsx is a runtime dependency, so `npx tsx <entry>` works without the dev dependencies.
RUN npm ci --omit=dev && npm cache clean --force

COPY tsconfig.json ./
COPY registry ./registry
COPY gateway ./gateway
COPY shared ./shared
COPY subgraphs ./subgraphs
COPY synthetic ./synthetic
COPY dev ./dev
# The practitioners' web app (web/main.ts), a client of the gateway.
COPY web ./web
# The operators' tools: `npm run migrate` (the compose file's migrate service), audit verify and export, policy checks.
COPY tools ./tools
# The operations each registered client may run (TRUSTED_DOCUMENTS=enforce): written by `npm run codegen`.
COPY trusted-documents ./trusted-documents
# The supergraph is composed from the subgraphs' schema files at build time, so a
# production gateway serves a graph that was reviewed in the repository rather than
# whatever the live subgraphs say; the gateway takes each subgraph's URL from its
# environment. Composition errors fail the build.
RUN npx tsx gateway/compose-cli.ts --out /app/supergraph.graphql

# The gateway writes its own audit log under /app/data (GATEWAY_AUDIT_PATH); mount a volume there to keep it.
RUN mkdir -p /app/data && chown node:node /app/data
USER node

EXPOSE 4000
# --min-semi-space-size: the young generation at its working size from the start (tools/soak/processes.ts says why).
CMD ["node", "--min-semi-space-size=16", "--import", "tsx", "gateway/main.ts"]
