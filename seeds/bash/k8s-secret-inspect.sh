#!/usr/bin/env bash
# Helper for on-call: shows which keys a Kubernetes secret has and, with
# --show, prints one decoded value (audit-logged by the API server).
# Usage: k8s-secret-inspect.sh <namespace> <secret> [--show <key>]
set -euo pipefail

ns=${1:?namespace}; secret=${2:?secret name}
kubectl -n "$ns" get secret "$secret" -o jsonpath='{.data}' | jq -r 'keys[]' | sed 's/^/  key: /'

if [[ "${3:-}" == "--show" ]]; then
    key=${4:?key}
    read -r -p "Really print ${ns}/${secret}:${key}? [y/N] " ans
    [[ "$ans" == [yY] ]] || exit 0
    kubectl -n "$ns" get secret "$secret" -o "jsonpath={.data.${key}}" | base64 -d
    echo
fi
