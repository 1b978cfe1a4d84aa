//! Core of libsourcemap: a source map reader designed to be driven through a C ABI.
//!
//! The core modules know nothing about C or Python; `cabi` is the only layer with
//! `extern "C"` functions and raw pointers.

pub mod bytes;
pub mod cabi;
pub mod error;
pub mod frames;
pub mod functions;
pub mod index;
pub mod json;
pub mod lines;
pub mod mappings;
pub mod memdb;
pub mod proguard;
pub mod rules;
pub mod scopes;
pub mod tables;
pub mod view;
pub mod vlq;
