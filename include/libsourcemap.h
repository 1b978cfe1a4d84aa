/* libsourcemap C ABI: the contract between the Rust core (rust/src/cabi) and Python.
 *
 * Conventions (see docs/design.md):
 * - Every fallible function takes `lsm_error_t *err` last. On failure it returns NULL/0
 *   and sets err->failed = 1, err->code (LSM_ERR_*) and err->message, a NUL-terminated
 *   string the caller frees with lsm_buffer_free. A Rust panic is reported the same way
 *   (LSM_ERR_PANIC, with its message and location; nothing is printed); it never unwinds
 *   into C.
 * - Strings are (pointer, length) UTF-8. `const char *` results borrow from the view and
 *   stay valid while it lives; `char *` results are owned and freed with lsm_buffer_free.
 * - Lines, columns and ids are uint32_t, 0-based; sizes are size_t.
 * - Functions that take JSON or memdb bytes BORROW them: the caller keeps the buffer alive
 *   and unchanged until the returned view or index, and every resolver made from the
 *   view, is freed (libsourcemap keeps a reference to the Python bytes object in the
 *   handle's destructor).
 * - Two layers: a view (lsm_view_*) is the map's tables and lookups; a resolver
 *   (lsm_resolver_*) is the symbolication engine over a view: function names, context
 *   lines, whole frames. A resolver shares its view: the view handle may be freed first.
 */
#ifndef LIBSOURCEMAP_H_INCLUDED
#define LIBSOURCEMAP_H_INCLUDED

#include <stdint.h>
#include <stddef.h>

#define LSM_ERR_PANIC 1
#define LSM_ERR_INDEXED_SOURCEMAP 2
#define LSM_ERR_BAD_JSON 3
#define LSM_ERR_CANNOT_FLATTEN 4
#define LSM_ERR_UNSUPPORTED_MEMDB_VERSION 5
#define LSM_ERR_BAD_IO 6
#define LSM_ERR_BAD_MEMDB 7
#define LSM_ERR_INVALID_SOURCEMAP 8
#define LSM_ERR_INVALID_ARGUMENT 9
#define LSM_ERR_BAD_SOURCE 10
#define LSM_ERR_INVALID_PROGUARD 11
#define LSM_ERR_SYSTEM 12           /* the system refused a resource (a thread) */
#define LSM_ERR_TOO_MANY_SOURCES 20
#define LSM_ERR_TOO_MANY_NAMES 21
#define LSM_ERR_LOCATION_OVERFLOW 22
#define LSM_ERR_ALREADY_MEMDB 23

/* src_id / name_id of a token without a source / name. */
#define LSM_NONE 4294967295

/* `flags` of the *_from_json functions: which rules to enforce (0 = lenient). */
#define LSM_STRICT_FIELDS 1     /* field types and presence, index map sections */
#define LSM_STRICT_INDEXES 2    /* 2/3-field segments, source/name indexes in range */
#define LSM_STRICT_SEGMENTS 4   /* no empty segments, at most 5 fields */
#define LSM_REQUIRE_KEYS 8      /* sources, names, mappings present (sourcemap 0.2.1) */
#define LSM_RUST_SOURCEMAP 16   /* read as rust-sourcemap 9 reads (symbolic 13.9) */
#define LSM_STRICT 7            /* all of ECMA-426 */

typedef struct lsm_view_s lsm_view_t;
typedef struct lsm_resolver_s lsm_resolver_t;
typedef struct lsm_index_s lsm_index_t;
typedef struct lsm_proguard_view_s lsm_proguard_view_t;
typedef struct lsm_scopes_s lsm_scopes_t;

typedef struct lsm_error_s {
    char *message;
    int failed;
    int code;
    int os_errno;  /* the OS error number (errno) of an LSM_ERR_BAD_IO or LSM_ERR_SYSTEM
                      the system reported; 0 otherwise */
} lsm_error_t;

typedef struct lsm_token_s {
    uint32_t dst_line;
    uint32_t dst_col;
    uint32_t src_line;
    uint32_t src_col;
    uint32_t src_id;  /* LSM_NONE: unmapped segment (src_line/src_col then hold the
                         decoder's running original position) */
    uint32_t name_id; /* LSM_NONE: no name */
    uint32_t index;   /* position in generated order (view[index]) */
} lsm_token_t;

/* Owned buffers (error messages, memdb dumps, unescaped contents). NULL is ignored. */
void lsm_buffer_free(char *buf);

/* Parses JSON; returns 1 and sets *view_out for a regular map, 2 and *index_out for an
   index map. `flags` selects the rules to enforce (LSM_STRICT: all of ECMA-426).
   Borrows `bytes`. */
int lsm_view_or_index_from_json(const char *bytes, size_t len, uint32_t flags,
                                lsm_view_t **view_out, lsm_index_t **index_out,
                                lsm_error_t *err);
/* A view from JSON; an index map is flattened if it can be. Borrows `bytes`. */
lsm_view_t *lsm_view_from_json(const char *bytes, size_t len, uint32_t flags, lsm_error_t *err);
/* lsm_view_from_json for one pass over the segments (lsm_remap): the mappings are not
   indexed but decoded and checked by that pass, so the view answers only what needs no
   token index (sources, names, contents, metadata); token functions fail with
   LSM_ERR_INVALID_ARGUMENT. */
lsm_view_t *lsm_view_from_json_unindexed(const char *bytes, size_t len, uint32_t flags,
                                         lsm_error_t *err);
/* A view over memdb bytes, read in place. Borrows `bytes`. */
lsm_view_t *lsm_view_from_memdb(const char *bytes, size_t len, lsm_error_t *err);
/* A view over a memory-mapped memdb file; `path` is a file system path (bytes). */
lsm_view_t *lsm_view_from_memdb_file(const char *path, size_t path_len, lsm_error_t *err);
void lsm_view_free(lsm_view_t *view);

uint32_t lsm_view_get_token_count(const lsm_view_t *view, lsm_error_t *err);
uint32_t lsm_view_get_source_count(const lsm_view_t *view, lsm_error_t *err);
uint32_t lsm_view_get_name_count(const lsm_view_t *view, lsm_error_t *err);
/* 1 and *out filled if token `idx` exists, else 0. */
uint32_t lsm_view_get_token(const lsm_view_t *view, uint32_t idx, lsm_token_t *out,
                            lsm_error_t *err);
/* Tokens first..first+count-1 into out[0..] (`count` aligned slots), fewer past the end;
   returns how many were written. */
uint32_t lsm_view_get_tokens(const lsm_view_t *view, uint32_t first, uint32_t count,
                             lsm_token_t *out, lsm_error_t *err);
/* 1 and *out filled with the last token at or before (line, col) on `line`, else 0. Where
   segments share that token's column, the last mapped one of them answers. */
uint32_t lsm_view_lookup_token(const lsm_view_t *view, uint32_t line, uint32_t col,
                               lsm_token_t *out, lsm_error_t *err);
/* The hot path, lean because each argument of an ABI-mode CFFI call costs ~0.1 us: the same
   lookup as lsm_view_lookup_token, but the token goes to this thread's slot (see
   lsm_thread_token). Returns 2 if found, 1 if not, 0 on failure: repeat the lookup with
   lsm_view_lookup_token to get the error. */
uint32_t lsm_view_lookup_fast(const lsm_view_t *view, uint32_t line, uint32_t col);
/* lsm_view_lookup_fast for the last segment at or before (line, col) on `line`, mapped or
   not: where segments share a column, the last of them (sourcemap 0.2.1's rule), where
   lsm_view_lookup_fast takes the last mapped one. */
uint32_t lsm_view_lookup_segment_fast(const lsm_view_t *view, uint32_t line, uint32_t col);
/* lsm_view_lookup_fast for the greatest lower bound of (line, col) among all segments, on
   any line, mapped or not; on an exact hit the first of the segments at (line, col), else
   the last before it (rust-sourcemap's lookup, as symbolic answers). */
uint32_t lsm_view_lookup_bound_fast(const lsm_view_t *view, uint32_t line, uint32_t col);
/* 1 and *out filled with the token a bytecode map (Hermes) answers for (line, col), as
   metro-symbolicate finds it: of the segments on `line` at the greatest column at or
   before `col`, the first, mapped or not; else 0. */
uint32_t lsm_view_lookup_bytecode(const lsm_view_t *view, uint32_t line, uint32_t col,
                                  lsm_token_t *out, lsm_error_t *err);
/* Many lookups in one call: `positions` holds `count` (line, col) pairs; out[i] receives
   the token for pair i, or, where there is none, the pair's line and column with LSM_NONE
   in every other field. Both arrays must be aligned. Returns the number of pairs found. */
size_t lsm_view_lookup_many(const lsm_view_t *view, const uint32_t *positions, size_t count,
                            lsm_token_t *out, lsm_error_t *err);
/* This thread's token slot, at a fixed address for the life of the thread. */
const lsm_token_t *lsm_thread_token(void);
/* Borrowed strings; NULL (and *len_out = 0) for null entries or ids out of range. */
const char *lsm_view_get_source_name(const lsm_view_t *view, uint32_t src_id,
                                     size_t *len_out, lsm_error_t *err);
/* The source as written in the map, before sourceRoot is applied. */
const char *lsm_view_get_raw_source_name(const lsm_view_t *view, uint32_t src_id,
                                         size_t *len_out, lsm_error_t *err);
const char *lsm_view_get_name(const lsm_view_t *view, uint32_t name_id, size_t *len_out,
                              lsm_error_t *err);
const char *lsm_view_get_file(const lsm_view_t *view, size_t *len_out, lsm_error_t *err);
const char *lsm_view_get_source_root(const lsm_view_t *view, size_t *len_out,
                                     lsm_error_t *err);
/* The map's debugId (or debug_id); NULL if absent. */
const char *lsm_view_get_debug_id(const lsm_view_t *view, size_t *len_out, lsm_error_t *err);
/* Hermes' x_hermes_function_offsets as the map wrote it (JSON); NULL if absent. */
const char *lsm_view_get_hermes_function_offsets(const lsm_view_t *view, size_t *len_out,
                                                 lsm_error_t *err);
/* The scopes field (ECMA-426's scopes proposal) decoded leniently, as little-endian
   uint32 words (layout: rust/src/scopes/words.rs) in a buffer to free with
   lsm_buffer_free; NULL (and *len_out = 0) without the field. A field that cannot be
   read fails with LSM_ERR_INVALID_SOURCEMAP naming the item; the view stays usable. */
char *lsm_view_get_scopes(const lsm_view_t *view, size_t *len_out, lsm_error_t *err);
/* 1 if any source has a React Native function map (x_facebook_sources), else 0. */
int lsm_view_has_function_maps(const lsm_view_t *view, lsm_error_t *err);
/* The function around original (line, col) of source src_id by its function map, as
   metro-symbolicate names it; NULL if the source has no function map or no function of
   it starts at or before the position. */
const char *lsm_view_get_source_function_name(const lsm_view_t *view, uint32_t src_id,
                                              uint32_t line, uint32_t col, size_t *len_out,
                                              lsm_error_t *err);
/* The ignoreList (or x_google_ignoreList) as little-endian uint32 source ids; *len_out is
   the size in bytes (4 per id). */
const char *lsm_view_get_ignore_list(const lsm_view_t *view, size_t *len_out,
                                     lsm_error_t *err);
uint32_t lsm_view_has_source_contents(const lsm_view_t *view, uint32_t src_id,
                                      lsm_error_t *err);
/* Borrowed unless *must_free is set (contents that needed unescaping): then free it with
   lsm_buffer_free. NULL if the source has no contents. */
const char *lsm_view_get_source_contents(const lsm_view_t *view, uint32_t src_id,
                                         size_t *len_out, int *must_free, lsm_error_t *err);
/* Owned memdb bytes; free with lsm_buffer_free. The function table is the one the view's
   own memdb stored, if any (lsm_resolver_dump_memdb stores an attached one). */
char *lsm_view_dump_memdb(const lsm_view_t *view, size_t *len_out, int with_source_contents,
                          int with_names, lsm_error_t *err);

/* The view as source map JSON (ECMA-426): version, file, sourceRoot, sources (as the map
   wrote them), sourcesContent (with_source_contents, where any source has contents),
   names (with_names; else none, and no segment names), mappings, ignoreList, debugId.
   Owned (lsm_buffer_free). */
char *lsm_view_to_json(const lsm_view_t *view, size_t *len_out, int with_source_contents,
                       int with_names, lsm_error_t *err);

/* lsm_view_to_json with changes: source_root_mode 0 keeps sourceRoot, 1 drops it, 2 sets
   it to source_root (source_root_len bytes); contents[i] (content_lens[i] bytes, NULL:
   none) becomes the contents of source i if it has none (content_count entries);
   ignore_ids (ignore_count ids, NULL: keep the view's) replaces the ignore list;
   sources (NULL: keep; else source_count names of source_lens[i] bytes, one per source,
   NULL entries written as null) replaces the source names. */
char *lsm_view_to_json_rewritten(const lsm_view_t *view, size_t *len_out,
                                 int with_source_contents, int with_names,
                                 int source_root_mode, const char *source_root,
                                 size_t source_root_len, const char *const *contents,
                                 const size_t *content_lens, size_t content_count,
                                 const uint32_t *ignore_ids, size_t ignore_count,
                                 const char *const *sources, const size_t *source_lens,
                                 size_t source_count, lsm_error_t *err);

/* The scopes field's text (ECMA-426's scopes proposal) for scopes given as `count`
   uint32 words (layout: rust/src/scopes/words.rs), checked first (LSM_ERR_INVALID_ARGUMENT
   for words that do not make scope trees). Owned (lsm_buffer_free). */
char *lsm_scopes_encode(const uint32_t *words, size_t count, size_t *len_out,
                        lsm_error_t *err);
/* A `mappings` string for `count` segments of six uint32 each: generated line and
   column, source id, original line and column, name id (LSM_NONE: no source / no name),
   in any order (sorted by generated position, stably). Owned (lsm_buffer_free). */
char *lsm_mappings_encode(const uint32_t *records, size_t count, size_t *len_out,
                          lsm_error_t *err);

/* The map (JSON, owned) of `count` parts of code joined with "\n": part i is codes[i]
   (code_lens[i] bytes) with its view views[i], or NULL for none, in which case the code
   is its own source, named names[i] (name_lens[i] bytes), mapped line by line. */
char *lsm_concat(const lsm_view_t *const *views, const char *const *codes,
                 const size_t *code_lens, const char *const *names, const size_t *name_lens,
                 size_t count, size_t *len_out, lsm_error_t *err);

/* A new view of the composed map of a tree of `count` views, as @jridgewell/remapping
   composes a build's maps: views[0] is the last step's map. The sources of views[0],
   views[1], ... in turn (child_count in all) are each described by children[k] (the
   index of the view that produced that source, greater than its own view's index, or
   LSM_NONE for an original file) and names[k] (name_lens[k] bytes: its resolved name).
   The view owns the JSON written for it (lsm_view_to_json gives it back); its segments
   are indexed as they are written, not decoded again. */
lsm_view_t *lsm_remap(const lsm_view_t *const *views, size_t count, const uint32_t *children,
                      const char *const *names, const size_t *name_lens, size_t child_count,
                      lsm_error_t *err);

/* The view's map (JSON, owned) after `sentry-cli sourcemaps inject` inserts its debug ID
   snippet at byte `at` of `code` (the code before injection): segments moved as
   sentry-cli moves them, written as it writes them, with `debugId` set to debug_id and
   `ignoreList` kept only if with_ignore_list. */
char *lsm_view_injected_map(const lsm_view_t *view, const char *code, size_t code_len,
                            size_t at, const char *debug_id, size_t debug_id_len,
                            int with_ignore_list, size_t *len_out, lsm_error_t *err);

/* Resolvers: the symbolication engine over a view. */

/* A resolver over `view`'s view (shared: `view` may be freed first). */
lsm_resolver_t *lsm_resolver_new(const lsm_view_t *view, lsm_error_t *err);
/* A view from JSON (as lsm_view_from_json) and a resolver over it, with the minified
   JavaScript `source` the map belongs to parsed at the same time on another thread and
   attached (as lsm_resolver_attach_minified_source); a source that does not parse is
   skipped, not an error. Once the map is parsed, the original sources that the `count`
   0-based (line, col) pairs at `positions` map into are parsed as well (NULL and 0:
   none). Borrows `bytes`; `source` is only read during the call. */
lsm_resolver_t *lsm_resolver_from_json_with_source(const char *bytes, size_t len,
                                                   uint32_t flags, const char *source,
                                                   size_t source_len, const uint32_t *positions,
                                                   size_t count, lsm_error_t *err);
void lsm_resolver_free(lsm_resolver_t *resolver);
/* A new handle to the resolver's view; free it with lsm_view_free. */
lsm_view_t *lsm_resolver_get_view(const lsm_resolver_t *resolver, lsm_error_t *err);
/* Function names. Parses the minified JavaScript the map belongs to (UTF-8; invalid bytes
   are replaced) and keeps its function table in the resolver: each function's generated
   range and the original name its name maps to. Once per resolver
   (LSM_ERR_INVALID_ARGUMENT after, or if the view's memdb stored a table);
   LSM_ERR_BAD_SOURCE if the source cannot be parsed. Returns 1. */
int lsm_resolver_attach_minified_source(const lsm_resolver_t *resolver, const char *source,
                                        size_t len, lsm_error_t *err);
/* A stack trace's frames resolved in one call. First parses at once, on up to four
   threads, what naming the frames' functions needs: the minified source (`source` NULL:
   none, or the resolver has a table already; one that cannot be parsed is skipped) and the
   original sources (sourcesContent) the positions map into; everything parsed is kept.
   Then resolves each 0-based (line, col) of `positions` with `context` lines each side.
   Returns an owned (lsm_buffer_free) buffer: first 8 native-endian uint32 per position,
   [found (0: not mapped, the rest 0 too), src_id, line, col (0-based), name length,
   function length, context length, index of the frame's line in the context], where a
   length of LSM_NONE is null and an index of LSM_NONE means the source has no such line;
   then, in position order, the UTF-8 bytes of each found frame's name, function and
   context (its lines, each followed by '\n'). */
char *lsm_resolver_resolve_frames(const lsm_resolver_t *resolver, const char *source,
                                  size_t len, const uint32_t *positions, size_t count,
                                  uint32_t context, size_t *len_out, lsm_error_t *err);
/* 1 if the resolver has a function table (attached, or from the view's memdb). */
int lsm_resolver_has_function_table(const lsm_resolver_t *resolver, lsm_error_t *err);
/* The original name of the function around generated (line, col), 0-based: from the
   function table, else from the original source (sourcesContent) parsed around the
   mapped position. Owned (lsm_buffer_free); NULL if none or anonymous. */
char *lsm_resolver_get_original_function_name(const lsm_resolver_t *resolver, uint32_t line,
                                              uint32_t col, size_t *len_out, lsm_error_t *err);
/* Context lines: lines [from, to) of a source's contents (as many as exist), each without
   its line terminator and followed by '\n'. Owned (lsm_buffer_free); NULL if the source
   has no contents. A memdb reads its stored line index; a JSON view scans a source on its
   first call and keeps the line starts. */
char *lsm_resolver_get_source_lines(const lsm_resolver_t *resolver, uint32_t src_id,
                                    uint32_t from, uint32_t to, size_t *len_out,
                                    lsm_error_t *err);
/* Context lines as symbolic's SourceMapCache has them (for libsourcemap.compat.symbolic):
   lines [from, to) of a source's contents (as many as exist) split at line feeds only,
   each keeping its '\n' (the last line of a text without a final one has none): a
   uint32 line count, a uint32 byte length per line, then the lines' bytes. Owned
   (lsm_buffer_free); NULL if the source has no contents. A source's line starts are
   found once, in its stored (escaped) text: a call unescapes only its own lines. */
char *lsm_resolver_get_source_lf_lines(const lsm_resolver_t *resolver, uint32_t src_id,
                                       uint32_t from, uint32_t to, size_t *len_out,
                                       lsm_error_t *err);
/* lsm_view_dump_memdb, storing the resolver's function table: an attached one with every
   function named (this parses the original sources it needs), else the view's own. */
char *lsm_resolver_dump_memdb(const lsm_resolver_t *resolver, size_t *len_out,
                              int with_source_contents, int with_names, lsm_error_t *err);

/* The scope index symbolic's SourceMapCache builds for a minified source (for
   libsourcemap.compat.symbolic): lsm_scopes_start copies the source and parses it on a
   parser thread, returning at once (so the caller can parse the map meanwhile);
   lsm_scopes_index waits for that parse and names the scopes through the view's names:
   a uint32 entry count and 4 zero bytes, then per entry a uint64 key line << 32 | column
   (0-based, UTF-16; sorted), then per entry the uint32 end of its name in the names'
   bytes, then per entry a uint8 kind (0 unknown, 1 anonymous, 2 named), then the names'
   bytes. From each entry's position on, until the next, the scope is that one. Owned
   (lsm_buffer_free). lsm_scopes_free does not wait for a parse still running (it
   finishes on its own). */
lsm_scopes_t *lsm_scopes_start(const char *source, size_t len, lsm_error_t *err);
char *lsm_scopes_index(const lsm_scopes_t *scopes, const lsm_view_t *view, size_t *len_out,
                       lsm_error_t *err);
void lsm_scopes_free(lsm_scopes_t *scopes);

/* Index maps. Borrows `bytes`. */
lsm_index_t *lsm_index_from_json(const char *bytes, size_t len, uint32_t flags, lsm_error_t *err);
void lsm_index_free(lsm_index_t *index);
uint32_t lsm_index_can_flatten(const lsm_index_t *index, lsm_error_t *err);
/* A new view merging all sections; the index stays valid. */
lsm_view_t *lsm_index_into_view(const lsm_index_t *index, lsm_error_t *err);
uint32_t lsm_index_get_section_count(const lsm_index_t *index, lsm_error_t *err);
/* Section offset into *line_out/*col_out; returns its borrowed `url` or NULL. */
const char *lsm_index_get_section(const lsm_index_t *index, uint32_t section,
                                  uint32_t *line_out, uint32_t *col_out, size_t *url_len_out,
                                  lsm_error_t *err);

/* ProGuard / R8 mapping files. from_bytes borrows `bytes` for the life of the view;
   from_path reads small files and memory-maps large ones. Lines that do not parse are
   skipped; LSM_ERR_INVALID_PROGUARD if non-empty input has no class followed by a member
   among its first lines. Views are immutable: any number of threads may query one. */
lsm_proguard_view_t *lsm_proguard_view_from_bytes(const char *bytes, size_t len,
                                                  lsm_error_t *err);
lsm_proguard_view_t *lsm_proguard_view_from_path(const char *path, size_t path_len,
                                                 lsm_error_t *err);
void lsm_proguard_view_free(lsm_proguard_view_t *view);
int lsm_proguard_view_has_line_info(const lsm_proguard_view_t *view, lsm_error_t *err);
/* "class" or "class:method" (obfuscated, UTF-8) to the original; line 0 = unknown. Owned
   (lsm_buffer_free). */
char *lsm_proguard_view_convert_dotted_path(const lsm_proguard_view_t *view, const char *path,
                                            size_t path_len, uint32_t line, size_t *len_out,
                                            lsm_error_t *err);
/* Every original frame of an obfuscated frame, innermost first, one per line:
   "class\tmethod\tline\tfile\n" (line, file empty when unknown); empty if unknown.
   With `parameters` not NULL (a signature's argument types, comma-separated), the method
   is told apart by them instead of by `line`. Owned (lsm_buffer_free). */
char *lsm_proguard_view_remap_frame(const lsm_proguard_view_t *view, const char *class_name,
                                    size_t class_len, const char *method, size_t method_len,
                                    uint32_t line, const char *parameters,
                                    size_t parameters_len, size_t *len_out, lsm_error_t *err);
/* The original name of an obfuscated class; NULL if unknown. Owned (lsm_buffer_free). */
char *lsm_proguard_view_remap_class(const lsm_proguard_view_t *view, const char *class_name,
                                    size_t class_len, size_t *len_out, lsm_error_t *err);
/* "class\tmethod": the original class and method of an obfuscated method, where every
   mapping of its name leads to the same original; NULL otherwise. Owned. */
char *lsm_proguard_view_remap_method(const lsm_proguard_view_t *view, const char *class_name,
                                     size_t class_len, const char *method, size_t method_len,
                                     size_t *len_out, lsm_error_t *err);

#endif
