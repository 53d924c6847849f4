#!/usr/bin/env bash
# Build the one-folder app with PyInstaller and smoke-test it.
#   tools/build_bundle.sh            # uses .venv (installs PyInstaller into it when missing)
#   PYTHON=/path/python tools/build_bundle.sh
# Prints the bundle size in MB, then runs `dist/PayApp/PayApp --smoke-test` offscreen (opens the demo on a
# fresh temporary data folder — migrations included — renders every tab, exits 0). Fails on a non-zero exit or on
# stderr other than the offscreen platform's known notice.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"

if ! "$PYTHON" -c "import PyInstaller" 2>/dev/null; then
    echo "installing PyInstaller into $("$PYTHON" -c 'import sys; print(sys.prefix)')"
    "$PYTHON" -m pip install --quiet "pyinstaller>=6.10"
fi

# Translations are compiled from the .ts sources first, so the bundle never ships stale .qm files.
"$PYTHON" tools/i18n.py compile

started=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN pyinstaller.spec
echo "built in $(( $(date +%s) - started )) s"

case "$(uname -s)" in
    Darwin) bundle=dist/PayApp.app; exe=dist/PayApp.app/Contents/MacOS/PayApp ;;
    MINGW*|MSYS*|CYGWIN*) bundle=dist/PayApp; exe=dist/PayApp/PayApp.exe ;;
    *) bundle=dist/PayApp; exe=dist/PayApp/PayApp ;;
esac
# Linux: the wheel's ICU data holds every locale and legacy codec (~31 MB); keep what PayApp can use (see the tool).
if [ "$(uname -s)" = Linux ]; then
    for icu in "$bundle"/_internal/PySide6/Qt/lib/libicudata.so.*; do "$PYTHON" tools/trim_icu.py "$icu"; done
fi
size_mb=$(du -sm "$bundle" | cut -f1)
size_bytes=$(du -sb "$bundle" 2>/dev/null | cut -f1 || true)
echo "bundle: $bundle, ${size_mb} MB (MiB; ${size_bytes:-?} bytes)"

# Linux: the spec drops libraries that only unused plugins needed; make sure nothing kept still needs one.
if [ "$(uname -s)" = Linux ] && command -v ldd >/dev/null; then
    internal="$bundle/_internal"
    dropped='lib(Qt6Network|Qt6OpenGL|xcb-glx|Qt6EglFS|Qt6EglFs|gtk-3|gdk-3|pango|harfbuzz|atk-|cairo|gdk_pixbuf|epoxy|pixman|fribidi|thai|datrie|graphite2|tiff|webp|webpdemux|webpmux|sharpyuv|jpeg|jbig|deflate|Lerc)'
    missing=$(find "$internal" -name "*.so*" -type f -print0 |
        LD_LIBRARY_PATH="$internal:$internal/PySide6/Qt/lib" xargs -0 -n 50 ldd 2>/dev/null |
        grep "not found" | grep -E "$dropped" | sort -u || true)
    if [ -n "$missing" ]; then
        echo "BUNDLE BROKEN: kept libraries need dropped ones:" >&2
        echo "$missing" >&2
        exit 1
    fi
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
# A smoke test takes ~3 s; 300 s means it hangs (seen once on a heavily loaded machine): fail, don't wait forever.
limit=""
command -v timeout >/dev/null && limit="timeout 300"
QT_QPA_PLATFORM=offscreen PAYAPP_DATA_DIR="$tmp/data" PAYAPP_LOG_DIR="$tmp/log" \
    $limit "$exe" --smoke-test >"$tmp/out" 2>"$tmp/err" || status=$?
cat "$tmp/out"
# The offscreen platform plugin says this once per window; it is not an error.
unexpected=$(grep -v -e "This plugin does not support propagateSizeHints()" "$tmp/err" || true)
if [ "$status" -ne 0 ] || [ -n "$unexpected" ]; then
    echo "SMOKE TEST FAILED (exit $status)" >&2
    cat "$tmp/err" >&2
    exit 1
fi
grep -q "smoke test: rendered" "$tmp/out" || { echo "SMOKE TEST FAILED: no tabs rendered" >&2; exit 1; }
echo "smoke test passed; bundle ${size_mb} MB"
