// The JavaScript side of bench/writing.py: the writers libsourcemap's are compared with,
// timed on the same inputs in the same run. Prints one JSON line of milliseconds.
//
//   node writing.mjs tojson MAP ROUNDS          gen-mapping and mozilla source-map writing
//                                               a map they hold in memory to JSON text
//   node writing.mjs remap OUTER INNER NAME ROUNDS
//                                               @jridgewell/remapping from the two maps'
//                                               text to the composed map's text
//
// "cold" is the first run in the process, "warm" the median of the ROUNDS after it.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { fromMap, toEncodedMap } from "@jridgewell/gen-mapping";
import remapping from "@jridgewell/remapping";
import { SourceMapConsumer, SourceMapGenerator } from "source-map";

const [mode, ...args] = process.argv.slice(2);

function time(rounds, work) {
  const runs = [];
  for (let i = 0; i <= rounds; i++) {
    const start = performance.now();
    work();
    runs.push(performance.now() - start);
  }
  const warm = runs.slice(1).sort((a, b) => a - b);
  return { cold: runs[0], warm: warm[Math.floor(warm.length / 2)] };
}

if (mode === "tojson") {
  const [path, rounds] = args;
  const text = readFileSync(path, "utf8");
  const gen = fromMap(JSON.parse(text));
  const genMapping = time(Number(rounds), () => JSON.stringify(toEncodedMap(gen)));
  const consumer = await new SourceMapConsumer(text);
  const generator = SourceMapGenerator.fromSourceMap(consumer);
  consumer.destroy();
  const mozilla = time(Number(rounds), () => generator.toString());
  console.log(JSON.stringify({ "gen-mapping": genMapping, "source-map": mozilla }));
} else if (mode === "remap") {
  const [outer, inner, name, rounds] = args;
  const outerText = readFileSync(outer, "utf8");
  const innerText = readFileSync(inner, "utf8");
  const result = time(Number(rounds), () =>
    remapping(outerText, (source) => (source === name ? innerText : null)).toString(),
  );
  console.log(JSON.stringify({ remapping: result }));
} else {
  throw new Error(`unknown mode ${mode}`);
}
