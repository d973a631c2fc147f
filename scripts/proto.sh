#!/usr/bin/env bash
# Regenerates the Go code of the plugin contract from its .proto files.
#   scripts/proto.sh          regenerate plugin/proto/**/*.pb.go in place
#   scripts/proto.sh --check  fail when the committed code is stale
# Tool versions are pinned so that every machine generates the same bytes:
# protoc-gen-go matches google.golang.org/protobuf in go.mod, and
# protoc-gen-go-grpc is PROTOC_GEN_GO_GRPC_VERSION below. Wrong or missing
# plugins are installed (go install) into .cache/tools; protoc itself comes
# from the system (Debian: protobuf-compiler, >= 3.21). Only the protoc
# version comment in the generated headers may differ between machines;
# --check ignores that one line.
set -euo pipefail

PROTOC_GEN_GO_GRPC_VERSION=1.6.2
PROTOC_MIN=3.21

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tools="$root/.cache/tools"
src=plugin/proto

check=0
case "${1:-}" in
  "") ;;
  --check) check=1 ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

die() { echo "proto.sh: $*" >&2; exit 1; }

# protoc (the compiler) from the system.
if ! command -v protoc >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
    echo "installing: protobuf-compiler" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends protobuf-compiler >/dev/null
  else
    die "protoc not found: install protobuf-compiler (>= $PROTOC_MIN), e.g. sudo apt-get install -y protobuf-compiler"
  fi
fi
pv=$(protoc --version | awk '{print $2}')
if [ "$(printf '%s\n%s\n' "$PROTOC_MIN" "$pv" | sort -V | head -n1)" != "$PROTOC_MIN" ]; then
  die "protoc $pv is older than $PROTOC_MIN"
fi
# The well-known types (duration, timestamp) ship with protoc.
wkt=""
for d in /usr/include /usr/local/include "$(dirname "$(command -v protoc)")/../include"; do
  if [ -f "$d/google/protobuf/duration.proto" ]; then wkt=$d; break; fi
done
[ -n "$wkt" ] || die "google/protobuf/duration.proto not found next to protoc (install protobuf-compiler's include files)"

# protoc-gen-go pinned to the protobuf runtime in go.mod.
go_ver=$(go list -m -f '{{.Version}}' google.golang.org/protobuf)
mkdir -p "$tools"
tool_version() { # binary -> "vX.Y.Z" or ""
  [ -x "$1" ] || { echo ""; return; }
  "$1" --version 2>/dev/null | awk '{print $NF}' | sed 's/^\([0-9]\)/v\1/'
}
pick() { # name want module
  local name=$1 want=$2 module=$3 c
  for c in "$tools/$name" "$(command -v "$name" 2>/dev/null || true)" "$(go env GOPATH)/bin/$name"; do
    if [ -n "$c" ] && [ "$(tool_version "$c")" = "$want" ]; then echo "$c"; return; fi
  done
  echo "installing: $module@$want into .cache/tools" >&2
  GOBIN="$tools" GOFLAGS=-mod=mod go install "$module@$want" >&2
  [ "$(tool_version "$tools/$name")" = "$want" ] || die "$name: installed $(tool_version "$tools/$name"), want $want"
  echo "$tools/$name"
}
gen_go=$(pick protoc-gen-go "$go_ver" google.golang.org/protobuf/cmd/protoc-gen-go)
gen_grpc=$(pick protoc-gen-go-grpc "v$PROTOC_GEN_GO_GRPC_VERSION" google.golang.org/grpc/cmd/protoc-gen-go-grpc)

mapfile -t protos < <(cd "$src" && find . -name '*.proto' | sed 's|^\./||' | sort)
[ ${#protos[@]} -gt 0 ] || die "no .proto files under $src"

generate() { # out_dir
  (cd "$src" && protoc -I . -I "$wkt" \
    --plugin=protoc-gen-go="$gen_go" --plugin=protoc-gen-go-grpc="$gen_grpc" \
    --go_out="$1" --go_opt=paths=source_relative \
    --go-grpc_out="$1" --go-grpc_opt=paths=source_relative \
    "${protos[@]}")
}

if [ $check -eq 0 ]; then
  generate "$root/$src"
  echo "generated: $(cd "$src" && find . -name '*.pb.go' | sed 's|^\./||' | sort | tr '\n' ' ')"
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
generate "$tmp"
strip() { grep -Ev '^//[[:space:]]*(-[[:space:]]*)?protoc[[:space:]]+v[0-9]' "$1" || true; }
stale=0
while IFS= read -r f; do
  rel=${f#"$tmp"/}
  if [ ! -f "$src/$rel" ]; then
    echo "missing: $src/$rel" >&2; stale=1; continue
  fi
  if ! diff -u <(strip "$src/$rel") <(strip "$f") >"$tmp/diff" 2>&1; then
    echo "stale: $src/$rel" >&2; head -n 40 "$tmp/diff" >&2; stale=1
  fi
done < <(find "$tmp" -name '*.pb.go' | sort)
while IFS= read -r f; do
  rel=${f#"$src"/}
  [ -f "$tmp/$rel" ] || { echo "orphaned (no .proto generates it): $f" >&2; stale=1; }
done < <(find "$src" -name '*.pb.go' | sort)
if [ $stale -ne 0 ]; then
  echo "proto.sh: generated code is stale; run scripts/proto.sh (make proto) and commit the result" >&2
  exit 1
fi
echo "proto: generated code is up to date"
