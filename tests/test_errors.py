"""Every error code of the C ABI reaches Python as the right exception class."""

from __future__ import annotations

import json
import struct

import pytest
from conftest import tiny_map

import libsourcemap
from libsourcemap import errors
from libsourcemap._lowlevel import ffi
from libsourcemap._native import lib, raise_error, rustcall

INDEX_WITH_URL = json.dumps(
    {"version": 3, "sections": [{"offset": {"line": 0, "column": 0}, "url": "a.map"}]}
)


def test_real_errors_map_to_classes() -> None:
    with pytest.raises(libsourcemap.IndexedSourceMap) as info:
        libsourcemap.from_json(INDEX_WITH_URL)
    assert isinstance(info.value.index, libsourcemap.Index)
    with pytest.raises(libsourcemap.IndexedSourceMap):
        libsourcemap.View.from_json(INDEX_WITH_URL)
    with pytest.raises(libsourcemap.BadJson):
        libsourcemap.from_json("{")
    with pytest.raises(libsourcemap.BadJson, match="JSON object"):
        libsourcemap.from_json("[1]")
    with pytest.raises(libsourcemap.CannotFlatten):
        libsourcemap.Index.from_json(INDEX_WITH_URL).into_view()
    memdb = bytearray(libsourcemap.View.from_json(tiny_map()).dump_memdb())
    struct.pack_into("<I", memdb, 8, 7)
    with pytest.raises(libsourcemap.UnsupportedMemDbVersion):
        libsourcemap.View.from_memdb(bytes(memdb))
    with pytest.raises(libsourcemap.BadIo):
        libsourcemap.View.from_memdb_file("/nonexistent/cache")
    with pytest.raises(libsourcemap.BadMemDb):
        libsourcemap.View.from_memdb(b"garbage")
    with pytest.raises(libsourcemap.InvalidSourceMap):
        libsourcemap.from_json(tiny_map(version=2), strict=True)
    with pytest.raises(libsourcemap.InvalidArgument):
        rustcall(lib.lsm_view_get_token_count, ffi.NULL)
    # A section offset that pushes a generated line past 2^32-1 truly does not fit.
    overflow = {
        "version": 3,
        "sections": [
            {
                "offset": {"line": 4294967295, "column": 0},
                "map": json.loads(tiny_map(mappings=";AAAA")),
            }
        ],
    }
    with pytest.raises(libsourcemap.LocationOverflow):
        libsourcemap.from_json(json.dumps(overflow))


@pytest.mark.parametrize("code,cls", sorted(errors.ERRORS_BY_CODE.items()))
def test_every_code_maps_to_its_class(code: int, cls: type) -> None:
    # A real error filled in by Rust (so the message is Rust-allocated), with its code
    # replaced: the same path every error takes.
    err = ffi.new("lsm_error_t *")
    lib.lsm_view_from_json(b"{", 1, 0, err)
    assert err.failed
    err.code = code
    with pytest.raises(cls) as info:
        raise_error(err)
    assert type(info.value) is cls
    assert isinstance(info.value, libsourcemap.SourceMapError)
    assert info.value.message.startswith("invalid source map JSON")
    assert not err.failed and err.message == ffi.NULL


def test_unknown_code_is_base_class() -> None:
    err = ffi.new("lsm_error_t *")
    lib.lsm_view_from_json(b"{", 1, 0, err)
    err.code = 999
    with pytest.raises(libsourcemap.SourceMapError):
        raise_error(err)


def test_header_codes_match_python_table() -> None:
    from_header = {getattr(lib, name): name for name in dir(lib) if name.startswith("LSM_ERR_")}
    assert sorted(from_header) == sorted(errors.ERRORS_BY_CODE)


def test_0_8_2_names_and_hierarchy() -> None:
    for name in [
        "SourceMapError",
        "IndexedSourceMap",
        "BadJson",
        "CannotFlatten",
        "UnsupportedMemDbVersion",
        "BadIo",
        "MemDbDumpError",
        "TooManySources",
        "TooManyNames",
        "LocationOverflow",
        "AlreadyMemDb",
    ]:
        assert issubclass(getattr(libsourcemap, name), libsourcemap.SourceMapError)
    for name in ["TooManySources", "TooManyNames", "LocationOverflow", "AlreadyMemDb"]:
        assert issubclass(getattr(libsourcemap, name), libsourcemap.MemDbDumpError)
    assert issubclass(libsourcemap.InvalidSourceMap, libsourcemap.BadJson)
