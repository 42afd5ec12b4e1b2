# syntax=docker/dockerfile:1
# visier-admin-mcp as a team server: Streamable HTTP on 0.0.0.0:3333, non-root, read-only root filesystem.
# Writable state lives only under the /var/lib/visier-admin-mcp volume (audit log, its signing key, the change
# journal) and /tmp (mount a tmpfs). No credential is baked in: Visier's and the server's secrets come from the
# environment at run time (see deploy/kubernetes/secret.yaml and the README's "Operating a team deployment").

# Node 22 satisfies package.json's engines (>=20.19) and is the active LTS line.
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Only the runtime dependencies, without lifecycle scripts, in a stage of their own.
FROM ${NODE_IMAGE} AS runtime-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    VISIER_MCP_PORT=3333 \
    VISIER_MCP_AUDIT_LOG=/var/lib/visier-admin-mcp/audit.jsonl \
    VISIER_MCP_AUDIT_KEY=/var/lib/visier-admin-mcp/audit-key.pem \
    VISIER_MCP_JOURNAL=/var/lib/visier-admin-mcp/journal.jsonl \
    VISIER_MCP_NO_OPEN=1
WORKDIR /app
COPY --from=runtime-deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json LICENSE ./
# The image's own "node" user (uid 1000); the state directory is the only place it may write.
RUN mkdir -p /var/lib/visier-admin-mcp && chown node:node /var/lib/visier-admin-mcp
USER node
VOLUME ["/var/lib/visier-admin-mcp"]
EXPOSE 3333
# No curl in the image: Node's own fetch asks the server's liveness endpoint (readiness, /healthz/ready, is the
# orchestrator's: it also says whether the shared store answers).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.VISIER_MCP_PORT||3333)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/cli.js"]
# Off loopback the server refuses to start without VISIER_MCP_HTTP_TOKEN or an OAuth issuer (VISIER_MCP_OAUTH_ISSUER).
CMD ["--http", "--host", "0.0.0.0"]
