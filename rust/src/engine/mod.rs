//! The symbolication engine, built on the library's public surface: a `Resolver` holds a
//! view plus what naming functions and reading context lines needs (function tables,
//! parsed sources, line starts), and parses JavaScript on threads of its own.

mod arena;
pub mod frames;
pub mod function_scopes;
pub mod functions;
pub mod parser_threads;
pub mod resolver;
pub mod scope_frames;
pub mod symbolic_scopes;

pub use resolver::Resolver;
