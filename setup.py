"""Build: setuptools-rust compiles rust/ (release) into the package as a plain cdylib, and
CFFI generates the out-of-line ABI-mode module ``libsourcemap._lowlevel`` from
build_ffi.py. Metadata lives in pyproject.toml.

Wheels are tagged ``py3-none-<platform>``: ABI-mode CFFI links nothing against libpython,
so one wheel serves every CPython 3. ``LIBSOURCEMAP_PREBUILT_LIB=path/to/lib.so`` packages
a cdylib built beforehand (docker/build-wheel-local.sh builds it with cargo-zigbuild
against glibc 2.17) instead of compiling rust/ here.
"""

import os
import shutil

from setuptools import Distribution, setup
from setuptools.command.bdist_wheel import bdist_wheel
from setuptools.command.build_py import build_py
from setuptools_rust import Binding, RustExtension

PREBUILT = os.environ.get("LIBSOURCEMAP_PREBUILT_LIB")


class BinaryDistribution(Distribution):
    """The package always carries a native library, even when it is prebuilt."""

    def has_ext_modules(self) -> bool:
        return True


class Py3Wheel(bdist_wheel):
    """``py3-none-<platform>``: not tied to one Python version or ABI."""

    def get_tag(self) -> tuple:
        _, _, platform = super().get_tag()
        return "py3", "none", platform


class BuildPyWithPrebuilt(build_py):
    def run(self) -> None:
        super().run()
        if PREBUILT:
            target = os.path.join(self.build_lib, "libsourcemap", "_sourcemap_native.so")
            shutil.copyfile(PREBUILT, target)


rust_extensions = []
if not PREBUILT:
    rust_extensions.append(
        RustExtension(
            "libsourcemap._sourcemap_native",
            path="rust/Cargo.toml",
            binding=Binding.NoBinding,
            debug=False,
        )
    )

setup(
    rust_extensions=rust_extensions,
    cffi_modules=["build_ffi.py:ffi"],
    cmdclass={"bdist_wheel": Py3Wheel, "build_py": BuildPyWithPrebuilt},
    distclass=BinaryDistribution,
    zip_safe=False,
)
