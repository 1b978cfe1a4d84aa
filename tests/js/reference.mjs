// The JavaScript references libsourcemap's writers are held to. Reads one JSON request on
// stdin and writes the answers as JSON on stdout:
//
//   {"op": "remap", "cases": [{"map": "<json>", "maps": {"<name>": "<json>"}}]}
//       @jridgewell/remapping over each case, the loader answering from `maps` (null for
//       names not in it): [{"map": {...}, "calls": [names asked, in order]} | {"error"}]
//   {"op": "resolve", "pairs": [["input", "base"]]}
//       @jridgewell/resolve-uri: [resolved]
//   {"op": "decode", "maps": ["<json>"]}
//       @jridgewell/trace-mapping: [{"sources", "names", "segments", "sourcesContent",
//       "ignoreList", "file"}], segments as decoded arrays per line
import remapping from "@jridgewell/remapping";
import resolveUri from "@jridgewell/resolve-uri";
import { TraceMap, decodedMappings } from "@jridgewell/trace-mapping";

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

const answers = {
  remap: () => request.cases.map(remapCase),
  resolve: () => request.pairs.map(([input, base]) => resolveUri(input, base)),
  decode: () => request.maps.map(decode),
}[request.op]();
process.stdout.write(JSON.stringify(answers));
