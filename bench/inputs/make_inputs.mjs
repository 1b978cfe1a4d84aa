// Bundles and minifies real npm packages with esbuild into benchmark inputs (not committed):
//
//   cd bench/inputs && npm install && node make_inputs.mjs [OUTDIR]   (default ../data)
//
// small  ~0.4 MB map: acorn
// medium ~1 MB map:   lodash-es
// large  ~14 MB map:  the TypeScript compiler
// huge   ~28 MB map:  TypeScript, Babel, three.js, rxjs, lodash-es, React, acorn together
// large-swc           the TypeScript compiler bundled by esbuild (not minified), then
//                     minified by SWC with scopes (jsc.experimental.emitSourceMapScopes),
//                     not mangled: a build whose map names its functions; its sources are
//                     the bundle SWC read
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
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

// large-swc: esbuild's bundle of the TypeScript compiler, minified by SWC with scopes.
{
  const bundle = join(outdir, "large-swc.bundle.js");
  await esbuild.build({
    stdin: { contents: 'export * as m0 from "typescript";', resolveDir: process.cwd(), sourcefile: "large-entry.js" },
    bundle: true,
    format: "esm",
    platform: "node",
    outfile: bundle,
    logLevel: "error",
  });
  const swc = createRequire(import.meta.url)("@swc/core");
  const out = swc.transformSync(readFileSync(bundle, "utf8"), {
    filename: "large-swc.bundle.js",
    sourceMaps: true,
    inlineSourcesContent: true,
    minify: true,
    isModule: true,
    jsc: {
      parser: { syntax: "ecmascript" },
      target: "es2022",
      minify: { mangle: false, compress: false },
      experimental: { emitSourceMapScopes: true },
    },
  });
  const outfile = join(outdir, "large-swc.min.js");
  writeFileSync(outfile, out.code + "\n//# sourceMappingURL=large-swc.min.js.map\n");
  writeFileSync(`${outfile}.map`, out.map);
  rmSync(bundle);
  const mb = (statSync(outfile + ".map").size / 1e6).toFixed(1);
  console.log(`large-swc: ${outfile}.map (${mb} MB, with scopes)`);
}
