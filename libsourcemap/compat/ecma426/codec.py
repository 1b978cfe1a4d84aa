"""Decoding and encoding source maps, as ``ecma426.codec`` does: ``decode`` (a parsed
JSON object to a :class:`~.model.MappingIndex`), ``encode`` (segments to a JSON object),
``decode_mappings`` and ``encode_mappings``.

These work on Python objects, segment by segment (what ecma426's own API asks for);
``loads`` (in the package) is the fast path, which parses in libsourcemap's core.
"""

from __future__ import annotations

from typing import Any

from .model import Mapping, MappingIndex
from .vlq import decode_string, encode_values

__all__ = ["decode", "encode", "decode_mappings", "encode_mappings"]


def decode_mappings(
    mappings: str,
    sources: list[str | None],
    names: list[str],
    generated_column_offset: int = 0,
    generated_line_offset: int = 0,
) -> list[Mapping]:
    """The segments of a ``mappings`` string, in order. A segment has 1, 4 or 5 fields;
    source and name indexes must be in range (``ValueError`` otherwise). The column
    offset applies to the first line only."""
    out: list[Mapping] = []
    source = line = column = name = 0
    for number, text in enumerate(mappings.split(";") if mappings else ()):
        if not text:
            continue
        dst_col = generated_column_offset if number == 0 else 0
        dst_line = number + generated_line_offset
        for segment in text.split(","):
            fields = decode_string(segment)
            if len(fields) not in (1, 4, 5):
                raise ValueError(f"invalid segment shape {len(fields)}: {segment!r}")
            dst_col += fields[0]
            if len(fields) == 1:
                out.append(Mapping(dst_line, dst_col))
                continue
            source += fields[1]
            if not 0 <= source < len(sources):
                raise ValueError(f"source index {source} out of range")
            line += fields[2]
            column += fields[3]
            token_name = None
            if len(fields) == 5:
                name += fields[4]
                if not 0 <= name < len(names):
                    raise ValueError(f"name index {name} out of range")
                token_name = names[name]
            out.append(Mapping(dst_line, dst_col, sources[source] or "", line, column, token_name))
    return out


def encode_mappings(tokens: list[Mapping]) -> tuple[str, list[str], list[str]]:
    """``(mappings, sources, names)`` for ``tokens`` (sorted by generated position;
    sources and names in order of first use). A token without a source is an unmapped
    segment; a name is written only with a source."""
    if not tokens:
        return "", [], []
    ordered = sorted(tokens, key=lambda t: (t.generated_line, t.generated_column))
    sources: dict[str, int] = {}
    names: dict[str, int] = {}
    lines: list[list[str]] = [[] for _ in range(ordered[-1].generated_line + 1)]
    source = line = column = name = 0
    previous_line, dst_col = -1, 0
    for token in ordered:
        if token.generated_line != previous_line:
            previous_line, dst_col = token.generated_line, 0
        fields = [token.generated_column - dst_col]
        dst_col = token.generated_column
        if token.source:
            index = sources.setdefault(token.source, len(sources))
            fields += [index - source, token.original_line - line, token.original_column - column]
            source, line, column = index, token.original_line, token.original_column
            if token.name is not None:
                index = names.setdefault(token.name, len(names))
                fields.append(index - name)
                name = index
        lines[token.generated_line].append(encode_values(fields))
    return ";".join(",".join(segments) for segments in lines), list(sources), list(names)


def _fields(obj: dict[str, Any]) -> tuple[list[Any], list[str], str]:
    """``sources``, ``names`` and ``mappings`` of a map, checked for type (``TypeError``)."""
    sources = obj.get("sources", [])
    names = obj.get("names", [])
    mappings = obj.get("mappings", "")
    if not isinstance(sources, list) or any(
        s is not None and not isinstance(s, str) for s in sources
    ):
        raise TypeError("'sources' must be a list of strings or nulls")
    if not isinstance(names, list) or any(not isinstance(n, str) for n in names):
        raise TypeError("'names' must be a list of strings")
    if not isinstance(mappings, str):
        raise TypeError("'mappings' must be a string")
    return sources, names, mappings


def _sections(obj: dict[str, Any]) -> list[Mapping]:
    """The segments of an index map's sections, each moved by its offset."""
    sections = obj.get("sections")
    if not isinstance(sections, list):
        raise TypeError("'sections' must be a list")
    out: list[Mapping] = []
    last: tuple[int, int] = (-1, -1)
    for section in sections:
        if not isinstance(section, dict):
            raise TypeError("each section must be an object")
        offset = section.get("offset")
        if not (isinstance(offset, dict) and isinstance(offset.get("line"), int)
                and isinstance(offset.get("column"), int)):  # fmt: skip
            raise TypeError("section.offset must be an object with integer 'line' and 'column'")
        start = (offset["line"], offset["column"])
        if start <= last:
            raise ValueError("sections must be sorted by starting position and non-overlapping")
        embedded = section.get("map")
        if not isinstance(embedded, dict):
            raise TypeError("section.map must be an object")
        sources, names, mappings = _fields(embedded)
        out += decode_mappings(mappings, sources, names, start[1], start[0])
        last = start
    return out


def decode(obj: dict[str, Any]) -> MappingIndex:
    """A :class:`~.model.MappingIndex` of a parsed source map (regular or index map).
    ``version`` must be 3 or absent (``ValueError``); wrong field types are a
    ``TypeError``, bad segments a ``ValueError``."""
    version = obj.get("version")
    if version is not None and version != 3:
        raise ValueError(f"unsupported version {version!r}; expected 3")
    if "sections" in obj:
        tokens, sources = _sections(obj), list[Any]()
    else:
        sources, names, mappings = _fields(obj)
        tokens = decode_mappings(mappings, sources, names)
    line_index: list[list[int]] = []
    index: dict[tuple[int, int], Mapping] = {}
    for token in tokens:
        while len(line_index) <= token.generated_line:
            line_index.append([])
        line_index[token.generated_line].append(token.generated_column)
        index[(token.generated_line, token.generated_column)] = token
    return MappingIndex(obj, tokens, line_index, index, sources=sources)


def encode(
    tokens: list[Mapping], *, source_root: str | None = None, debug_id: str | None = None
) -> dict[str, Any]:
    """A source map JSON object for ``tokens``."""
    mappings, sources, names = encode_mappings(tokens)
    out: dict[str, Any] = {"version": 3, "sources": sources, "names": names, "mappings": mappings}
    if source_root is not None:
        out["sourceRoot"] = source_root
    if debug_id is not None:
        out["debugId"] = debug_id
    return out
