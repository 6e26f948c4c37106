#!/bin/bash
# Runs once, at the InfluxDB container's first start (DOCKER_INFLUXDB_INIT_MODE=setup), after
# the org, bucket and operator token exist. It maps an InfluxQL database/retention policy
# ($V1_DB_NAME/$V1_RP_NAME, set in compose.yml) to the bucket, so that Grafana's InfluxQL data
# source and `influx v1 shell` can query the market series with InfluxQL.
# The entrypoint runs this with the influx CLI already configured (org and token) for the
# temporary server it started; files here must be executable and end in `sh`.
set -euo pipefail

influx v1 dbrp create \
  --bucket-id "${DOCKER_INFLUXDB_INIT_BUCKET_ID}" \
  --db "${V1_DB_NAME}" \
  --rp "${V1_RP_NAME}" \
  --default \
  --org "${DOCKER_INFLUXDB_INIT_ORG}"

echo "10-dbrp.sh: InfluxQL ${V1_DB_NAME}/${V1_RP_NAME} -> bucket ${DOCKER_INFLUXDB_INIT_BUCKET}"
