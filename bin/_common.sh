# Shared by bin/run and bin/test: find Python >= 3.12 and prepare .venv.
# Sourced, not executed.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf '\033[31mERROR:\033[0m %s\n' "$*" >&2; exit 1; }

python_ok() {
    # A candidate counts only if it really runs and is >= 3.12: pyenv shims
    # exist on PATH for versions that are installed but not selected.
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.13 python3.12 python3; do
        [ -n "$candidate" ] && python_ok "$candidate" && { command -v "$candidate"; return 0; }
    done
    # pyenv installs every version under its root even when only one is active.
    if command -v pyenv >/dev/null 2>&1; then
        for candidate in $(ls -d "$(pyenv root)"/versions/3.1[2-9]* 2>/dev/null | sort -rV); do
            python_ok "$candidate/bin/python3" && { echo "$candidate/bin/python3"; return 0; }
        done
    fi
    return 1
}

ensure_venv() {
    local requirements="$1"
    if [ ! -x "$VENV/bin/python" ] || ! python_ok "$VENV/bin/python"; then
        local python
        python="$(find_python)" || die "iCentrex Privacy needs Python 3.12 or newer (Django 6 requires it), and none was found.
       Tried: \$PYTHON, python3.13, python3.12, python3 and pyenv's versions.
       Install one (e.g. 'pyenv install 3.12') or point PYTHON at it: PYTHON=/path/to/python3.12 $0"
        say "Creating .venv with $python ($("$python" --version))"
        rm -rf "$VENV"
        "$python" -m venv "$VENV" || die "could not create a virtualenv with $python"
    fi
    # Reinstall only when the pinned requirements changed since the last install.
    local stamp="$VENV/.installed-$(basename "$requirements")"
    if [ ! -f "$stamp" ] || ! cmp -s <(cat "$ROOT"/requirements*.txt) "$stamp"; then
        say "Installing pinned dependencies from $(basename "$requirements")"
        # (grep drops pip's notes about package-index folders this machine lacks)
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$ROOT/$requirements" 2>&1 \
            | { grep -v "^WARNING: Location '" || true; }
        [ "${PIPESTATUS[0]}" -eq 0 ] || die "pip install failed (see above)"
        cat "$ROOT"/requirements*.txt > "$stamp"
    fi
}

compile_messages() {
    # Swedish translations ship as .po and compiled .mo files; rebuild the .mo
    # when gettext is available so an edited .po takes effect.
    if command -v msgfmt >/dev/null 2>&1; then
        (cd "$ROOT" && "$VENV/bin/python" manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0)
    fi
}
