// A minified bundle minified again, for the remap benchmark (bench/writing.py):
//
//   node reminify.mjs DATA/large.min.js DATA/large.reminified.js
//
// terser over esbuild's output, writing its own map (which lists the esbuild bundle as
// its one source): composing it with esbuild's map is what `remap` is timed on.
import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { minify } from "terser";

const [input, output] = process.argv.slice(2);
const code = readFileSync(input, "utf8").replace(/\n?\/\/# sourceMappingURL=.*\n?$/, "\n");
const result = await minify(
  { [basename(input)]: code },
  { sourceMap: { url: `${basename(output)}.map` }, compress: false, mangle: true },
);
writeFileSync(output, result.code);
writeFileSync(`${output}.map`, result.map);
