#!/usr/bin/env bash
# The Dockerfile's stages by hand, for machines without a Docker daemon: build from a clean copy of
# HEAD with only the files the Dockerfile copies, install production dependencies alone, start the
# server as the image would, and check /ping, /health and a signed webhook. Not part of CI (it runs
# `npm ci` twice from the registry, 3-4 minutes). Usage: scripts/check-image.sh [work-dir]
# (REUSE=1 skips the stages and starts the image folder already in work-dir.)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$(mktemp -d /tmp/tollgate-image.XXXXXX)}"
mkdir -p "$work"
echo "working in $work"

if [ -z "${REUSE:-}" ]; then
# Stage `build`: the Dockerfile's COPY lines, from the committed tree (git archive: no local files).
mkdir -p "$work/src-tree" "$work/build"
git -C "$repo" archive HEAD | tar -x -C "$work/src-tree"
for path in package.json package-lock.json tsconfig.json tsconfig.build.json bin scripts src policies; do
  cp -R "$work/src-tree/$path" "$work/build/"
done
(cd "$work/build" && npm ci --ignore-scripts --no-audit --no-fund && npm run build)

# Stage `production-dependencies`.
mkdir -p "$work/deps"
cp "$work/src-tree/package.json" "$work/src-tree/package-lock.json" "$work/deps/"
(cd "$work/deps" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund)

# The final image: production node_modules, dist, policies and package.json only.
rm -rf "$work/image" && mkdir -p "$work/image"
cp -R "$work/deps/node_modules" "$work/image/"
cp -R "$work/build/dist" "$work/build/policies" "$work/src-tree/package.json" "$work/image/"
fi

key="$work/app-key.pem"
openssl genrsa -traditional -out "$key" 2048 2>/dev/null || openssl genrsa -out "$key" 2048 2>/dev/null
secret="image-check-secret"
port="${PORT:-3999}"
log="$work/server.log"
# GitHub is a closed local port (offline; port 9 would not do: fetch refuses it as a "bad port").
(cd "$work/image" && NODE_ENV=production HOST=127.0.0.1 PORT="$port" APP_ID=12345 \
  PRIVATE_KEY="$(cat "$key")" WEBHOOK_SECRET="$secret" GHE_HOST=127.0.0.1:$((port + 1)) GHE_PROTOCOL=http \
  exec node dist/app/server.js >"$log" 2>&1) &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/ping" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$log"; echo "the server exited"; exit 1; }
  sleep 0.2
done

echo "GET /ping    -> $(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/ping")"
echo "GET /health  -> $(curl -sS "http://127.0.0.1:$port/health")"
echo "GET /metrics -> $(curl -sS "http://127.0.0.1:$port/metrics" | grep -c '^tollgate_') samples"
body="$(node -e '
  const all = require(process.argv[1]);
  const example = all.find((e) => e.name === "pull_request").examples.find((e) => e.action === "opened");
  example.installation = { id: 42 };
  example.pull_request.head.sha = "2".repeat(40);
  example.pull_request.base.sha = "1".repeat(40);
  process.stdout.write(JSON.stringify(example));
' "$repo/node_modules/@octokit/webhooks-examples/api.github.com/index.json")"
signature="sha256=$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$secret" -r | cut -d' ' -f1)"
post() {
  curl -sS -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$port/api/github/webhooks" \
    -H 'content-type: application/json' -H 'x-github-event: pull_request' \
    -H "x-github-delivery: image-check-$1" -H "x-hub-signature-256: $2" --data-binary "$body"
}
echo "signed webhook   -> $(post 1 "$signature")"
echo "unsigned webhook -> $(post 2 "sha256=$(printf '0%.0s' $(seq 64))")"
# GitHub is unreachable: each request retries within 30 s of its first attempt (src/github/retry.ts; about 15 s when
# the port refuses), then the job fails and is logged; wait (bounded, 4 minutes) until nothing runs.
for _ in $(seq 1 480); do
  curl -sS "http://127.0.0.1:$port/health" | grep -q '"running":0' && break
  sleep 0.5
done
echo "GET /health  -> $(curl -sS "http://127.0.0.1:$port/health")"
echo "server memory: $(grep -E 'VmHWM|VmRSS' "/proc/$server/status" 2>/dev/null | tr -s ' \t\n' ' ')"
kill -TERM "$server"
wait "$server" || true
trap - EXIT
echo "server log ($log), without the /health polling, lines cut at 400 characters:"
grep -v '"url":"/health"' "$log" | cut -c1-400
if grep -q -e "$secret" -e "BEGIN RSA" -e "PRIVATE KEY" "$log"; then
  echo "the log contains a secret"
  exit 1
fi
echo "no secret in the log"
