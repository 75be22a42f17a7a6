# Sourced by scripts/install and scripts/test: make_man_page CONFIGURATION OUTPUT writes jina-history's man page.
# swift-argument-parser's generate-manual plugin builds the package in CONFIGURATION (debug or release) and writes
# the page from the command definitions; its EXIT STATUS section only says ">0 if an error occurs", so it is
# replaced by scripts/lib/exit-status.mdoc, the codes each command uses. A failed build shows its errors.
make_man_page() {
  local configuration=$1 output=$2 log
  log=$(mktemp)
  if ! swift package plugin generate-manual --configuration "$configuration" >"$log" 2>&1; then
    echo "jina-history: error: building jina-history and its man page failed:" >&2
    grep -E 'error:|fatal' "$log" | head -40 >&2 || tail -30 "$log" >&2
    echo "(the whole build log: $log)" >&2
    return 1
  fi
  rm -f "$log"
  local generated=.build/plugins/GenerateManual/outputs/jina-history/jina-history.1
  grep -q '^\.Ex -std' "$generated" || { echo "jina-history: error: $generated has no EXIT STATUS to replace" >&2; return 1; }
  mkdir -p "$(dirname "$output")"
  sed -e '/^\.Ex -std/{r scripts/lib/exit-status.mdoc' -e 'd}' "$generated" >"$output"
}
