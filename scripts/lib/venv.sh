# Shared by scripts/test and scripts/demo: the Python venv with jina 3.34.0 for the real-Jina fixture.
# Pinned by scripts/fixture/requirements-lock.txt (pip alone cannot resolve jina 3.34.0 without the pins in
# scripts/fixture/constraints.txt; the lock is what they resolve to, verified).

ensure_jina_venv() {
  local venv=.venv-jina lock=scripts/fixture/requirements-lock.txt stamp=.venv-jina/.lock-sha256
  local want
  want=$(sha256sum "$lock" | cut -d' ' -f1)
  if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  echo "== creating $venv (jina==3.34.0, pinned; about 40 s)"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$lock" -c scripts/fixture/constraints.txt
  "$venv/bin/python" -c 'import jina, sys; assert jina.__version__ == "3.34.0", jina.__version__' 
  echo "$want" > "$stamp"
}
