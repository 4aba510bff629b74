# syntax=docker/dockerfile:1
# One image per NestJS service (docker-compose.yml / k8s): `docker build --build-arg SERVICE=risk .`
# Services run their TypeScript sources directly through SWC (tools/register.cjs), so the runtime
# stage keeps the dev dependencies that register them; the build stage holds the native toolchain
# (node-gyp for talib) that the runtime stage does not need.

FROM node:20-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# Manifests first so the dependency layer is cached across source changes.
COPY package.json package-lock.json .npmrc ./
COPY libs ./libs-src
COPY services ./services-src
COPY apps ./apps-src
COPY bench/package.json ./bench/package.json
# Keep only each workspace's package.json for `npm ci` (a source change does not re-install).
RUN set -eu; for d in libs services apps; do \
      (cd "$d-src" && find . -name package.json -not -path '*/node_modules/*' -exec sh -c 'mkdir -p "../$0/$(dirname "$1")" && cp "$1" "../$0/$1"' "$d" {} \;); \
      rm -rf "$d-src"; \
    done
RUN npm ci --no-audit --no-fund
COPY . .
# Fail the build early if the service does not exist.
ARG SERVICE=gateway
RUN test -f "services/${SERVICE}/src/main.ts" || (echo "no services/${SERVICE}/src/main.ts" >&2; exit 1)

FROM node:20-slim AS runtime
ARG SERVICE=gateway
ENV NODE_ENV=production \
    SERVICE_NAME=${SERVICE} \
    SERVICE_PORT=3000 \
    NX_DAEMON=false
WORKDIR /app
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=40s --retries=6 \
  CMD node -e "fetch('http://127.0.0.1:'+process.env.SERVICE_PORT+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# exec: node is PID 1's child-free replacement and receives SIGTERM for a graceful shutdown.
CMD ["sh", "-c", "exec node -r ./tools/register.cjs services/${SERVICE_NAME}/src/main.ts"]
