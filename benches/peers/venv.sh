# Sourced by the peer scripts. `peer_venv VENV REQUIREMENTS IMPORTS` makes the Python venv VENV
# once and reuses it after; it installs the pinned REQUIREMENTS into it when the file changed
# since the last install (a copy is kept in the venv) or the modules IMPORTS (a Python import
# list, e.g. "EoN, numpy") do not all import.
peer_venv() {
    local venv="$1" requirements="$2" imports="$3"
    if cmp -s "$requirements" "$venv/requirements.installed" &&
        "$venv/bin/python" -c "import $imports" 2>/dev/null; then
        return 0
    fi
    echo "== setting up $venv"
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet -r "$requirements"
    cp "$requirements" "$venv/requirements.installed"
}
