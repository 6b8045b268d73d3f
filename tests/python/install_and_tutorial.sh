#!/usr/bin/env bash
# `pip install ./python` into a fresh virtualenv, then the tutorial of docs/python.md (its ```python blocks,
# in order, as one script) run by that virtualenv's Python in an empty folder, away from the checkout.
# The virtualenv sees Debian's packages (numpy, torch, pandas, setuptools, wheel), so nothing is downloaded.
# Usage: install_and_tutorial.sh PYTHON BUILD_DIR, from the checkout's root.
set -euo pipefail
python=$1
build=$(cd "$2" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$python" -m venv --system-site-packages "$tmp/venv"
SSMSIM_BUILD_DIR="$build" "$tmp/venv/bin/pip" install --quiet --no-build-isolation --no-deps ./python
"$tmp/venv/bin/python" - docs/python.md "$tmp/tutorial.py" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
blocks = re.findall(r"^```python\n(.*?)^```$", text, flags=re.S | re.M)
assert blocks, "docs/python.md has no ```python blocks"
open(sys.argv[2], "w").write("\n".join(blocks))
PY
mkdir "$tmp/work"
cd "$tmp/work"
# The installed package, not the checkout's: no PYTHONPATH, and its files live in the virtualenv.
env -u PYTHONPATH "$tmp/venv/bin/python" - <<'PY'
import ssmsim, sys
assert ssmsim.__file__.startswith(sys.prefix), ssmsim.__file__
print("ssmsim installed at", ssmsim.__file__)
PY
env -u PYTHONPATH "$tmp/venv/bin/python" "$tmp/tutorial.py"
echo "tutorial: passed"
