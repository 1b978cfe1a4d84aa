// Regenerates the example: a real esbuild-minified bundle of app/ (with semver), its
// source map, and the V8 stack trace node prints when the bundle fails.
//
//   (cd tests/fixtures && npm ci) && node examples/generate.mjs
//
// dist/app.min.js, dist/app.min.js.map   esbuild 0.24 bundle + minify, sourcesContent
// stacktrace.txt                         stderr of `node dist/app.min.js` (run from here),
//                                        its paths as the deployed URLs a browser or
//                                        server would print (https://shop.example.com/...)
// stacktrace.original.txt                the same failure run from the unbundled app/ (what
//                                        symbolicating stacktrace.txt should give back),
//                                        the checkout's path replaced by /srv/shop/
//
// Neither file names the machine it was made on: tests find the build through --root.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const fixtures = fileURLToPath(new URL("../tests/fixtures/", import.meta.url));
const esbuild = createRequire(fixtures)("esbuild");

await esbuild.build({
  entryPoints: [`${here}app/main.js`],
  outfile: `${here}dist/app.min.js`,
  bundle: true,
  minify: true,
  format: "cjs",
  platform: "node",
  sourcemap: true,
  sourcesContent: true,
  nodePaths: [`${fixtures}node_modules`],
  absWorkingDir: here,
  logLevel: "warning",
});

const failure = (script, env = process.env) => {
  const run = spawnSync("node", [script], { cwd: here, encoding: "utf8", env });
  if (run.status !== 1 || !run.stderr.includes("Invalid Version")) {
    throw new Error(`${script} did not fail as expected:\n${run.stdout}${run.stderr}`);
  }
  return run.stderr;
};
const checkout = fileURLToPath(new URL("..", import.meta.url));
const deployed = (trace) => trace.replaceAll(here, "https://shop.example.com/");
const onServer = (trace) => trace.replaceAll(checkout, "/srv/shop/");
writeFileSync(`${here}stacktrace.txt`, deployed(failure("dist/app.min.js")));
const nodePath = { ...process.env, NODE_PATH: `${fixtures}node_modules` };
writeFileSync(`${here}stacktrace.original.txt`, onServer(failure("app/main.js", nodePath)));
