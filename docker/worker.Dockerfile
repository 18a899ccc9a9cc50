# syntax=docker/dockerfile:1
# A worker: flow runs and outbound mail. Build from the repository root:
#   docker build -f docker/worker.Dockerfile -t replyflow-worker .
ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
# The pnpm pinned in package.json#packageManager (npm, not corepack: older corepacks reject newer pnpm signatures).
RUN npm install -g "pnpm@$(node -p "require('./package.json').packageManager.split('@')[1]")" && pnpm fetch
COPY . .
# Workers open no database: only their own dependency tree (no native modules).
RUN pnpm install --frozen-lockfile --filter @replyflow/worker...
RUN pnpm --filter @replyflow/worker build

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
WORKDIR /app
# One self-contained bundle (apps/worker/build.mjs).
COPY --from=build /src/apps/worker/dist ./dist
USER node
ENV WORKER_PORT=3001
EXPOSE 3001
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.WORKER_PORT || 3001) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM lets in-flight jobs finish before the worker exits (apps/worker/src/main.ts).
STOPSIGNAL SIGTERM
CMD ["node", "--enable-source-maps", "dist/main.js"]
