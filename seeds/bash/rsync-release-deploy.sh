#!/usr/bin/env bash
# Blue/green style release deploy for the catalog API.
# Builds locally, rsyncs the release to each app server, flips the "current"
# symlink and restarts the systemd unit one host at a time.
set -euo pipefail

APP=catalog-api
HOSTS=(app01.prod.example app02.prod.example app03.prod.example)
DEPLOY_USER=deploy
RELEASE=$(git rev-parse --short HEAD)
BASE=/srv/${APP}

make clean build VERSION="${RELEASE}"
tar -C dist -czf "/tmp/${APP}-${RELEASE}.tgz" .

for h in "${HOSTS[@]}"; do
    echo "==> ${h}"
    ssh "${DEPLOY_USER}@${h}" "mkdir -p ${BASE}/releases/${RELEASE}"
    rsync -az --delete "dist/" "${DEPLOY_USER}@${h}:${BASE}/releases/${RELEASE}/"
    ssh "${DEPLOY_USER}@${h}" "ln -sfn ${BASE}/releases/${RELEASE} ${BASE}/current && sudo systemctl restart ${APP}"
    for i in $(seq 1 20); do
        if curl -fsS "https://${h}/healthz" >/dev/null; then
            echo "    healthy"
            break
        fi
        sleep 3
        [[ $i -eq 20 ]] && { echo "    ${h} unhealthy, aborting rollout"; exit 1; }
    done
    # keep the five newest releases
    ssh "${DEPLOY_USER}@${h}" "ls -1dt ${BASE}/releases/* | tail -n +6 | xargs -r rm -rf"
done
echo "deployed ${RELEASE}"
