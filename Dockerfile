# Grafana with this plugin built in, for `docker compose up` (see docker-compose.yaml).
# Build context: the repository root.
ARG GRAFANA_VERSION=13.1.1

FROM node:20-bookworm-slim AS plugin
WORKDIR /src
COPY package.json package-lock.json ./
COPY gateway/package.json gateway/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM grafana/grafana:${GRAFANA_VERSION}
ENV GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS=tsgw-timescaledb-datasource
COPY --from=plugin /src/dist /var/lib/grafana/plugins/tsgw-timescaledb-datasource
COPY provisioning /etc/grafana/provisioning
