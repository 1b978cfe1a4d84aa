// The JavaScript references libsourcemap's writers are held to. Reads one JSON request on
// stdin and writes the answers as JSON on stdout:
//
//   {"op": "remap", "cases": [{"map": "<json>", "maps": {"<name>": "<json>"}}]}
//       @jridgewell/remapping over each case, the loader answering from `maps` (null for
//       names not in it): [{"map": {...}, "calls": [names asked, in order]} | {"error"}]
//   {"op": "resolve", "pairs": [["input", "base"]]}
//       @jridgewell/resolve-uri: [resolved]
//   {"op": "concat", "parts": [{"code": "...", "map": "<json>" | null, "name": "..."}]}
//       the map of the parts joined with "\n", built with @jridgewell/gen-mapping from
//       trace-mapping's reading of each part's map (the reference for `concat`)
//   {"op": "metro", "map": "<path>", "positions": [[line, column]], "traces": ["..."]}
//       metro-symbolicate (React Native's reference): each 1-based line and 0-based column
//       (a Hermes bytecode offset, or a JS column - 1) looked up as its
//       getOriginalPositionDetailsFor answers, and each trace text symbolicated
//   {"op": "decode", "maps": ["<json>"]}
//       @jridgewell/trace-mapping: [{"sources", "names", "segments", "sourcesContent",
//       "ignoreList", "file"}], segments as decoded arrays per line
import remapping from "@jridgewell/remapping";
import resolveUri from "@jridgewell/resolve-uri";
import { GenMapping, addSegment, setIgnore, setSourceContent, toEncodedMap } from "@jridgewell/gen-mapping";
import { TraceMap, decodedMappings } from "@jridgewell/trace-mapping";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const request = JSON.parse(Buffer.concat(chunks).toString("utf8"));

function remapCase({ map, maps }) {
  const calls = [];
  try {
    const result = remapping(map, (name) => {
      calls.push(name);
      return Object.hasOwn(maps, name) ? maps[name] : null;
    });
    return { map: JSON.parse(result.toString()), calls };
  } catch (error) {
    return { error: String(error), calls };
  }
}

// ECMA-262's line terminators.
const LINE_BREAK = /\r\n|[\n\r\u2028\u2029]/g;

function concat(parts) {
  const gen = new GenMapping();
  let offset = 0;
  for (const { code, map, name } of parts) {
    const lines = (code.match(LINE_BREAK) ?? []).length + 1;
    if (map === null) {
      for (let line = 0; line < lines; line++) addSegment(gen, offset + line, 0, name, line, 0);
      setSourceContent(gen, name, code);
    } else {
      const traced = new TraceMap(map);
      const { resolvedSources, names, sourcesContent, ignoreList } = traced;
      decodedMappings(traced).forEach((segments, line) => {
        if (line >= lines) return;
        for (const s of segments) {
          if (s.length === 1) addSegment(gen, offset + line, s[0]);
          else addSegment(gen, offset + line, s[0], resolvedSources[s[1]], s[2], s[3], s.length === 5 ? names[s[4]] : undefined);
        }
      });
      resolvedSources.forEach((source, i) => {
        if (sourcesContent?.[i] != null) setSourceContent(gen, source, sourcesContent[i]);
        if (ignoreList?.includes(i)) setIgnore(gen, source, true);
      });
    }
    offset += lines;
  }
  return toEncodedMap(gen);
}

function decode(text) {
  const map = new TraceMap(text);
  return {
    file: map.file ?? null,
    sources: map.resolvedSources,
    names: map.names,
    sourcesContent: map.sourcesContent ?? null,
    ignoreList: map.ignoreList ?? [],
    segments: decodedMappings(map),
  };
}

function metro({ map, positions, traces }) {
  const Symbolication = require("metro-symbolicate/private/Symbolication");
  const { SourceMapConsumer } = require("source-map");
  const context = Symbolication.createContext(SourceMapConsumer, readFileSync(map, "utf8"));
  return {
    positions: (positions ?? []).map(([line, column]) => {
      const found = context.getOriginalPositionDetailsFor(line, column);
      return [found.source, found.line, found.column, found.name, found.functionName];
    }),
    traces: (traces ?? []).map((trace) => context.symbolicate(trace)),
  };
}

const answers = {
  remap: () => request.cases.map(remapCase),
  resolve: () => request.pairs.map(([input, base]) => resolveUri(input, base)),
  decode: () => request.maps.map(decode),
  concat: () => concat(request.parts),
  metro: () => metro(request),
}[request.op]();
process.stdout.write(JSON.stringify(answers));
