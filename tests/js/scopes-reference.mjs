// Chrome DevTools' scopes codec (source-map-scopes-codec, as chrome-devtools-frontend
// vendors it: tests/fixtures/scopes/package.json pins it), the reference libsourcemap's
// `scopes` decoder and encoder are held to. Reads one JSON request on stdin, writes the
// answers as JSON on stdout:
//
//   {"op": "decode", "cases": [{"scopes": "...", "names": [...], "sources": n}], "strict": false}
//       DevTools' decode (LAX, or STRICT) of each: [model | {"error": "..."}]
//   {"op": "encode", "models": [model], "names": [[...]] (optional, per model)}
//       DevTools' encode of each: [{"scopes": "...", "names": [...]} | {"error": "..."}]
//   {"op": "random", "seed": n, "count": n}
//       random scope trees (seeded; what tests/fixtures/scopes/generate.mjs commits)
//
// A model is the scopes as plain JSON, names as strings, the form tests/test_scopes.py
// and the Rust tests compare:
//
//   {"scopes": [null | scope], "ranges": [range]}
//   scope = {"start": [line, column], "end": [line, column], "name": s|null, "kind": s|null,
//            "isStackFrame": b, "variables": [s], "children": [scope]}
//   range = {"start": [l, c], "end": [l, c], "definition": index|null (pre-order over the
//            scopes' trees), "isStackFrame": b, "isHidden": b, "values": [s|null],
//            "subRangeBindings": [[variable, [[line, column, s|null]]]],
//            "callSite": [source, line, column] | null, "children": [range]}
//
// DevTools keeps a variable's value as one expression, or as sub-ranges whose first one
// starts at the range's start; the model keeps the encoding's split instead: the
// expression from the start (the `G` item) and the sub-ranges after it (an `H` item).
import { pathToFileURL } from "node:url";

const CODEC = new URL(
  "../fixtures/scopes/node_modules/chrome-devtools-frontend/front_end/third_party/" +
    "source-map-scopes-codec/package/src/mod.js",
  import.meta.url,
);
export const codec = await import(CODEC.href);

const pos = (p) => [p.line, p.column];
const at = ([line, column]) => ({ line, column });

/** DevTools' ScopeInfo -> model. */
export function toModel(info) {
  const index = new Map();
  const scope = (s) => {
    index.set(s, index.size);
    return {
      start: pos(s.start),
      end: pos(s.end),
      name: s.name ?? null,
      kind: s.kind ?? null,
      isStackFrame: s.isStackFrame,
      variables: [...s.variables],
      children: s.children.map(scope),
    };
  };
  const scopes = info.scopes.map((s) => (s === null ? null : scope(s)));
  const range = (r) => {
    const values = [];
    const subRangeBindings = [];
    r.values.forEach((value, i) => {
      if (Array.isArray(value)) {
        values.push(value[0]?.value ?? null);
        subRangeBindings.push([i, value.slice(1).map((b) => [...pos(b.from), b.value ?? null])]);
      } else {
        values.push(value ?? null);
      }
    });
    return {
      start: pos(r.start),
      end: pos(r.end),
      definition: r.originalScope === undefined ? null : index.get(r.originalScope),
      isStackFrame: r.isStackFrame,
      isHidden: r.isHidden,
      values,
      subRangeBindings,
      callSite: r.callSite ? [r.callSite.sourceIndex, r.callSite.line, r.callSite.column] : null,
      children: r.children.map(range),
    };
  };
  return { scopes, ranges: info.ranges.map(range) };
}

/** Model -> DevTools' ScopeInfo. */
export function fromModel(model) {
  const flat = [];
  const scope = (m, parent) => {
    const s = {
      start: at(m.start),
      end: at(m.end),
      isStackFrame: m.isStackFrame,
      variables: [...m.variables],
      children: [],
    };
    if (m.name !== null) s.name = m.name;
    if (m.kind !== null) s.kind = m.kind;
    if (parent) s.parent = parent;
    flat.push(s);
    s.children = m.children.map((c) => scope(c, s));
    return s;
  };
  const scopes = model.scopes.map((m) => (m === null ? null : scope(m, undefined)));
  const range = (m, parent) => {
    const values = [...m.values];
    for (const [variable, bindings] of m.subRangeBindings) {
      const subs = [{ from: at(m.start), value: values[variable] ?? undefined }];
      for (const [line, column, value] of bindings) {
        subs.push({ from: { line, column }, value: value ?? undefined });
      }
      subs.forEach((s, i) => (s.to = i + 1 < subs.length ? subs[i + 1].from : at(m.end)));
      values[variable] = subs;
    }
    const r = {
      start: at(m.start),
      end: at(m.end),
      isStackFrame: m.isStackFrame,
      isHidden: m.isHidden,
      values,
      children: [],
    };
    if (m.definition !== null) r.originalScope = flat[m.definition];
    if (m.callSite) {
      const [sourceIndex, line, column] = m.callSite;
      r.callSite = { sourceIndex, line, column };
    }
    if (parent) r.parent = parent;
    r.children = m.children.map((c) => range(c, r));
    return r;
  };
  return { scopes, ranges: model.ranges.map((m) => range(m, undefined)) };
}

function decodeCase({ scopes, names, sources }, strict) {
  const map = { version: 3, sources: new Array(sources).fill(null), names, mappings: "", scopes };
  try {
    const mode = strict ? codec.DecodeMode.STRICT : codec.DecodeMode.LAX;
    return toModel(codec.decode(map, { mode }));
  } catch (error) {
    return { error: String(error) };
  }
}

function encodeModel(model, names) {
  try {
    const map = { version: 3, sources: new Array(model.scopes.length).fill(null), mappings: "" };
    map.names = names ? [...names] : [];
    const out = codec.encode(fromModel(model), map);
    return { scopes: out.scopes, names: out.names };
  } catch (error) {
    return { error: String(error) };
  }
}

// A small seeded generator (mulberry32), so that a seed always makes the same trees.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = ["a", "b", "c", "foo", "bar", "baz", "x", "y", "Global", "Function", "Block",
  "Class", "this.value", "_x", "self", "arguments[0]", "$", "ünï", "n1", "n2", "n3"];

/** One random model: 1 to 3 sources (some without a tree), nested scopes and ranges
 * with every item the codec has (names, kinds, variables, definitions, values, sub-range
 * bindings, call sites, hidden frames). Positions are the encoding's: sorted, nested. */
export function randomModel(random) {
  const int = (n) => Math.floor(random() * n);
  const chance = (p) => random() < p;
  const pick = (list) => list[int(list.length)];
  // The next position at or after `p`: the same line (a column step) or a later one.
  const step = ([line, column], far = false) =>
    chance(far ? 0.5 : 0.3) ? [line + 1 + int(far ? 60 : 3), int(far ? 400 : 40)] : [line, column + int(far ? 300 : 25)];

  const flat = [];
  const scope = (start, depth) => {
    const s = {
      start,
      end: null,
      name: chance(0.5) ? pick(NAMES) : null,
      kind: chance(0.5) ? pick(NAMES) : null,
      isStackFrame: chance(0.4),
      variables: Array.from({ length: chance(0.6) ? int(4) : 0 }, () => pick(NAMES)),
      children: [],
    };
    flat.push(s);
    let p = start;
    const count = depth > 3 ? 0 : int(4 - depth);
    for (let i = 0; i < count; i++) {
      p = step(p);
      const child = scope(p, depth + 1);
      s.children.push(child);
      p = child.end;
    }
    s.end = step(p);
    return s;
  };
  const sources = 1 + int(3);
  const scopes = Array.from({ length: sources }, () => (chance(0.2) ? null : scope(step([0, 0]), 0)));

  // Positions strictly between `a` and `b`, sorted, distinct.
  const between = (a, b, n) => {
    const found = new Map();
    for (let i = 0; i < n * 4 && found.size < n; i++) {
      const line = a[0] + int(b[0] - a[0] + 1);
      const column = int(Math.max(a[1], b[1]) + 30);
      const later = line > a[0] || column > a[1];
      const earlier = line < b[0] || column < b[1];
      if (later && earlier) found.set(`${line}:${column}`, [line, column]);
    }
    return [...found.values()].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  };

  let last = [0, 0];
  const range = (start, depth) => {
    const definition = flat.length && chance(0.8) ? int(flat.length) : null;
    const def = definition === null ? null : flat[definition];
    const isStackFrame = chance(0.4);
    const r = {
      start,
      end: null,
      definition,
      isStackFrame,
      isHidden: isStackFrame && chance(0.3),
      values: [],
      subRangeBindings: [],
      callSite: null,
      children: [],
    };
    if (def && def.isStackFrame && !isStackFrame && chance(0.4)) {
      r.callSite = [int(sources), int(50), int(80)];
    }
    let p = start;
    const count = depth > 3 ? 0 : int(4 - depth);
    for (let i = 0; i < count; i++) {
      p = step(p, depth === 0);
      const child = range(p, depth + 1);
      r.children.push(child);
      p = child.end;
    }
    r.end = step(p, true);
    if (r.end[0] === start[0] && r.end[1] === start[1]) r.end = [start[0], start[1] + 1 + int(9)];
    if (def && def.variables.length && chance(0.8)) {
      r.values = def.variables.map(() => (chance(0.7) ? pick(NAMES) : null));
      r.values.forEach((_, i) => {
        if (chance(0.3)) {
          const froms = between(start, r.end, 1 + int(3));
          if (froms.length) {
            r.subRangeBindings.push([i, froms.map(([l, c]) => [l, c, chance(0.7) ? pick(NAMES) : null])]);
          }
        }
      });
    }
    return r;
  };
  const ranges = [];
  for (let i = 0, n = int(3); i < n; i++) {
    const r = range(step(last, true), 0);
    ranges.push(r);
    last = r.end;
  }
  return { scopes, ranges };
}

export function randomModels(seed, count) {
  const random = rng(seed);
  return Array.from({ length: count }, () => randomModel(random));
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const request = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  let answer;
  if (request.op === "decode") {
    answer = request.cases.map((c) => decodeCase(c, request.strict));
  } else if (request.op === "encode") {
    answer = request.models.map((m, i) => encodeModel(m, request.names?.[i]));
  } else if (request.op === "random") {
    answer = randomModels(request.seed, request.count);
  } else {
    throw new Error(`unknown op ${request.op}`);
  }
  process.stdout.write(JSON.stringify(answer));
}
