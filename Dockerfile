# Lantern's Node side for compose.yaml: the analysis service (with the console it serves) and the
# demo services (instrumented with --import lantern/register from the built dist/).
FROM node:22-slim
WORKDIR /lantern
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin/analysis.ts bin/es-templates.ts bin/jaeger-storage.ts bin/build-console.ts bin/alertmanager-config.ts ./bin/
COPY proto ./proto
COPY demo ./demo
COPY config ./config
RUN npx tsc -p tsconfig.build.json && node bin/build-console.ts
# Alertmanager's rendered configuration: a volume that starts with this folder's owner.
RUN mkdir -p /var/lib/lantern/alertmanager && chown node /var/lib/lantern/alertmanager
USER node
