#!/usr/bin/env bash
# The Dockerfile's stages by hand, for machines without a Docker daemon: build from a clean copy of
# HEAD with only the files the Dockerfile copies (less what .dockerignore leaves out), install
# production dependencies alone, and start the server as the image would (as an unprivileged user
# when run as root) against this checkout's fake GitHub (test/app/fakeAppGitHub.ts): the
# HEALTHCHECK, a refused signature, signed pull requests to completed check runs with annotations,
# then GitHub down. Prints timings and memory; exits 1 when an expectation fails. Not part of CI (it
# runs `npm ci` twice from the registry, 3-4 minutes; the fake needs this checkout's dependencies).
# Usage: scripts/check-image.sh [work-dir] (REUSE=1 starts the image folder already in work-dir.)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$(mktemp -d /tmp/tollgate-image.XXXXXX)}"
mkdir -p "$work"
echo "working in $work"

if [ -z "${REUSE:-}" ]; then
# Stage `build`: the Dockerfile's COPY lines, from the committed tree (git archive: no local files).
rm -rf "$work/src-tree" "$work/build" && mkdir -p "$work/src-tree" "$work/build"
git -C "$repo" archive HEAD | tar -x -C "$work/src-tree"
for path in package.json package-lock.json tsconfig.json tsconfig.build.json bin scripts src policies; do
  cp -R "$work/src-tree/$path" "$work/build/"
done
find "$work/build" -name '*.test.ts' -delete # .dockerignore: **/*.test.ts
(cd "$work/build" && npm ci --ignore-scripts --no-audit --no-fund && npm run build)

# Stage `production-dependencies`.
rm -rf "$work/deps" && mkdir -p "$work/deps"
cp "$work/src-tree/package.json" "$work/src-tree/package-lock.json" "$work/deps/"
(cd "$work/deps" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund)

# The final image: production node_modules, dist, policies and package.json only.
rm -rf "$work/image" && mkdir -p "$work/image"
cp -R "$work/deps/node_modules" "$work/image/"
cp -R "$work/build/dist" "$work/build/policies" "$work/src-tree/package.json" "$work/image/"
fi
echo "image folder: $(du -sh "$work/image/." | cut -f1) (node_modules $(du -sh "$work/image/node_modules/." | cut -f1))"

failed=0
check() { # check <what> <command...>: prints the outcome, remembers a failure
  local what="$1"
  shift
  if "$@"; then echo "ok: $what"; else echo "FAILED: $what"; failed=1; fi
}

# The fake GitHub serves test/app/fixtures/terraform (base -> opened) and writes what it saw to
# github.json; the recorded pull_request.opened bodies it writes differ only in their number.
state="$work/github.json"
rm -f "$state" "$work"/pull-*.json
(cd "$repo" && exec node --import tsx --input-type=module -e '
  const [work] = process.argv.slice(1);
  const { renameSync, writeFileSync } = await import("node:fs");
  const { FakeAppGitHub } = await import("./test/app/fakeAppGitHub.ts");
  const { pullFilesBetween, readCommit } = await import("./test/app/commits.ts");
  const { BASE_SHA, HEAD_SHA, pullRequestPayload } = await import("./test/app/payloads.ts");
  const base = readCommit("test/app/fixtures/terraform/base");
  const head = readCommit("test/app/fixtures/terraform/opened");
  const github = new FakeAppGitHub({
    commits: { [BASE_SHA]: base, [HEAD_SHA]: head },
    pullFiles: pullFilesBetween(base, head),
  });
  const url = await github.start();
  for (let number = 1; number <= 22; number++) {
    const payload = pullRequestPayload("opened");
    payload.pull_request.number = number;
    writeFileSync(`${work}/pull-${number}.json`, JSON.stringify(payload));
  }
  const save = () => {
    writeFileSync(`${work}/github.json.new`, JSON.stringify({
      host: new URL(url).host,
      created: [...github.pullOfRun.keys()],
      completed: [...github.completedAt.keys()],
      last: github.lastCompletion,
    }));
    renameSync(`${work}/github.json.new`, `${work}/github.json`);
  };
  save();
  setInterval(save, 100);
  process.on("SIGTERM", () => github.stop().then(() => process.exit(0)));
' "$work") &
fake=$!
for _ in $(seq 1 300); do [ -s "$state" ] && break; sleep 0.1; done
github() { node -e 'const s = require(process.argv[1]); console.log(eval(process.argv[2]))' "$state" "$1"; }

key="$work/app-key.pem"
openssl genrsa -traditional -out "$key" 2048 2>/dev/null || openssl genrsa -out "$key" 2048 2>/dev/null
secret="image-check-secret"
port="${PORT:-3999}"
log="$work/server.log"
# The image runs as the `node` user over files root owns: as root, run as nobody.
as_user=()
if [ "$(id -u)" = 0 ]; then as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups); fi
started=$(date +%s%N)
(cd "$work/image" && NODE_ENV=production HOST=127.0.0.1 PORT="$port" APP_ID=12345 \
  PRIVATE_KEY="$(cat "$key")" WEBHOOK_SECRET="$secret" GHE_HOST="$(github s.host)" GHE_PROTOCOL=http \
  exec "${as_user[@]}" node dist/app/server.js >"$log" 2>&1) &
server=$!
trap 'kill "$server" "$fake" 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  curl -fsS "http://127.0.0.1:$port/ping" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$log"; echo "the server exited"; exit 1; }
  sleep 0.1
done
rss() { grep -E "^$1:" "/proc/$server/status" | tr -s ' \t' ' ' | cut -d' ' -f2-; }
echo "server (user $(ps -o user= -p "$server")) answered /ping $(( ($(date +%s%N) - started) / 1000000 )) ms after its start; RSS $(rss VmRSS)"

# The Dockerfile's HEALTHCHECK command (the exec form on the line after HEALTHCHECK), as written there.
healthcheck="$(grep -A1 '^HEALTHCHECK' "$repo/Dockerfile" | tail -1 | sed -E 's/^ *CMD //')"
mapfile -t healthcheck < <(node -e 'for (const a of JSON.parse(process.argv[1])) console.log(a)' "$healthcheck")
check "HEALTHCHECK exits 0" env PORT="$port" "${healthcheck[@]}"
echo "GET /health  -> $(curl -sS "http://127.0.0.1:$port/health")"
echo "GET /metrics -> $(curl -sS "http://127.0.0.1:$port/metrics" | grep -c '^tollgate_') samples"

post() { # post <pull> <secret> [delivery]: the HTTP status of pull-<pull>.json signed with <secret>
  local body="$work/pull-$1.json"
  curl -sS -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$port/api/github/webhooks" \
    -H 'content-type: application/json' -H 'x-github-event: pull_request' \
    -H "x-github-delivery: ${3:-image-check-$1}" \
    -H "x-hub-signature-256: sha256=$(openssl dgst -sha256 -hmac "$2" -r <"$body" | cut -d' ' -f1)" \
    --data-binary "@$body"
}
wait_completed() { # wait_completed <runs>: until the fake saw that many runs completed (4 minutes)
  for _ in $(seq 1 2400); do [ "$(github s.completed.length)" -ge "$1" ] && return 0; sleep 0.1; done
  return 1
}

check "a wrong signature is refused (400)" test "$(post 22 wrong-secret image-check-refused)" = 400
t0=$(date +%s%N)
check "a signed pull_request.opened is accepted (200)" test "$(post 1 "$secret")" = 200
check "its check run completes" wait_completed 1
echo "  in $(( ($(date +%s%N) - t0) / 1000000 )) ms: $(github '`${s.last.conclusion}, "${s.last.output.title}", ${s.last.output.annotations.length} annotations`')"
check "with annotations" test "$(github s.last.output.annotations.length)" -gt 0
t0=$(date +%s%N)
for pull in $(seq 2 21); do post "$pull" "$secret" >/dev/null; done
check "20 more check runs complete" wait_completed 21
echo "  in $(( ($(date +%s%N) - t0) / 1000000 )) ms (throttled: one write a second per installation); RSS $(rss VmRSS), peak $(rss VmHWM)"
check "no check run left in progress" test "$(github s.created.length)" = "$(github s.completed.length)"

# GitHub down: each request retries within 30 s of its first attempt (src/github/retry.ts; about
# 15 s when the port refuses), then the job fails and is logged with its delivery.
kill -TERM "$fake"
wait "$fake" || true
post 22 "$secret" image-check-down >/dev/null
for _ in $(seq 1 600); do grep -q '"msg":"check job failed"' "$log" && break; sleep 0.1; done
check "with GitHub down the failed job is logged with its delivery" \
  grep -q '"delivery":"image-check-down".*"msg":"check job failed"' "$log"
kill -TERM "$server"
wait "$server" || true
trap - EXIT
echo "server log ($log): warnings and errors, lines cut at 400 characters:"
grep -E '"level":(40|50|60)' "$log" | cut -c1-400
check "the refused delivery is one warning naming it" \
  test "$(grep -c '"delivery":"image-check-refused".*"msg":"webhook refused"' "$log")" = 1
check "no secret in the log" \
  bash -c '! grep -q -e "$1" -e "BEGIN RSA" -e "PRIVATE KEY" "$2"' _ "$secret" "$log"
exit "$failed"
