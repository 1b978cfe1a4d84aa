// Bundles and minifies real npm packages with esbuild into benchmark inputs (not committed):
//
//   cd bench/inputs && npm install && node make_inputs.mjs [OUTDIR]   (default ../data)
//
// small  ~0.4 MB map: acorn
// medium ~1 MB map:   lodash-es
// large  ~14 MB map:  the TypeScript compiler
// huge   ~28 MB map:  TypeScript, Babel, three.js, rxjs, lodash-es, React, acorn together
import { mkdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import * as esbuild from "esbuild";

const INPUTS = {
  small: ["acorn"],
  medium: ["lodash-es"],
  large: ["typescript"],
  huge: ["typescript", "@babel/standalone", "three", "rxjs", "lodash-es", "react", "react-dom", "acorn"],
};

const outdir = resolve(process.argv[2] ?? "../data");
mkdirSync(outdir, { recursive: true });
for (const [name, packages] of Object.entries(INPUTS)) {
  const contents = packages
    .map((pkg, i) => `export * as m${i} from ${JSON.stringify(pkg)};`)
    .join("\n");
  const outfile = join(outdir, `${name}.min.js`);
  await esbuild.build({
    stdin: { contents, resolveDir: process.cwd(), sourcefile: `${name}-entry.js` },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "node",
    sourcemap: true,
    sourcesContent: true,
    outfile,
    logLevel: "error",
  });
  const mb = (statSync(outfile + ".map").size / 1e6).toFixed(1);
  console.log(`${name}: ${outfile}.map (${mb} MB)`);
}
