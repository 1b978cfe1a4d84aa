"""Loading the cdylib, calling into it, and owning its handles.

Everything that touches raw pointers is here: ``rustcall`` (the whole error path) and
``RustObject`` (the one owner of a handle).
"""

from __future__ import annotations

import glob
import os
import threading
from typing import Any, Callable, TypeVar

from ._lowlevel import ffi
from .errors import ERRORS_BY_CODE, ClosedError, SourceMapError


def _find_library() -> str:
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = sorted(glob.glob(os.path.join(here, "_sourcemap_native*")))
    libraries = [c for c in candidates if c.endswith((".so", ".dylib", ".dll", ".pyd"))]
    if not libraries:
        raise ImportError(f"libsourcemap: the compiled Rust library is missing in {here}")
    return libraries[0]


lib_path = _find_library()
lib = ffi.dlopen(lib_path)

#: ``src_id`` / ``name_id`` of a token without a source / name.
NONE = lib.LSM_NONE


class _Scratch(threading.local):
    """Per-thread out-parameters, allocated once: hot calls make no ``ffi.new``.

    ``token_out`` bundles what a token call needs in one attribute fetch: the
    ``lsm_token_t`` to fill, the error struct, and a memoryview of the token's six uint32
    fields, whose ``tolist()`` reads them in one step (six cdata field reads cost twice
    as much). ``token_slot`` views this thread's native slot that ``lsm_view_lookup_fast``
    fills.
    """

    def __init__(self) -> None:
        self.err = ffi.new("lsm_error_t *")
        self.token = ffi.new("lsm_token_t *")
        self.size = ffi.new("size_t *")
        self.flag = ffi.new("int *")
        fields = memoryview(ffi.buffer(self.token)).cast("I")  # type: ignore[call-overload]
        self.token_out = (self.token, self.err, fields)
        slot = ffi.buffer(lib.lsm_thread_token(), ffi.sizeof("lsm_token_t"))
        self.token_slot = memoryview(slot).cast("I")  # type: ignore[call-overload]


scratch = _Scratch()


def raise_error(err: Any) -> None:
    """Turns a filled ``lsm_error_t`` into the mapped exception (and resets it)."""
    try:
        message = ffi.string(err.message).decode("utf-8", "replace")
        cls = ERRORS_BY_CODE.get(err.code, SourceMapError)
    finally:
        lib.lsm_buffer_free(err.message)
        err.message = ffi.NULL
        err.failed = 0
        err.code = 0
    raise cls(message)


def rustcall(func: Callable[..., Any], *args: Any) -> Any:
    """Calls ``func(*args, err)`` and raises the mapped exception if it failed."""
    err = scratch.err
    rv = func(*args, err)
    if err.failed:
        raise_error(err)
    return rv


def decode_str(ptr: Any, size: int) -> str | None:
    """A borrowed (pointer, length) UTF-8 string as ``str``; ``None`` for NULL."""
    if ptr == ffi.NULL:
        return None
    return ffi.unpack(ptr, size).decode("utf-8", "replace")


def call_str(func: Callable[..., Any], *args: Any) -> str | None:
    """Calls a function returning a borrowed string through a ``size_t *len_out``."""
    size = scratch.size
    ptr = rustcall(func, *args, size)
    return decode_str(ptr, size[0])


def to_bytes(data: bytes | bytearray | memoryview | str, what: str = "data") -> bytes:
    """Immutable bytes for the core to borrow: ``str`` is UTF-8 encoded and mutable buffers
    are copied, because a view reads its input in place for as long as it lives."""
    if isinstance(data, bytes):
        return data
    if isinstance(data, str):
        return data.encode("utf-8")
    if isinstance(data, (bytearray, memoryview)):
        return bytes(data)
    raise TypeError(f"{what} must be bytes or str, not {type(data).__name__}")


T = TypeVar("T", bound="RustObject")


class RustObject:
    """Owns one native handle.

    The pointer is wrapped with ``ffi.gc``: the native free runs when the last reference
    to the wrapped pointer goes away. ``close()`` only drops the object's own reference, so
    a call that another thread has in flight (it holds the pointer as an argument) finishes
    before the memory is freed: closing never races with a call. The destructor closure
    also keeps the input buffer alive, because the native object borrows it.
    """

    __slots__ = ("_ptr", "__weakref__")
    _free: Callable[[Any], None]
    _kind = "object"

    def __init__(self) -> None:
        raise TypeError(f"cannot create a {type(self).__name__} directly; use a from_* function")

    @classmethod
    def _from_ptr(cls: type[T], ptr: Any, keepalive: bytes | None = None) -> T:
        obj = object.__new__(cls)
        free = cls._free

        def destroy(p: Any, _keepalive: bytes | None = keepalive) -> None:
            free(p)

        obj._ptr = ffi.gc(ptr, destroy, size=len(keepalive) if keepalive else 0)
        return obj

    def _get_ptr(self) -> Any:
        ptr = self._ptr
        if ptr is None:
            raise ClosedError(f"this {self._kind} is closed")
        return ptr

    @property
    def closed(self) -> bool:
        return self._ptr is None

    def close(self) -> None:
        """Releases the native memory (once no call is using it). Idempotent."""
        self._ptr = None

    def __enter__(self: T) -> T:
        self._get_ptr()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
