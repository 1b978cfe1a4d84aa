"""Generates the out-of-line ABI-mode CFFI module ``libsourcemap._lowlevel``.

The header is run through the C preprocessor first because CFFI's cdef cannot expand
macros or includes; the system headers' declarations are dropped again, keeping only ours.
ABI mode (``set_source(..., None)``) links nothing against libpython, so one wheel serves
every Python 3.
"""

import os
import re
import subprocess

from cffi import FFI

HERE = os.path.dirname(os.path.abspath(__file__))
HEADER = os.path.join(HERE, "include", "libsourcemap.h")


def preprocessed_header() -> str:
    cc = os.environ.get("CC", "cc")
    out = subprocess.run(
        [cc, "-E", "-P", "-D__attribute__(x)=", HEADER],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    # Keep only our declarations: everything from our first typedef on. The system
    # headers pulled in for uint32_t/size_t come before it and CFFI knows those types.
    start = out.index("typedef struct lsm_view_s")
    body = out[start:]
    # #defines vanished in preprocessing; re-declare them as CFFI integer constants.
    defines = re.findall(r"^#define (LSM_\w+) (\d+)\b", open(HEADER).read(), re.M)
    consts = "".join(f"#define {name} {value}\n" for name, value in defines)
    return consts + body


ffi = FFI()
ffi.cdef(preprocessed_header())
ffi.set_source("libsourcemap._lowlevel", None)

if __name__ == "__main__":
    ffi.compile(tmpdir=HERE)  # the module is libsourcemap._lowlevel: HERE/libsourcemap/_lowlevel.py
