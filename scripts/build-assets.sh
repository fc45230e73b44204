#!/usr/bin/env bash
# Build the KCPO partner portal front-end assets into portal/static/
# (which Flask serves at the URL path /assets).
#
#   portal/static/application.css        <- assets/scss/application.scss (Sass)
#   portal/static/govuk-frontend.min.js  <- node_modules/govuk-frontend/dist/govuk/
#   portal/static/init.js                <- assets/js/init.js
#   portal/static/images/*               <- node_modules/govuk-frontend/dist/govuk/assets/images/
#   portal/static/kcpo-icon.svg          <- assets/images/ (the service's own icon)
#
# The GDS Transport fonts are deliberately NOT copied (the service does not
# use them; see assets/scss/application.scss).
#
# Idempotent and runnable from any directory. Work is skipped when it is not
# needed: `npm ci` only when node_modules is missing or package-lock.json is
# newer than the last install, the Sass compile only when an input is newer
# than portal/static/application.css, and files are only copied when their
# content differs. Prints one summary line.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

STATIC_DIR="portal/static"
GOVUK_DIST="node_modules/govuk-frontend/dist/govuk"
SASS_BIN="node_modules/.bin/sass"
CSS_IN="assets/scss/application.scss"
CSS_OUT="$STATIC_DIR/application.css"
# npm (re)writes this file on every install, so its mtime is "last install".
NPM_STAMP="node_modules/.package-lock.json"

actions=()

for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "build-assets: '$tool' not found; install Node.js 20+ and npm" >&2
    exit 1
  fi
done

# --- 1. dependencies ---------------------------------------------------------
if [[ ! -d node_modules || ! -f "$NPM_STAMP" || ! -x "$SASS_BIN" \
      || ! -d "$GOVUK_DIST" || package-lock.json -nt "$NPM_STAMP" ]]; then
  # --ignore-scripts: no package needs an install script (sass is pure JS and
  # its optional native file watcher ships prebuilt), so none is run.
  if ! npm_log="$(npm ci --no-audit --no-fund --ignore-scripts --loglevel=error 2>&1)"; then
    printf '%s\n' "$npm_log" >&2
    echo "build-assets: npm ci failed" >&2
    exit 1
  fi
  actions+=("npm ci")
else
  actions+=("npm ci skipped")
fi

mkdir -p "$STATIC_DIR"

# --- 2. Sass -> CSS ------------------------------------------------------------
css_stale=0
if [[ ! -f "$CSS_OUT" ]]; then
  css_stale=1
elif [[ -n "$(find assets/scss package-lock.json "$NPM_STAMP" scripts/build-assets.sh \
               -newer "$CSS_OUT" -print -quit)" ]]; then
  css_stale=1
fi

if (( css_stale )); then
  tmp_css="$(mktemp "$STATIC_DIR/.application.css.XXXXXX")"
  trap 'rm -f "$tmp_css"' EXIT
  "$SASS_BIN" --style=compressed --no-source-map --load-path=node_modules \
    --quiet-deps "$CSS_IN" "$tmp_css"
  chmod 644 "$tmp_css"
  mv -f "$tmp_css" "$CSS_OUT"   # atomic: never serve a half-written file
  trap - EXIT
  actions+=("compiled $CSS_OUT ($(wc -c <"$CSS_OUT") bytes)")
else
  actions+=("$CSS_OUT up to date")
fi

# --- 3. copies -----------------------------------------------------------------
copied=0
# copy_if_changed SRC DEST: copy when DEST is missing or its content differs.
copy_if_changed() {
  local src="$1" dest="$2"
  if [[ ! -f "$dest" ]] || ! cmp -s "$src" "$dest"; then
    mkdir -p "$(dirname "$dest")"
    cp -f "$src" "$dest"
    copied=$((copied + 1))
  fi
}

copy_if_changed "$GOVUK_DIST/govuk-frontend.min.js" "$STATIC_DIR/govuk-frontend.min.js"
copy_if_changed "assets/js/init.js" "$STATIC_DIR/init.js"

# Images -> /assets/images/... (the fonts folder is deliberately skipped).
while IFS= read -r -d '' img; do
  copy_if_changed "$img" "$STATIC_DIR/images/${img#"$GOVUK_DIST/assets/images/"}"
done < <(find "$GOVUK_DIST/assets/images" -type f -print0)

# The service's own images (its icon): it is not on GOV.UK, so it never shows the crown favicons.
while IFS= read -r -d '' img; do
  copy_if_changed "$img" "$STATIC_DIR/${img#assets/images/}"
done < <(find assets/images -type f -print0)

actions+=("copied $copied changed file(s)")

summary="$(IFS=';'; echo "${actions[*]}")"
echo "build-assets: ${summary//;/; } -> $STATIC_DIR (served at /assets)"
