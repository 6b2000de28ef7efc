# Lantern's Node side (template installer, analysis service, demo) for compose.yaml.
FROM node:22-slim
WORKDIR /lantern
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts
COPY src ./src
COPY config ./config
USER node
