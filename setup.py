"""Build: setuptools-rust compiles rust/ (release) into the package as a plain cdylib, and
CFFI generates the out-of-line ABI-mode module ``libsourcemap._lowlevel`` from
build_ffi.py. Metadata lives in pyproject.toml."""

from setuptools import setup
from setuptools_rust import Binding, RustExtension

setup(
    rust_extensions=[
        RustExtension(
            "libsourcemap._sourcemap_native",
            path="rust/Cargo.toml",
            binding=Binding.NoBinding,
            debug=False,
        )
    ],
    cffi_modules=["build_ffi.py:ffi"],
    zip_safe=False,
)
