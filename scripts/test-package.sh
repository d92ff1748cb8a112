#!/usr/bin/env bash
# `npm run test:package` (also run by .ci/run): the package as a consumer gets it.
#  1. `npm pack` (prepack runs `npm run build`), then assert the tarball holds no tests, CI files or TS sources;
#  2. install the tarball into a fresh CDK app outside the repository, beside aws-cdk-lib and constructs at the
#     minimum peer versions (from the npm cache when it has them);
#  3. synthesize test/package/consumer/app.js in plain JavaScript with only `node` on PATH (no TypeScript
#     loader, no esbuild, no Docker): an evaluator with a Lambda group registered with an inline policy, and
#     service stacks registering against a shared evaluator they do not own;
#  4. type-check a strict TypeScript consumer (with the README's examples) and run its compiled JavaScript,
#     and synthesize the construct tests' all-options stack (every option) against the package;
#  5. run `npx canary-eval --version` and `npx canary-eval validate` from the installed package;
#  6. swap in the newest aws-cdk-lib older than the minimum peer and check the constructs refuse it with an
#     error naming both versions (not the error deep in synthesis that older releases give).
# Prints the figures: tarball size, handler bundle sizes, synth times, duration.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
FIXTURE="$ROOT/test/package/consumer"
T0=$(date +%s%N)
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
fail() { echo "test:package FAILED: $*" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/canary-evaluator-consumer.XXXXXX")"
case "$WORK" in "$ROOT"/*) fail "temporary app $WORK is inside the repository" ;; esac
# KEEP_CONSUMER=1 keeps the temporary app for a look after a failure.
if [ -z "${KEEP_CONSUMER:-}" ]; then trap 'rm -rf "$WORK"' EXIT; else echo "test:package: keeping $WORK" >&2; fi

# 1. Pack
t=$(date +%s%N); echo "test:package: step at $(ms "$T0") ms" >&2
cd "$ROOT"
TARBALL="$WORK/$(npm pack --pack-destination "$WORK" --silent | tail -n 1)"
[ -f "$TARBALL" ] || fail "npm pack wrote no tarball"
TARBALL_BYTES=$(stat -c %s "$TARBALL")
PACK_MS=$(ms "$t")
FILES="$(tar -tzf "$TARBALL")"
FORBIDDEN="$(grep -E '^package/(test|\.ci|scripts|examples|coverage|cdk\.out)/|\.test\.[jt]s$|__snapshots__|\.tsbuildinfo$' <<<"$FILES" || true)"
[ -z "$FORBIDDEN" ] || fail "the tarball holds tests or CI files:"$'\n'"$FORBIDDEN"
SOURCES="$(grep -E '\.ts$' <<<"$FILES" | grep -v '\.d\.ts$' || true)"
[ -z "$SOURCES" ] || fail "the tarball holds TypeScript sources (ship compiled JS):"$'\n'"$SOURCES"
for required in package/LICENSE package/dist/lib/index.js package/dist/lib/index.d.ts package/dist/bin/canary-eval.js; do
  grep -qx "$required" <<<"$FILES" || fail "the tarball lacks $required"
done
BUNDLES="$(tar -tzvf "$TARBALL" | awk '$6 ~ /^package\/dist\/assets\/[^/]+\/index\.js$/ { split($6, p, "/"); printf "%s %.1f KB, ", p[4], $3 / 1024 }')"
[ -n "$BUNDLES" ] || fail "the tarball holds no pre-bundled handler in dist/assets/"

# 2. A fresh CDK app beside aws-cdk-lib and constructs at the minimum peer versions
peer() { node -p "require('$ROOT/package.json').peerDependencies['$1'].replace(/^[^0-9]*/, '')"; }
installed() { node -p "require('$ROOT/node_modules/$1/package.json').version"; }
CDK_MIN=$(peer aws-cdk-lib)
CONSTRUCTS_MIN=$(peer constructs)
APP="$WORK/app"
mkdir -p "$APP"
cp -r "$FIXTURE/." "$APP/"
mkdir -p "$APP/examples"
cp "$ROOT/examples/platform-team-stack.ts" "$APP/examples/"
printf '{ "name": "canary-evaluator-consumer", "version": "1.0.0", "private": true }\n' >"$APP/package.json"
t=$(date +%s%N); echo "test:package: step at $(ms "$T0") ms" >&2
cd "$APP"
npm install --no-audit --no-fund --prefer-offline --loglevel=error \
  "$TARBALL" "aws-cdk-lib@$CDK_MIN" "constructs@$CONSTRUCTS_MIN" \
  "typescript@$(installed typescript)" "@types/node@$(installed @types/node)" >/dev/null
INSTALL_MS=$(ms "$t")
[ "$(node -p "require('aws-cdk-lib/package.json').version")" = "$CDK_MIN" ] || fail "the consumer did not get aws-cdk-lib $CDK_MIN"
[ ! -e node_modules/esbuild ] || fail "esbuild is installed in the consumer app; the package must not need it"
[ ! -e node_modules/canary-evaluator/node_modules/aws-cdk-lib ] || fail "canary-evaluator brought its own aws-cdk-lib copy"

# The service-team example registers against a shared evaluator it does not own.
cp "$ROOT/examples/service-team-stack.ts" examples/
SHARED_EXAMPLE=synthesized

# 3. Plain JavaScript synth with only node on PATH
NODE_ONLY="$WORK/node-only-bin"
mkdir -p "$NODE_ONLY"
ln -s "$(command -v node)" "$NODE_ONLY/node"
for tool in docker esbuild tsx ts-node; do
  ! PATH="$NODE_ONLY" command -v "$tool" >/dev/null || fail "$tool is on the synth PATH"
done
run_node() { env -i HOME="$HOME" PATH="$NODE_ONLY" AWS_REGION=us-east-1 CDK_DISABLE_VERSION_CHECK=1 node "$@"; }
t=$(date +%s%N); echo "test:package: step at $(ms "$T0") ms" >&2
JS_FIGURES="$(run_node app.js "$WORK/cdk.out.js")"
JS_SYNTH_MS=$(ms "$t")
echo "plain JavaScript consumer: $JS_FIGURES"

# 4. Strict TypeScript consumer (tsconfig.json: strict, noUncheckedIndexedAccess, exactOptionalPropertyTypes,
# skipLibCheck false). aws-cdk-lib's own declarations fail under exactOptionalPropertyTypes: those errors are
# counted and ignored; any error elsewhere (canary-evaluator's declarations, the consumer) fails.
t=$(date +%s%N); echo "test:package: step at $(ms "$T0") ms" >&2
set +e
TSC_OUT="$(node_modules/.bin/tsc -p tsconfig.json 2>&1)"
set -e
TSC_MS=$(ms "$t")
ERRORS="$(grep -E '^[^ ].*\([0-9]+,[0-9]+\): error TS' <<<"$TSC_OUT" || true)"
OURS="$(grep -v '^node_modules/aws-cdk-lib/' <<<"$ERRORS" || true)"
[ -z "$OURS" ] || fail "the strict TypeScript consumer does not type-check:"$'\n'"$TSC_OUT"
CDK_ERRORS=$(grep -c . <<<"$ERRORS" || true)
# The README's examples, strict without exactOptionalPropertyTypes, compiled and run as plain JavaScript.
node_modules/.bin/tsc -p tsconfig.examples.json || fail "the examples do not compile against the package"
echo "strict TypeScript consumer: $(run_node out/consumer.js)"
echo "platform-team example: $(run_node out/examples.js "$WORK/cdk.out.examples")"
[ -f out/consumer-shared.js ] || fail "the service-team example did not compile to out/consumer-shared.js"
echo "service-team example: $(run_node out/consumer-shared.js "$WORK/cdk.out.shared")"
# The construct tests' all-options stack (every option at once) against the package, transpiled without a
# type check (it is type-checked in the repository): each option must synthesize at the minimum peer.
# Its demo helper (cdk-nag acknowledgements of the sample service) is shipped but not exported: by file path.
sed -e "s#'../../../lib/constructs'#'canary-evaluator'#" -e "s#'../../../lib/policy'#'canary-evaluator'#" \
  -e "s#'../../../lib/demo/demo-stack'#'../node_modules/canary-evaluator/dist/lib/demo/demo-stack'#" \
  "$ROOT/test/constructs/support/all-options-stack.ts" >examples/all-options-stack.ts
! grep -q "from '\.\./\.\./" examples/all-options-stack.ts || fail "all-options-stack.ts imports a repository file the package does not ship:"$'\n'"$(grep "from '\.\./\.\./" examples/all-options-stack.ts)"
node -e "const ts = require('typescript'), fs = require('node:fs');
  const { outputText } = ts.transpileModule(fs.readFileSync('examples/all-options-stack.ts', 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
  fs.writeFileSync('out/all-options-stack.js', outputText);"
t=$(date +%s%N)
ALL_OPTIONS="$(run_node all-options.js "$WORK/cdk.out.all-options")"
ALL_OPTIONS_MS=$(ms "$t")
echo "all-options stack: $ALL_OPTIONS"

# 5. The CLI from the installed package, compiled JavaScript (no tsx)
VERSION="$(npx --no-install canary-eval --version)"
[ "$VERSION" = "$(node -p "require('$ROOT/package.json').version")" ] || fail "canary-eval --version printed '$VERSION'"
npx --no-install canary-eval validate policies/payments.yaml >/dev/null || fail "canary-eval validate rejected policies/payments.yaml"
set +e
BROKEN="$(npx --no-install canary-eval validate policies/broken.yaml 2>&1)"
BROKEN_CODE=$?
set -e
[ "$BROKEN_CODE" = 1 ] && grep -q 'thresholdMs' <<<"$BROKEN" || fail "canary-eval validate on a broken policy exited $BROKEN_CODE: $BROKEN"

# 6. An aws-cdk-lib older than the minimum peer is refused at construct creation, naming the versions.
# 2.268.0 is the newest release below the minimum; it fails synthesis without the check (InvalidValidationId).
REFUSED_CDK=2.268.0
t=$(date +%s%N); echo "test:package: step at $(ms "$T0") ms" >&2
npm install --no-audit --no-fund --prefer-offline --loglevel=error --no-save --legacy-peer-deps "aws-cdk-lib@$REFUSED_CDK" >/dev/null
[ "$(node -p "require('aws-cdk-lib/package.json').version")" = "$REFUSED_CDK" ] || fail "the consumer did not get aws-cdk-lib $REFUSED_CDK"
set +e
REFUSAL="$(run_node app.js "$WORK/cdk.out.refused" 2>&1)"
REFUSAL_CODE=$?
set -e
EXPECTED_REFUSAL="canary-evaluator needs aws-cdk-lib $CDK_MIN or newer, and this app has aws-cdk-lib $REFUSED_CDK"
[ "$REFUSAL_CODE" != 0 ] && grep -qF "$EXPECTED_REFUSAL" <<<"$REFUSAL" || fail "aws-cdk-lib $REFUSED_CDK was not refused with \"$EXPECTED_REFUSAL\" (exit $REFUSAL_CODE):"$'\n'"$REFUSAL"
REFUSED_MS=$(ms "$t")

echo "test:package: tarball $(awk "BEGIN { printf \"%.1f\", $TARBALL_BYTES / 1024 }") KB ($(wc -l <<<"$FILES") files; pack+build ${PACK_MS} ms)"
echo "test:package: handler bundles: ${BUNDLES%, }"
echo "test:package: consumer on aws-cdk-lib $CDK_MIN, constructs $CONSTRUCTS_MIN, node $(node --version); install ${INSTALL_MS} ms"
echo "test:package: plain-JS synth (node process, both apps) ${JS_SYNTH_MS} ms ($JS_FIGURES)"
echo "test:package: strict tsc ${TSC_MS} ms: 0 errors in canary-evaluator or the consumer, $CDK_ERRORS in aws-cdk-lib's own declarations (exactOptionalPropertyTypes); service-team example: $SHARED_EXAMPLE"
echo "test:package: all-options stack at aws-cdk-lib $CDK_MIN: ${ALL_OPTIONS_MS} ms ($ALL_OPTIONS)"
echo "test:package: aws-cdk-lib $REFUSED_CDK refused at construct creation, naming $CDK_MIN (${REFUSED_MS} ms with its install)"
echo "test:package: canary-eval --version $VERSION; validate ok; passed in $(ms "$T0") ms"
