# syntax=docker/dockerfile:1
# The API (serving the built editor). Build from the repository root:
#   docker build -f docker/api.Dockerfile -t replyflow-api .
ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm-slim AS build
# better-sqlite3 compiles from source when no prebuilt binary fits.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
# The pnpm pinned in package.json#packageManager (npm, not corepack: older corepacks reject newer pnpm signatures).
RUN npm install -g "pnpm@$(node -p "require('./package.json').packageManager.split('@')[1]")" && pnpm fetch
COPY . .
# Not --offline: better-sqlite3's install script may download its prebuilt binary
# (or compile it against the image's own Node headers).
ENV npm_config_nodedir=/usr/local
RUN pnpm install --frozen-lockfile
RUN pnpm --filter @replyflow/editor build && pnpm --filter @replyflow/api build
# What the bundle leaves external (see apps/api/build.mjs), at the exact versions of the lockfile.
RUN mkdir /deps && cd /deps && echo '{"private":true,"type":"module"}' > package.json && \
    npm install --omit=dev --no-audit --no-fund \
      "better-sqlite3@$(node -p "require('/src/apps/api/node_modules/better-sqlite3/package.json').version")" \
      "@fastify/swagger-ui@$(node -p "require('/src/apps/api/node_modules/@fastify/swagger-ui/package.json').version")"

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
WORKDIR /app
# Same layout as the repository, so the bundle finds ../drizzle and ../../editor/dist.
COPY --from=build /deps/node_modules ./node_modules
COPY --from=build /src/apps/api/dist ./apps/api/dist
COPY --from=build /src/packages/db/drizzle ./apps/api/drizzle
COPY --from=build /src/apps/editor/dist ./apps/editor/dist
RUN mkdir -p /data && chown node:node /data
USER node
ENV PORT=3000 \
    DATABASE_PATH=/data/replyflow.db
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM lets in-flight requests finish (apps/api/src/main.ts).
STOPSIGNAL SIGTERM
CMD ["node", "--enable-source-maps", "apps/api/dist/main.js"]
