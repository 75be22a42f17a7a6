# Shared by scripts/test, scripts/demo and scripts/generate-example-reports: the Python venv with jina 3.34.0 for
# the real-Jina fixture. Pinned by scripts/fixture/requirements-lock.txt (pip cannot resolve jina 3.34.0 without
# the two pins in scripts/fixture/constraints.txt; the lock is what they resolve to, verified), plus the test
# tools of scripts/fixture/requirements-test.txt. Made once, remade when either file changes.

ensure_jina_venv() {
  local venv=.venv-jina stamp=.venv-jina/.requirements-sha256
  local files=(scripts/fixture/requirements-lock.txt scripts/fixture/requirements-test.txt scripts/fixture/constraints.txt)
  local want
  want=$(cat "${files[@]}" | sha256sum | cut -d' ' -f1)
  if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  echo "== creating $venv (jina==3.34.0 and test tools, pinned; about 40 s)"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -c scripts/fixture/constraints.txt \
    -r scripts/fixture/requirements-lock.txt -r scripts/fixture/requirements-test.txt
  "$venv/bin/python" -c 'import jina, jsonschema; assert jina.__version__ == "3.34.0", jina.__version__'
  echo "$want" > "$stamp"
}
