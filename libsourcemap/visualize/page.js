// libsourcemap visualize: the generated code beside the original sources, every mapping's
// span coloured. Self-contained (no network), and built for maps of tens of megabytes:
//
// - the data is one JSON document in a script block of type application/json; the mappings
//   come as their VLQ text and are decoded here into flat typed arrays (no object a token);
// - only what is on screen is in the DOM: the lines in view, and of each line only the
//   columns in view (a minified line can be megabytes long);
// - every text from the map or the files goes into the DOM through textContent, never as
//   markup.
(function () {
  "use strict";

  // Milliseconds since navigation start at each step of opening (for the benchmarks).
  var timings = (window.__lsmTimings = { script: performance.now() });
  var LH = 18; // line height in px (the CSS's .layer line-height)
  var MAX_SCROLL = 8000000; // px: beyond this, scrolling is scaled (browsers cap box sizes)
  var CELL = 26; // columns a segment's cell takes in the mappings-only view
  var NONE = -1;
  var B64 = new Int8Array(128).fill(-1);
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    .split("")
    .forEach(function (c, i) { B64[c.charCodeAt(0)] = i; });
  var POW2 = [];
  for (var p = 0; p < 64; p++) POW2.push(Math.pow(2, p));

  function $(id) { return document.getElementById(id); }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  function fmt(n) { return n.toLocaleString("en-US"); }

  // Control characters would change nothing in the layout (every piece has its own box),
  // but they would be invisible: show tabs as a space (one column, as maps count them)
  // and the others as their Control Pictures.
  var HAS_CTRL = /[\u0000-\u001f\u007f]/;
  var CTRL = /[\u0000-\u001f\u007f]/g;
  function visible(s) {
    if (!HAS_CTRL.test(s)) return s;
    return s.replace(CTRL, function (ch) {
      var c = ch.charCodeAt(0);
      if (c === 9) return " ";
      return String.fromCharCode(c === 127 ? 0x2421 : 0x2400 + c);
    });
  }

  // -- texts: line starts, as ECMA-426 and JS engines split lines (LF, CR, CRLF, U+2028/9)

  function Text(text) {
    var starts = [0];
    var ends = [];
    var n = text.length, i;
    if (text.indexOf("\r") < 0 && text.indexOf("\u2028") < 0 && text.indexOf("\u2029") < 0) {
      // LF only, found with indexOf (vectorised by the engine): most files.
      for (i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) {
        ends.push(i);
        starts.push(i + 1);
      }
    } else {
      for (i = 0; i < n; i++) {
        var c = text.charCodeAt(i);
        if (c > 13 && c < 0x2028) continue;
        if (c === 10 || c === 0x2028 || c === 0x2029) {
          ends.push(i);
          starts.push(i + 1);
        } else if (c === 13) {
          ends.push(i);
          if (text.charCodeAt(i + 1) === 10) i++;
          starts.push(i + 1);
        }
      }
    }
    ends.push(n);
    var maxLen = 0;
    for (var l = 0; l < ends.length; l++) maxLen = Math.max(maxLen, ends[l] - starts[l]);
    this.text = text;
    this.starts = starts;
    this.ends = ends;
    this.count = starts.length;
    this.maxLen = maxLen;
  }
  Text.prototype.len = function (line) {
    return line < this.count ? this.ends[line] - this.starts[line] : -1;
  };
  Text.prototype.slice = function (line, a, b) {
    var s = this.starts[line];
    return this.text.substring(s + a, s + b);
  };

  // -- the mappings: VLQ text -> flat typed arrays, one entry a segment

  function decodeMappings(s, sourceCount, nameCount) {
    var len = s.length;
    var cap = 1, i, c;
    for (i = 0; i < len; i++) {
      c = s.charCodeAt(i);
      if (c === 44 || c === 59) cap++;
    }
    var GL = new Uint32Array(cap), GC = new Uint32Array(cap), SRC = new Int32Array(cap);
    var OL = new Uint32Array(cap), OC = new Uint32Array(cap), NM = new Int32Array(cap);
    var lines = [0];
    var unsorted = [];
    var n = 0, line = 0, col = 0, src = 0, ol = 0, oc = 0, nm = 0, prevCol = -1;
    i = 0;
    while (i < len) {
      c = s.charCodeAt(i);
      if (c === 59) {
        line++; col = 0; prevCol = -1;
        lines.push(n);
        i++;
        continue;
      }
      if (c === 44) { i++; continue; }
      // A segment: up to five base64 VLQ values.
      var f = 0, v0 = 0, v1 = 0, v2 = 0, v3 = 0, v4 = 0;
      while (i < len) {
        c = s.charCodeAt(i);
        if (c === 44 || c === 59) break;
        var value = 0, shift = 0, digit = 0;
        for (;;) {
          digit = c < 128 ? B64[c] : -1;
          i++;
          if (digit < 0) { digit = 0; break; } // not base64 (a lenient map's garbage)
          // Integers while they fit 31 bits (six digits), doubles past that.
          if (shift < 30) value |= (digit & 31) << shift;
          else value += (digit & 31) * POW2[shift];
          shift += 5;
          if (!(digit & 32) || i >= len || shift > 60) break;
          c = s.charCodeAt(i);
        }
        if (shift <= 30) value = value & 1 ? -(value >>> 1) : value >>> 1;
        else value = value % 2 ? -(value - 1) / 2 : value / 2;
        if (f === 0) v0 = value; else if (f === 1) v1 = value; else if (f === 2) v2 = value;
        else if (f === 3) v3 = value; else if (f === 4) v4 = value;
        f++;
      }
      col += v0;
      GL[n] = line; GC[n] = col; NM[n] = NONE; SRC[n] = NONE; OL[n] = 0; OC[n] = 0;
      if (f >= 4) {
        src += v1; ol += v2; oc += v3;
        if (src >= 0 && src < sourceCount && ol >= 0 && oc >= 0) {
          SRC[n] = src; OL[n] = ol; OC[n] = oc;
          if (f >= 5) {
            nm += v4;
            if (nm >= 0 && nm < nameCount) NM[n] = nm;
          }
        } else if (f >= 5) nm += v4;
      }
      if (col < prevCol && unsorted[unsorted.length - 1] !== line) unsorted.push(line);
      prevCol = col;
      n++;
    }
    lines.push(n);
    var m = { n: n, GL: GL, GC: GC, SRC: SRC, OL: OL, OC: OC, NM: NM, lines: lines };
    unsorted.forEach(function (l) { sortLine(m, l); });
    return m;
  }

  // Segments out of column order (the library sorts them once when it parses the map).
  function sortLine(m, line) {
    var a = m.lines[line], b = m.lines[line + 1];
    var order = [];
    for (var i = a; i < b; i++) order.push(i);
    order.sort(function (x, y) { return m.GC[x] - m.GC[y] || x - y; });
    ["GL", "GC", "SRC", "OL", "OC", "NM"].forEach(function (k) {
      var copy = order.map(function (i) { return m[k][i]; });
      for (var j = 0; j < copy.length; j++) m[k][a + j] = copy[j];
    });
  }

  // The original positions: mapped segments sorted by (source, line, column), the ones at
  // one position forming a group. A group is the partner of every segment in it, and its
  // colour is theirs. Sorted in O(n): a counting sort by (source, line), then each line's
  // few segments by column (stable: segments at one position stay in generated order).
  function groupPositions(m, sourceCount) {
    var n = m.n, SRC = m.SRC, OL = m.OL, OC = m.OC, i, k, s;
    var maxLine = new Float64Array(sourceCount).fill(-1);
    var mappedCount = 0;
    for (i = 0; i < n; i++) {
      s = SRC[i];
      if (s === NONE) continue;
      mappedCount++;
      if (OL[i] > maxLine[s]) maxLine[s] = OL[i];
    }
    var base = new Float64Array(sourceCount + 1);
    for (s = 0; s < sourceCount; s++) base[s + 1] = base[s] + maxLine[s] + 1;
    var order = new Uint32Array(mappedCount);
    var buckets = base[sourceCount];
    if (buckets < 1 << 24) {
      var count = new Uint32Array(buckets + 1);
      for (i = 0; i < n; i++) if (SRC[i] !== NONE) count[base[SRC[i]] + OL[i] + 1]++;
      for (k = 1; k <= buckets; k++) count[k] += count[k - 1];
      var starts = count.slice();
      for (i = 0; i < n; i++) if (SRC[i] !== NONE) order[count[base[SRC[i]] + OL[i]]++] = i;
      for (k = 0; k < buckets; k++) sortByColumn(order, starts[k], starts[k + 1], OC);
    } else {
      // Line numbers too large to count in buckets (a garbled map): a comparison sort.
      k = 0;
      for (i = 0; i < n; i++) if (SRC[i] !== NONE) order[k++] = i;
      order = Uint32Array.from(Array.from(order).sort(function (x, y) {
        return SRC[x] - SRC[y] || OL[x] - OL[y] || OC[x] - OC[y] || x - y;
      }));
    }
    var first = new Int32Array(mappedCount + 1), gSrc = new Int32Array(mappedCount);
    var gLine = new Uint32Array(mappedCount), gCol = new Uint32Array(mappedCount);
    var segGroup = new Int32Array(n).fill(NONE);
    var g = -1;
    for (k = 0; k < mappedCount; k++) {
      s = order[k];
      if (g < 0 || SRC[s] !== gSrc[g] || OL[s] !== gLine[g] || OC[s] !== gCol[g]) {
        g++;
        first[g] = k; gSrc[g] = SRC[s]; gLine[g] = OL[s]; gCol[g] = OC[s];
      }
      segGroup[s] = g;
    }
    var groups = g + 1;
    first[groups] = mappedCount;
    var srcStart = new Int32Array(sourceCount + 1);
    var j = 0;
    for (var src = 0; src <= sourceCount; src++) {
      while (j < groups && gSrc[j] < src) j++;
      srcStart[src] = j;
    }
    return {
      order: order, first: first, src: gSrc.subarray(0, groups), line: gLine.subarray(0, groups),
      col: gCol.subarray(0, groups), count: groups, segGroup: segGroup, srcStart: srcStart,
    };
  }

  // Sorts order[a..b) by column, stably: insertion sort for the few segments of a typical
  // line, a merge sort (Array#sort is stable) for the long lines of a minified original.
  function sortByColumn(order, a, b, OC) {
    var i, j, x, key;
    if (b - a < 2) return;
    if (b - a <= 48) {
      for (i = a + 1; i < b; i++) {
        x = order[i];
        key = OC[x];
        for (j = i - 1; j >= a && OC[order[j]] > key; j--) order[j + 1] = order[j];
        order[j + 1] = x;
      }
      return;
    }
    var part = Array.from(order.subarray(a, b));
    part.sort(function (p, q) { return OC[p] - OC[q] || p - q; });
    order.set(part, a);
  }

  // Group statuses: where an original position lies against its source's text.
  var OK = 0, NO_CONTENTS = 1, PAST_LINES = 2, PAST_LINE_END = 3;

  function lowerBound(arr, lo, hi, value) {
    while (lo < hi) {
      var mid = (lo + hi) >>> 1;
      if (arr[mid] < value) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  // The last index in [lo, hi) whose arr value is <= value, or lo - 1.
  function lastAtMost(arr, lo, hi, value) {
    var a = lo, b = hi;
    while (a < b) {
      var mid = (a + b) >>> 1;
      if (arr[mid] <= value) a = mid + 1; else b = mid;
    }
    return a - 1;
  }

  // -- the application

  function App(data) {
    this.data = data;
    this.sources = data.sources;
    this.contents = data.contents;
    this.names = data.names;
    this.ignored = {};
    var self = this;
    (data.ignoreList || []).forEach(function (i) { self.ignored[i] = true; });
    this.texts = [];
    this.focusSel = null;
    this.focusHover = null;
    this.problemAt = -1;
  }

  App.prototype.sourceText = function (s) {
    if (this.contents[s] === null || this.contents[s] === undefined) return null;
    if (!this.texts[s]) this.texts[s] = new Text(this.contents[s]);
    return this.texts[s];
  };

  App.prototype.sourceLabel = function (s) {
    var name = this.sources[s];
    return name === null || name === undefined ? "(null source #" + s + ")" : name;
  };

  App.prototype.load = function () {
    var d = this.data;
    var m = (this.m = decodeMappings(d.mappings || "", this.sources.length, this.names.length));
    timings.mappings = performance.now();
    var g = (this.g = groupPositions(m, this.sources.length));
    timings.grouped = performance.now();
    // Group statuses.
    var status = (this.gStatus = new Uint8Array(g.count));
    for (var k = 0; k < g.count; k++) {
      var t = this.sourceText(g.src[k]);
      if (!t) status[k] = NO_CONTENTS;
      else if (g.line[k] >= t.count) status[k] = PAST_LINES;
      else if (g.col[k] > t.len(g.line[k])) status[k] = PAST_LINE_END;
    }
    timings.sources = performance.now();
    // Generated side: positions past the end of their line or of the file.
    this.gen = d.minified === null || d.minified === undefined ? null : new Text(d.minified);
    timings.generated = performance.now();
    var n = m.n;
    var genStatus = (this.genStatus = new Uint8Array(n));
    var stats = (this.stats = {
      segments: n, unmapped: 0, invalid: 0, noContents: 0, genPast: 0,
      uncovered: 0, linesWithout: 0,
    });
    var problems = [];
    for (var i = 0; i < n; i++) {
      var bad = false;
      if (m.SRC[i] === NONE) stats.unmapped++;
      else {
        var st = status[g.segGroup[i]];
        if (st === NO_CONTENTS) stats.noContents++;
        else if (st !== OK) { stats.invalid++; bad = true; }
      }
      if (this.gen) {
        var len = this.gen.len(m.GL[i]);
        if (len < 0 || m.GC[i] > len) { genStatus[i] = 1; stats.genPast++; bad = true; }
      }
      if (bad) problems.push(i);
    }
    this.problems = problems;
    var mapLines = m.lines.length - 1;
    if (this.gen) {
      // Generated code no segment covers: before a line's first segment, or after an
      // unmapped one (up to the next segment).
      for (var l = 0; l < this.gen.count; l++) {
        var a = l < mapLines ? m.lines[l] : 0, b = l < mapLines ? m.lines[l + 1] : 0;
        var ll = this.gen.len(l);
        if (a === b) {
          if (ll > 0) { stats.uncovered += ll; stats.linesWithout++; }
          continue;
        }
        stats.uncovered += Math.min(m.GC[a], ll);
        for (var j = a; j < b; j++) {
          if (m.SRC[j] !== NONE) continue;
          var end = j + 1 < b ? m.GC[j + 1] : ll;
          stats.uncovered += Math.max(0, Math.min(end, ll) - Math.min(m.GC[j], ll));
        }
      }
    }
  };

  // Gen pane: the segment that answers at a column group (as lookup_token answers: of the
  // segments sharing a column, the last mapped one, else the last).
  App.prototype.columnGroup = function (j) {
    var m = this.m, line = m.GL[j], a = m.lines[line], b = m.lines[line + 1], col = m.GC[j];
    var s = j, e = j + 1;
    while (s > a && m.GC[s - 1] === col) s--;
    while (e < b && m.GC[e] === col) e++;
    var rep = e - 1;
    for (var k = e - 1; k >= s; k--) {
      if (m.SRC[k] !== NONE) { rep = k; break; }
    }
    return { start: s, end: e, rep: rep };
  };

  // The segment a generated position finds, or NONE (before the line's first segment).
  App.prototype.segmentAt = function (line, col) {
    var m = this.m;
    if (line >= m.lines.length - 1) return NONE;
    var a = m.lines[line], b = m.lines[line + 1];
    var j = lastAtMost(m.GC, a, b, col);
    if (j < a) return NONE;
    return this.columnGroup(j).rep;
  };

  // The group of a source at or before an original position on one line, or NONE.
  App.prototype.groupAt = function (src, line, col) {
    var g = this.g, a = g.srcStart[src], b = g.srcStart[src + 1];
    var lo = lowerBound(g.line, a, b, line), hi = lowerBound(g.line, lo, b, line + 1);
    if (lo === hi) return NONE;
    var k = lastAtMost(g.col, lo, hi, col);
    return k < lo ? lo : k;
  };

  // -- pane models: lines, widths, and the pieces of a line within a window of columns

  function MinifiedModel(app) {
    var m = app.m, t = app.gen;
    var maxCol = 0;
    for (var i = 0; i < m.n; i++) if (m.GC[i] > maxCol) maxCol = m.GC[i];
    this.app = app;
    this.lineCount = Math.max(t.count, m.lines.length - 1);
    this.maxWidth = Math.max(t.maxLen, m.n ? maxCol + 1 : 0);
    this.cells = false;
  }
  MinifiedModel.prototype.lineClass = function (l) {
    return l >= this.app.gen.count ? "beyond" : "";
  };
  MinifiedModel.prototype.pieces = function (l, c0, c1, emit) {
    var app = this.app, m = app.m, t = app.gen;
    var len = t.len(l);
    var mapLines = m.lines.length - 1;
    var a = l < mapLines ? m.lines[l] : 0, b = l < mapLines ? m.lines[l + 1] : 0;
    if (a === b) {
      if (len > 0) emit(0, len, "x", NONE, l, 0);
      return;
    }
    if (m.GC[a] > c0 && len > 0) emit(0, Math.min(m.GC[a], len), "x", NONE, l, 0);
    var j = Math.max(a, lastAtMost(m.GC, a, b, c0));
    while (j < b) {
      var grp = app.columnGroup(j);
      var col = m.GC[j];
      if (col >= c1) break;
      var rep = grp.rep;
      var next = grp.end < b ? m.GC[grp.end] : Infinity;
      var cls = app.genClass(rep);
      if (len < 0 || col > len) emit(col, col + 1, "mark " + cls, rep, l, col);
      else if (col === len) emit(col, col + 1, "eol " + cls, rep, l, col);
      else emit(col, Math.min(next, len), cls, rep, l, col);
      j = grp.end;
    }
  };

  // Without the minified file: each segment a cell, in generated order.
  function CellsModel(app) {
    var m = app.m, most = 0;
    for (var l = 0; l + 1 < m.lines.length; l++) most = Math.max(most, m.lines[l + 1] - m.lines[l]);
    this.app = app;
    this.lineCount = Math.max(1, m.lines.length - 1);
    this.maxWidth = most * CELL;
    this.cells = true;
  }
  CellsModel.prototype.lineClass = function () { return ""; };
  CellsModel.prototype.label = function (s) {
    var app = this.app, m = app.m;
    var text = m.GC[s] + 1 + " ";
    if (m.SRC[s] === NONE) return text + "(unmapped)";
    var name = app.sourceLabel(m.SRC[s]);
    name = name.slice(name.lastIndexOf("/") + 1);
    text += "\u2192 " + (m.OL[s] + 1) + ":" + (m.OC[s] + 1) + " " + name;
    return text.length >= CELL ? text.slice(0, CELL - 2) + "\u2026" : text;
  };
  CellsModel.prototype.pieces = function (l, c0, c1, emit) {
    var app = this.app, m = app.m;
    if (l >= m.lines.length - 1) return;
    var a = m.lines[l], b = m.lines[l + 1];
    var k0 = Math.floor(c0 / CELL), k1 = Math.ceil(c1 / CELL);
    for (var k = k0; k < k1 && a + k < b; k++) {
      var s = a + k;
      emit(k * CELL, k * CELL + CELL - 1, app.genClass(s), s, l, m.GC[s], this.label(s));
    }
  };
  CellsModel.prototype.cellOf = function (s) {
    return (s - this.app.m.lines[this.app.m.GL[s]]) * CELL;
  };

  function OriginalModel(app, src) {
    var g = app.g, a = g.srcStart[src], b = g.srcStart[src + 1];
    var maxLine = -1, maxCol = 0;
    for (var k = a; k < b; k++) {
      if (g.line[k] > maxLine) maxLine = g.line[k];
      if (g.col[k] > maxCol) maxCol = g.col[k];
    }
    this.app = app;
    this.src = src;
    this.text = app.sourceText(src);
    var textLines = this.text ? this.text.count : 0;
    this.lineCount = Math.max(textLines, maxLine + 1, 1);
    this.maxWidth = Math.max(this.text ? this.text.maxLen : 0, b > a ? maxCol + 1 : 0);
    this.cells = false;
  }
  OriginalModel.prototype.lineClass = function (l) {
    return this.text && l >= this.text.count ? "beyond" : "";
  };
  OriginalModel.prototype.pieces = function (l, c0, c1, emit) {
    var app = this.app, g = app.g, t = this.text;
    var a = g.srcStart[this.src], b = g.srcStart[this.src + 1];
    var len = t ? t.len(l) : -1;
    var lo = lowerBound(g.line, a, b, l), hi = lowerBound(g.line, lo, b, l + 1);
    if (lo === hi) {
      if (len > 0) emit(0, len, "o", NONE, l, 0);
      return;
    }
    if (g.col[lo] > c0 && len > 0) emit(0, Math.min(g.col[lo], len), "o", NONE, l, 0);
    for (var k = Math.max(lo, lastAtMost(g.col, lo, hi, c0)); k < hi; k++) {
      var col = g.col[k];
      if (col >= c1) break;
      var next = k + 1 < hi ? g.col[k + 1] : Infinity;
      var cls = app.groupClass(k);
      if (len < 0 || col > len) emit(col, col + 1, "mark " + cls, k, l, col);
      else if (col === len) emit(col, col + 1, "eol " + cls, k, l, col);
      else emit(col, Math.min(next, len), cls, k, l, col);
    }
  };

  App.prototype.groupClass = function (k) {
    var st = this.gStatus[k];
    return "m c" + (k % 8) + (st === NO_CONTENTS ? " nc" : st !== OK ? " bad" : "");
  };

  App.prototype.genClass = function (s) {
    if (this.m.SRC[s] === NONE) return "u" + (this.genStatus[s] ? " bad" : "");
    var k = this.g.segGroup[s];
    var cls = this.groupClass(k);
    if (this.genStatus[s] && cls.indexOf(" bad") < 0) cls += " bad";
    return cls;
  };

  // -- a pane: a scroll area whose layer (sticky, the size of the view) is redrawn with the
  // lines and columns in view on every scroll

  function Pane(app, kind, scroller) {
    this.app = app;
    this.kind = kind;
    this.scroller = scroller;
    this.inner = el("div", "inner");
    this.layer = el("div", "layer");
    this.inner.appendChild(this.layer);
    scroller.replaceChildren(this.inner);
    this.model = null;
    this.els = [];
    this.pending = false;
    var self = this;
    scroller.addEventListener("scroll", function () { self.schedule(); }, { passive: true });
    this.layer.addEventListener("mouseover", function (e) {
      var t = e.target.closest(".p");
      if (t && t.lsmKey !== undefined) app.hover(self, t, e);
    });
    this.layer.addEventListener("mouseleave", function () { app.hover(self, null); });
    this.layer.addEventListener("mousemove", function (e) { app.pointer = [e.clientX, e.clientY]; });
    this.layer.addEventListener("click", function (e) {
      var t = e.target.closest(".p");
      if (t && t.lsmKey !== undefined) app.click(self, t, e);
    });
  }

  Pane.prototype.setModel = function (model) {
    this.model = model;
    this.scroller.scrollTop = 0;
    this.scroller.scrollLeft = 0;
    this.layout();
  };

  Pane.prototype.layout = function () {
    var cw = this.app.cw, model = this.model, sc = this.scroller;
    this.viewW = sc.clientWidth;
    this.viewH = sc.clientHeight;
    this.gutterW = Math.ceil((String(model.lineCount).length + 1) * cw + 10);
    var codeW = Math.max(1, this.viewW - this.gutterW);
    this.rangeX = Math.max(0, (model.maxWidth + 4) * cw - codeW);
    this.rangeY = Math.max(0, (model.lineCount + 1) * LH - this.viewH);
    var sx = Math.min(this.rangeX, MAX_SCROLL), sy = Math.min(this.rangeY, MAX_SCROLL);
    this.ratioX = sx ? this.rangeX / sx : 1;
    this.ratioY = sy ? this.rangeY / sy : 1;
    this.inner.style.width = this.viewW + sx + "px";
    this.inner.style.height = this.viewH + sy + "px";
    this.layer.style.width = this.viewW + "px";
    this.layer.style.height = this.viewH + "px";
    this.render();
  };

  Pane.prototype.schedule = function () {
    if (this.pending) return;
    this.pending = true;
    var self = this;
    requestAnimationFrame(function () {
      self.pending = false;
      self.render();
    });
  };

  Pane.prototype.contentX = function () {
    return Math.min(this.rangeX, this.scroller.scrollLeft * this.ratioX);
  };
  Pane.prototype.contentY = function () {
    return Math.min(this.rangeY, this.scroller.scrollTop * this.ratioY);
  };

  Pane.prototype.render = function () {
    var app = this.app, model = this.model, cw = app.cw;
    if (!model) return;
    var y = this.contentY(), x = this.contentX();
    var first = Math.floor(y / LH), offY = y - first * LH;
    var c0f = x / cw, c0 = Math.floor(c0f), offX = (c0f - c0) * cw;
    var lines = Math.ceil(this.viewH / LH) + 1;
    var c1 = c0 + Math.ceil((this.viewW - this.gutterW) / cw) + 2;
    // Scroll events come after a programmatic scroll that was drawn already: nothing to do.
    var key = [first, offY, c0, offX, lines, c1, this.gutterW].join(" ");
    if (model === this.drawnModel && key === this.drawnKey) return;
    this.drawnModel = model;
    this.drawnKey = key;
    var frag = document.createDocumentFragment();
    var gutter = el("div", "gutter");
    gutter.style.width = this.gutterW + "px";
    var code = el("div", "code" + (model.cells ? " cells" : ""));
    code.style.left = this.gutterW + "px";
    var els = [];
    var row = null, line = 0, text = null;
    var emit = function (start, end, cls, key, posLine, posCol, label) {
      var a = Math.max(start, c0), b = Math.min(end, c1);
      if (b <= a && !(start === end && start >= c0)) return;
      var span = el("span", "p " + cls);
      if (label !== undefined) span.textContent = label.slice(a - start, b - start);
      else if (cls.lastIndexOf("mark", 0) === 0) span.textContent = "\u25c6";
      else if (cls.lastIndexOf("eol", 0) !== 0) span.textContent = visible(text.slice(line, a, b));
      span.style.left = (a - c0) * cw - offX + "px";
      span.style.width = Math.max(1, b - a) * cw + "px";
      span.lsmKey = key;
      span.lsmLine = posLine;
      span.lsmCol = a;
      if (key !== NONE) span.setAttribute("data-pos", posLine + ":" + posCol);
      row.appendChild(span);
      els.push(span);
    };
    text = model === app.genModel ? app.gen : model.text;
    for (var i = 0; i < lines; i++) {
      line = first + i;
      if (line >= model.lineCount) break;
      var top = i * LH - offY + "px";
      var lc = model.lineClass(line);
      var ln = el("div", "ln" + (lc ? " " + lc : ""), String(line + 1));
      ln.style.top = top;
      gutter.appendChild(ln);
      row = el("div", "row" + (lc ? " " + lc : ""));
      row.style.top = top;
      model.pieces(line, c0, c1, emit);
      code.appendChild(row);
    }
    frag.appendChild(code);
    frag.appendChild(gutter);
    this.layer.replaceChildren(frag);
    this.els = els;
    this.c0 = c0;
    this.first = first;
    app.paint(this);
  };

  // Scrolls so that (line, col) is in view, unless it is already.
  Pane.prototype.reveal = function (line, col) {
    var cw = this.app.cw;
    var y = line * LH, x = col * cw;
    var cy = this.contentY(), cx = this.contentX();
    var codeW = this.viewW - this.gutterW;
    var sc = this.scroller;
    if (y < cy || y + LH > cy + this.viewH) {
      sc.scrollTop = Math.max(0, y - this.viewH / 3) / this.ratioY;
    }
    if (x < cx || x + cw > cx + codeW) {
      sc.scrollLeft = Math.max(0, x - codeW / 3) / this.ratioX;
    }
    this.render();
  };

  // -- focus: what is selected (clicked) and hovered, and what the panel shows

  App.prototype.isActive = function (pane, key, focus) {
    if (!focus || key === NONE) return false;
    if (pane.kind === "gen") {
      if (focus.kind === "gen") return focus.seg === key;
      return this.g.segGroup[key] === focus.group && this.m.SRC[key] !== NONE;
    }
    if (pane.src !== undefined && focus.kind) {
      if (focus.kind === "orig") return focus.group === key;
      return focus.seg !== NONE && this.g.segGroup[focus.seg] === key;
    }
    return false;
  };

  App.prototype.paint = function (pane) {
    var els = pane.els;
    for (var i = 0; i < els.length; i++) {
      var e = els[i];
      e.classList.toggle("sel", this.isActive(pane, e.lsmKey, this.focusSel));
      e.classList.toggle("hov", this.isActive(pane, e.lsmKey, this.focusHover));
    }
  };

  App.prototype.focusOf = function (pane, t, e) {
    var col = t.lsmCol;
    if (e && !pane.model.cells) {
      var rect = t.getBoundingClientRect();
      col += Math.max(0, Math.floor((e.clientX - rect.left) / this.cw));
    }
    if (pane.kind === "gen") {
      return { kind: "gen", seg: t.lsmKey, line: t.lsmLine, col: t.lsmKey === NONE ? col : this.m.GC[t.lsmKey] };
    }
    return { kind: "orig", group: t.lsmKey, src: pane.src, line: t.lsmLine, col: col };
  };

  App.prototype.hover = function (pane, t, e) {
    // Redrawing (a scroll, a go-to) puts new spans under a pointer that did not move: that
    // is no hover, or every go-to would be taken over by whatever lands under the mouse.
    if (e && this.still && e.clientX === this.still[0] && e.clientY === this.still[1]) return;
    this.still = null;
    var focus = t ? this.focusOf(pane, t, e) : null;
    var old = this.focusHover;
    if (focus && old && focus.kind === old.kind && focus.seg === old.seg &&
        focus.group === old.group && focus.line === old.line && focus.col === old.col) return;
    this.focusHover = focus;
    this.paint(this.genPane);
    this.paint(this.origPane);
    this.showPanel();
  };

  App.prototype.click = function (pane, t, e) {
    var focus = this.focusOf(pane, t, e);
    if (focus.kind === "orig" && focus.group === NONE) return;
    this.select(focus, true, false);
  };

  // Selects a focus; `partner`: scroll its partner in the other pane into view, `self`:
  // scroll the focus itself into view (a go-to, not a click on what is in view already).
  App.prototype.select = function (focus, partner, self) {
    this.focusSel = focus;
    this.focusHover = null;
    this.still = this.pointer;
    var m = this.m, g = this.g, k;
    if (focus.kind === "gen") {
      if (self) {
        if (focus.seg === NONE) this.genPane.reveal(focus.line, focus.col);
        else this.revealGen(focus.seg);
      }
      if (focus.seg !== NONE && m.SRC[focus.seg] !== NONE) {
        k = g.segGroup[focus.seg];
        var switched = this.origPane.src !== g.src[k];
        if (switched) this.showSource(g.src[k]);
        if (partner || switched) this.origPane.reveal(g.line[k], g.col[k]);
      }
    } else if (focus.group !== NONE) {
      k = focus.group;
      if (self) this.origPane.reveal(g.line[k], g.col[k]);
      if (partner) this.revealGen(g.order[g.first[k]]);
    } else if (self) {
      this.origPane.reveal(focus.line, focus.col);
    }
    this.paint(this.genPane);
    this.paint(this.origPane);
    this.showPanel();
  };

  App.prototype.revealGen = function (s) {
    var col = this.genModel.cells ? this.genModel.cellOf(s) : this.m.GC[s];
    this.genPane.reveal(this.m.GL[s], col, false);
  };

  function pos(line, col) {
    return line + 1 + ":" + (col + 1) + "  (0-based " + line + ":" + col + ")";
  }

  App.prototype.statusText = function (s) {
    var m = this.m, g = this.g;
    if (m.SRC[s] === NONE) {
      return ["unmapped: a 1-field segment, this code maps to no original position", "warn"];
    }
    var k = g.segGroup[s], st = this.gStatus[k];
    var gen = this.genStatus[s]
      ? "; its generated position is past the end of " +
        (this.gen.len(m.GL[s]) < 0 ? "the generated file" : "its line")
      : "";
    if (st === NO_CONTENTS) return ["the source has no sourcesContent: the position cannot be checked" + gen, "warn"];
    var t = this.sourceText(g.src[k]);
    if (st === PAST_LINES) {
      return ["invalid: line " + (g.line[k] + 1) + " is past the end of the source (" + fmt(t.count) + " lines)" + gen, "bad"];
    }
    if (st === PAST_LINE_END) {
      return ["invalid: column " + (g.col[k] + 1) + " is past the end of line " + (g.line[k] + 1) + " (" + fmt(t.len(g.line[k])) + " columns)" + gen, "bad"];
    }
    if (gen) return ["invalid" + gen, "bad"];
    return ["mapped", ""];
  };

  App.prototype.showPanel = function () {
    var focus = this.focusHover || this.focusSel;
    var m = this.m, g = this.g;
    var f = { generated: "-", source: "-", original: "-", name: "-", status: "", index: "-" };
    var cls = "";
    var partners = $("tok-partners");
    partners.replaceChildren();
    var self = this;
    if (!focus) {
      f.status = "Hover over or click a coloured span.";
    } else if (focus.kind === "gen" && focus.seg === NONE) {
      f.generated = pos(focus.line, focus.col);
      f.status = "no segment: no mapping covers this generated code";
      cls = "warn";
    } else if (focus.kind === "gen") {
      var s = focus.seg;
      f.generated = pos(m.GL[s], m.GC[s]);
      var grp = this.columnGroup(s);
      f.index = "#" + fmt(s) + " of " + fmt(m.n) +
        (grp.end - grp.start > 1 ? "; " + (grp.end - grp.start) + " segments at this column (the last mapped one answers)" : "");
      if (m.SRC[s] !== NONE) {
        f.source = this.sourceLabel(m.SRC[s]);
        f.original = pos(m.OL[s], m.OC[s]);
        f.name = m.NM[s] === NONE ? "-" : this.names[m.NM[s]];
        var k = g.segGroup[s], others = g.first[k + 1] - g.first[k] - 1;
        if (others > 0) partners.textContent = fmt(others) + " other generated position(s) map to this original position.";
      }
      var st = this.statusText(s);
      f.status = st[0];
      cls = st[1];
    } else {
      k = focus.group;
      if (k === NONE) {
        f.source = this.sourceLabel(focus.src);
        f.original = pos(focus.line, focus.col);
        f.status = "no mapping starts here";
      } else {
        var rep = g.order[g.first[k]];
        var count = g.first[k + 1] - g.first[k];
        f.source = this.sourceLabel(g.src[k]);
        f.original = pos(g.line[k], g.col[k]);
        f.generated = pos(m.GL[rep], m.GC[rep]) + (count > 1 ? "  and " + fmt(count - 1) + " more" : "");
        f.name = m.NM[rep] === NONE ? "-" : this.names[m.NM[rep]];
        f.index = "#" + fmt(rep) + " of " + fmt(m.n);
        st = this.statusText(rep);
        f.status = st[0];
        cls = st[1];
        partners.appendChild(el("span", "", fmt(count) + " generated position(s) map here: "));
        for (var i = 0; i < Math.min(count, 40); i++) {
          (function (seg) {
            var b = el("button", "", m.GL[seg] + 1 + ":" + (m.GC[seg] + 1));
            b.type = "button";
            b.addEventListener("click", function () {
              self.select({ kind: "gen", seg: seg, line: m.GL[seg], col: m.GC[seg] }, false, true);
            });
            partners.appendChild(b);
          })(g.order[g.first[k] + i]);
        }
        if (count > 40) partners.appendChild(el("span", "", "\u2026"));
      }
    }
    $("tok-generated").textContent = f.generated;
    $("tok-source").textContent = f.source;
    $("tok-original").textContent = f.original;
    $("tok-name").textContent = f.name;
    $("tok-index").textContent = f.index;
    var status = $("tok-status");
    status.textContent = f.status;
    status.className = cls;
  };

  // -- sources, go-to inputs, problems

  App.prototype.showSource = function (src) {
    var pane = this.origPane;
    pane.src = src;
    $("source").value = String(src);
    var notes = [];
    if (!this.sourceText(src)) notes.push("no sourcesContent: positions shown on empty lines");
    if (this.ignored[src]) notes.push("in ignoreList");
    $("source-note").textContent = notes.join("; ");
    pane.setModel(new OriginalModel(this, src));
  };

  function parsePosition(text) {
    var match = /^\s*(\d+)\s*(?:[:,\s]\s*(\d+))?\s*$/.exec(text);
    if (!match) return null;
    var line = parseInt(match[1], 10), col = match[2] === undefined ? 1 : parseInt(match[2], 10);
    if (line < 1 || col < 1) return null;
    return [line - 1, col - 1];
  }

  App.prototype.gotoGenerated = function (line, col) {
    var s = this.segmentAt(line, col);
    var focus = s === NONE
      ? { kind: "gen", seg: NONE, line: line, col: col }
      : { kind: "gen", seg: s, line: line, col: this.m.GC[s] };
    this.select(focus, true, true);
  };

  App.prototype.gotoOriginal = function (line, col) {
    var src = this.origPane.src;
    var k = this.groupAt(src, line, col);
    var focus = k === NONE
      ? { kind: "orig", group: NONE, src: src, line: line, col: col }
      : { kind: "orig", group: k, src: src, line: line, col: this.g.col[k] };
    this.select(focus, true, true);
  };

  App.prototype.nextProblem = function () {
    if (!this.problems.length) return;
    this.problemAt = (this.problemAt + 1) % this.problems.length;
    var s = this.problems[this.problemAt];
    this.select({ kind: "gen", seg: s, line: this.m.GL[s], col: this.m.GC[s] }, true, true);
  };

  // -- the page

  function chip(text, cls) {
    $("summary").appendChild(el("span", "chip" + (cls ? " " + cls : ""), text));
  }

  App.prototype.summary = function () {
    var d = this.data, st = this.stats;
    if (d.file) chip("file: " + d.file, "long");
    chip(fmt(st.segments) + " segments");
    var without = 0;
    for (var i = 0; i < this.sources.length; i++) if (this.contents[i] == null) without++;
    chip(fmt(this.sources.length) + " sources" + (without ? " (" + fmt(without) + " without contents)" : ""), without ? "warn" : "");
    chip(fmt(this.names.length) + " names");
    if (d.debugId) chip("debug id " + d.debugId);
    chip(fmt(st.unmapped) + " unmapped segments", st.unmapped ? "warn" : "");
    chip(fmt(st.invalid) + " invalid original positions", st.invalid ? "bad" : "");
    if (st.noContents) chip(fmt(st.noContents) + " into sources without contents", "warn");
    if (this.gen) {
      chip(fmt(st.genPast) + " past the end of the generated code", st.genPast ? "bad" : "");
      chip(fmt(st.uncovered) + " generated characters without a mapping", st.uncovered ? "warn" : "");
    }
    if (d.strict && d.strict.checked) {
      var problem = d.strict.problem;
      chip(problem === null ? "ECMA-426: valid" : "ECMA-426: " + problem, problem === null ? "" : "bad long");
    }
    for (i = 0; i < (d.notes || []).length; i++) chip(d.notes[i], "warn long");
  };

  function measureCharWidth(host) {
    var probe = el("span", "measure", "0123456789".repeat(10));
    var layer = el("div", "layer");
    layer.appendChild(probe);
    host.appendChild(layer);
    var w = probe.getBoundingClientRect().width / 100;
    host.removeChild(layer);
    return w > 0 ? w : 7.2;
  }

  function markReady() {
    // After the first frame is painted: what "the page is open" means to its reader.
    requestAnimationFrame(function () {
      setTimeout(function () {
        window.__lsmReady = performance.now();
        document.documentElement.setAttribute("data-ready", "1");
      }, 0);
    });
  }

  function showError(kind, message) {
    $("viewer").hidden = true;
    $("error").hidden = false;
    $("error-kind").textContent = kind;
    $("error-message").textContent = message;
  }

  function main() {
    var data = JSON.parse($("lsm-data").textContent);
    timings.parsed = performance.now();
    document.title = data.title;
    $("title").textContent = data.title;
    if (data.error) {
      showError(data.error.kind, data.error.message);
      for (var i = 0; i < (data.notes || []).length; i++) chip(data.notes[i], "warn long");
      return;
    }
    var app = new App(data);
    window.__lsm = app;
    app.load();
    timings.decoded = performance.now();
    $("viewer").hidden = false;
    app.summary();
    app.cw = measureCharWidth($("gen-scroller"));
    app.genModel = app.gen ? new MinifiedModel(app) : new CellsModel(app);
    $("gen-name").textContent = app.gen
      ? data.minifiedName || data.file || ""
      : "the minified file was not given: each segment is a cell (generated column \u2192 original line:column source)";
    app.genPane = new Pane(app, "gen", $("gen-scroller"));
    app.origPane = new Pane(app, "orig", $("orig-scroller"));
    var select = $("source");
    for (var s = 0; s < app.sources.length; s++) {
      var label = s + ": " + app.sourceLabel(s);
      if (app.contents[s] == null) label += "  (no contents)";
      var option = el("option", "", label);
      option.value = String(s);
      select.appendChild(option);
    }
    select.addEventListener("change", function () { app.showSource(parseInt(select.value, 10)); });
    app.genPane.setModel(app.genModel);
    // The first source that has mappings.
    if (app.sources.length) app.showSource(app.g.count ? app.g.src[0] : 0);
    else app.origPane.src = undefined;
    $("goto-gen").addEventListener("submit", function (e) {
      e.preventDefault();
      var p = parsePosition($("gen-pos").value);
      if (p) app.gotoGenerated(p[0], p[1]);
    });
    $("goto-orig").addEventListener("submit", function (e) {
      e.preventDefault();
      var p = parsePosition($("orig-pos").value);
      if (p && app.origPane.src !== undefined) app.gotoOriginal(p[0], p[1]);
    });
    var next = $("next-problem");
    next.disabled = !app.problems.length;
    next.textContent = app.problems.length ? "Next problem (" + fmt(app.problems.length) + ")" : "No problems";
    next.addEventListener("click", function () { app.nextProblem(); });
    window.addEventListener("resize", function () {
      app.genPane.layout();
      if (app.origPane.model) app.origPane.layout();
    });
    app.showPanel();
    timings.rendered = performance.now();
  }

  try {
    main();
  } catch (err) {
    // A bug of this page, not of the map: say so on the page rather than leave it blank.
    showError("This page failed to show the map", String(err && err.stack ? err.stack : err));
  }
  markReady();
})();
