//! Core of libsourcemap: a source map library designed to be driven through a C ABI.
//!
//! The library (views, lookups, loading, caches) is the top-level modules; the
//! symbolication engine built on it is `engine`. Neither knows about C or Python: `cabi`
//! is the only layer with `extern "C"` functions and raw pointers.

// The library.
pub mod bytes;
pub mod error;
pub mod facebook;
pub mod function_table;
pub mod index;
pub mod inject;
pub mod integrity;
pub mod json;
pub mod json_text;
pub mod lines;
pub mod load;
pub mod mappings;
pub mod memdb;
pub mod part;
pub mod proguard;
pub mod quiet_panics;
pub mod range_mappings;
pub mod remap;
pub mod rules;
pub mod scopes;
pub mod tables;
pub mod threads;
pub mod view;
pub mod vlq;
pub mod writer;

// The engine.
pub mod engine;

// The C ABI.
pub mod cabi;
