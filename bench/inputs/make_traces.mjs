// Real V8 stack traces through the benchmark bundles (run after make_inputs.mjs):
//
//   cd bench/inputs && node make_traces.mjs [DATADIR]   (default ../data)
//
// Each scenario makes a library fail deep inside its own code, once on the original npm
// package and once on each bundle that contains it, with the same input:
//
// typescript  the type checker of the TypeScript compiler, on a deeply nested program,
//             stopped through its cancellation token at the deepest check
// babel       @babel/standalone's traversal, stopped by a plugin at the deepest node
//
// DATADIR/<bundle>.<scenario>.trace.txt      the minified run's stack trace, as V8 prints it
// DATADIR/<bundle>.<scenario>.original.json  the original run's frames: function, file
//                                            (relative to DATADIR), line, column
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

Error.stackTraceLimit = 200;
const datadir = resolve(process.argv[2] ?? "../data");
const require = createRequire(import.meta.url);
// The bundles are ESM built for node: their CommonJS parts call `require` for node's own
// modules (fs, path...) and read `__filename`, which an ES module finds only as globals.
globalThis.require = require;
globalThis.__filename = fileURLToPath(import.meta.url);
globalThis.__dirname = dirname(globalThis.__filename);

// A program nested deep enough for long traces, with functions, classes, methods and
// arrows, so the frames run through many different functions of the checker.
function nestedProgram(depth) {
  let body = "return x;";
  for (let i = depth; i > 0; i--) {
    const kind = i % 4;
    if (kind === 0) body = `function f${i}(x: number) { ${body} } return f${i}(x);`;
    else if (kind === 1) body = `class C${i} { m(x: number) { ${body} } } return new C${i}().m(x);`;
    else if (kind === 2) body = `const a${i} = (x: number) => { ${body} }; return a${i}(x);`;
    else body = `const o${i} = { g(x: number) { ${body} } }; return o${i}.g(x);`;
  }
  return `export function main(x: number) { ${body} }\n`;
}

// Runs `fail` twice: first to find the call with the deepest stack, then to throw there.
function deepestFailure(run) {
  let calls = 0;
  let deepest = { depth: -1, call: -1 };
  run(() => {
    calls++;
    const depth = new Error().stack.split("\n").length;
    if (depth > deepest.depth) deepest = { depth, call: calls };
  });
  calls = 0;
  try {
    run(() => {
      if (++calls === deepest.call) throw new Error("stopped at the deepest call");
    });
  } catch (error) {
    return error;
  }
  throw new Error("the scenario did not fail");
}

const SCENARIOS = {
  typescript(ts) {
    const source = nestedProgram(24);
    return deepestFailure((probe) => {
      const host = ts.createCompilerHost({ noLib: true });
      host.getSourceFile = (name) =>
        name === "main.ts" ? ts.createSourceFile(name, source, ts.ScriptTarget.ES2020) : undefined;
      const program = ts.createProgram(["main.ts"], { noLib: true, types: [] }, host);
      const token = { isCancellationRequested: () => false, throwIfCancellationRequested: probe };
      program.getSemanticDiagnostics(program.getSourceFile("main.ts"), token);
    });
  },
  babel(babel) {
    const source = nestedProgram(24).replace(/: number/g, "");
    return deepestFailure((probe) => {
      const plugin = () => ({ visitor: { Identifier: () => probe() } });
      babel.transform(source, { plugins: [plugin], filename: "main.js", ast: false });
    });
  },
};

// The frames V8 recorded, structured (file relative to the data directory).
function callSites(error) {
  const sites = [];
  const original = Error.prepareStackTrace;
  Error.prepareStackTrace = (_, frames) => frames;
  const frames = error.stack;
  Error.prepareStackTrace = original;
  for (const frame of frames) {
    const file = frame.getFileName();
    sites.push({
      function: frame.getFunctionName() ?? frame.getMethodName() ?? null,
      file: file ? relative(datadir, file.startsWith("file:") ? fileURLToPath(file) : file) : null,
      line: frame.getLineNumber(),
      column: frame.getColumnNumber(),
    });
  }
  return sites;
}

const PACKAGES = { typescript: "typescript", babel: "@babel/standalone" };
const BUNDLES = {
  large: { typescript: "m0" },
  huge: { typescript: "m0", babel: "m1" },
  "large-swc": { typescript: "m0" },
};

for (const [bundle, exported] of Object.entries(BUNDLES)) {
  const module = await import(pathToFileURL(join(datadir, `${bundle}.min.js`)).href);
  for (const [scenario, name] of Object.entries(exported)) {
    // The stack as a string is what a service receives; the original run's call sites
    // are the answer key.
    const minified = SCENARIOS[scenario](module[name]);
    const original = SCENARIOS[scenario](require(PACKAGES[scenario]));
    const base = join(datadir, `${bundle}.${scenario}`);
    writeFileSync(`${base}.trace.txt`, `${minified.stack}\n`);
    writeFileSync(`${base}.original.json`, `${JSON.stringify(callSites(original), null, 1)}\n`);
    const frames = minified.stack.split("\n").length - 1;
    console.log(`${bundle}.${scenario}: ${frames} frames`);
  }
}
