"""``ProguardView``: obfuscated Java/Android class and method names back to the original
ones, from ProGuard or R8 ``mapping.txt`` files (parsed and retraced in Rust)."""

from __future__ import annotations

import os
from typing import Any, NamedTuple

from ._native import RustObject, ffi, lib, pinned, rustcall, scratch, to_bytes

TYPE_CHECKING = False  # see view.py: typing is for type checkers only
if TYPE_CHECKING:
    from .view import PathLike

_MAX_LINE = 2**32 - 1


class JavaFrame(NamedTuple):
    """One original frame: ``class_name`` and ``method`` as in the source, ``line`` (or
    ``None`` when the mapping has no line for it) and the source ``file`` name when the
    mapping records one."""

    class_name: str
    method: str
    line: int | None
    file: str | None


class ProguardView(RustObject):
    """A parsed ProGuard/R8 mapping file. Immutable and safe to share between threads;
    ``close()`` (or ``with``) releases it early.

    Create one with :meth:`from_bytes` or :meth:`from_path`. Lines that do not parse are
    skipped; input that is not a mapping file at all raises
    :class:`InvalidProguardMapping`. Parsing keeps everything in native memory: a large
    mapping costs no Python object per line.
    """

    __slots__ = ()
    _free = lib.lsm_proguard_view_free
    _kind = "ProGuard view"

    @staticmethod
    def from_bytes(data: bytes | bytearray | memoryview | str) -> ProguardView:
        """Parses the contents of a mapping file."""
        raw = to_bytes(data, "data")
        borrowed = pinned(raw)
        ptr = rustcall(lib.lsm_proguard_view_from_bytes, borrowed, len(raw))
        return ProguardView._from_ptr(ptr, borrowed, recipe=(ProguardView.from_bytes, (raw,)))

    @staticmethod
    def from_path(path: PathLike) -> ProguardView:
        """Parses the mapping file at ``path`` (memory-mapped when large). A NUL byte in
        the path is a ``ValueError``; a missing file is :class:`BadIo`."""
        raw = os.fsencode(path)
        if b"\0" in raw:
            raise ValueError("embedded null byte in path")
        ptr = rustcall(lib.lsm_proguard_view_from_path, raw, len(raw))
        return ProguardView._from_ptr(ptr, recipe=(ProguardView.from_path, (os.fsdecode(path),)))

    @property
    def has_line_info(self) -> bool:
        """Whether the mapping has line ranges (needed to tell overloads and inlined code
        apart)."""
        return bool(rustcall(lib.lsm_proguard_view_has_line_info, self._get_ptr()))

    def lookup(self, dotted_path: str, lineno: int | None = None) -> str:
        """The original ``class`` or ``class:method`` of an obfuscated ``dotted_path`` in
        the same form, as libsourcemap 0.8.2 answered. ``lineno`` (the frame's line; ``None``
        or 0 for unknown) picks among methods sharing an obfuscated name; for inlined code
        the innermost original method is returned. An unknown class gives ``dotted_path``
        back unchanged; a known class with an unknown method keeps the method as given."""
        path = _text(dotted_path, "dotted_path").encode("utf-8")
        return _owned_text(  # type: ignore[return-value]  # never NULL
            lib.lsm_proguard_view_convert_dotted_path,
            self._get_ptr(),
            path,
            len(path),
            _line(lineno),
        )

    def remap_class(self, class_name: str) -> str | None:
        """The original name of an obfuscated class; ``None`` if the mapping lacks it."""
        cls = _text(class_name, "class_name").encode("utf-8")
        return _owned_text(lib.lsm_proguard_view_remap_class, self._get_ptr(), cls, len(cls))

    def remap_method(self, class_name: str, method: str) -> tuple[str, str] | None:
        """The original ``(class, method)`` of an obfuscated method, where every mapping
        of that name leads to the same original method (without a line nothing else tells
        them apart); ``None`` otherwise."""
        cls = _text(class_name, "class_name").encode("utf-8")
        meth = _text(method, "method").encode("utf-8")
        text = _owned_text(
            lib.lsm_proguard_view_remap_method, self._get_ptr(), cls, len(cls), meth, len(meth)
        )
        if text is None:
            return None
        original_class, _, original_method = text.partition("\t")
        return original_class, original_method

    def remap_frame(
        self,
        class_name: str,
        method: str,
        lineno: int | None = None,
        parameters: str | None = None,
    ) -> list[JavaFrame]:
        """Every original frame behind one obfuscated stack frame, innermost first: where
        R8 or ProGuard inlined methods, one obfuscated frame stands for several. Empty when
        the class or method is not in the mapping. ``parameters`` (the argument types of
        the method's signature, comma-separated, e.g. ``"java.lang.String,int"``) tells
        overloads apart instead of ``lineno``."""
        cls = _text(class_name, "class_name").encode("utf-8")
        meth = _text(method, "method").encode("utf-8")
        params = ffi.NULL if parameters is None else _text(parameters, "parameters").encode()
        text = _owned_text(
            lib.lsm_proguard_view_remap_frame,
            self._get_ptr(),
            cls,
            len(cls),
            meth,
            len(meth),
            _line(lineno),
            params,
            0 if parameters is None else len(params),
        )
        assert text is not None
        frames = []
        for record in text.splitlines():
            original_class, original_method, line, file = record.split("\t")
            frames.append(
                JavaFrame(
                    original_class, original_method, int(line) if line else None, file or None
                )
            )
        return frames

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"line info: {self.has_line_info}"
        return f"<ProguardView {state}>"


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be str, not {type(value).__name__}")
    return value


def _line(lineno: int | None) -> int:
    if lineno is None:
        return 0
    if isinstance(lineno, bool) or not isinstance(lineno, int):
        raise TypeError(f"lineno must be int or None, not {type(lineno).__name__}")
    if not 0 <= lineno <= _MAX_LINE:
        raise ValueError(f"lineno must be between 0 and {_MAX_LINE}, got {lineno}")
    return lineno


def _owned_text(func: Any, *args: Any) -> str | None:
    """Calls ``func(*args, &len, &err)``, which returns an owned buffer; decodes and frees
    it (``None`` for NULL)."""
    size = scratch.size
    buf = rustcall(func, *args, size)
    if buf == ffi.NULL:
        return None
    try:
        return ffi.unpack(buf, size[0]).decode("utf-8", "replace")  # type: ignore[no-any-return]
    finally:
        lib.lsm_buffer_free(buf)
