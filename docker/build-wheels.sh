#!/usr/bin/env bash
# Runs inside the docker/Dockerfile image with the checkout mounted at /io; writes the
# repaired wheel to /io/dist. One wheel (py3-none-manylinux2014_<arch>) serves every
# CPython 3, so it is built once, with any of the image's interpreters.
set -euo pipefail
SRC=${1:-/io}
PY=/opt/python/cp311-cp311/bin/python
WORK=$(mktemp -d)

# No debug info in a shipped library (the dynamic symbols stay).
export CARGO_PROFILE_RELEASE_DEBUG=0 CARGO_PROFILE_RELEASE_STRIP=debuginfo
"$PY" -m pip wheel --no-deps -w "$WORK/raw" "$SRC"
# The image's glibc is 2.17, so the library needs nothing newer; auditwheel checks that
# and tags the wheel manylinux2014 / manylinux_2_17.
auditwheel repair --plat "manylinux2014_$(uname -m)" -w "$SRC/dist" "$WORK"/raw/*.whl
auditwheel show "$SRC"/dist/libsourcemap-*manylinux*"$(uname -m)".whl
