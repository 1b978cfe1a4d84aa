//! The one error type of the core. Each kind has a stable number that crosses the C ABI
//! (`LSM_ERR_*` in include/libsourcemap.h) and maps to one Python exception class.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum ErrorKind {
    /// Not a real error kind: a Rust panic caught by the landing pad.
    Panic = 1,
    IndexedSourceMap = 2,
    BadJson = 3,
    CannotFlatten = 4,
    UnsupportedMemDbVersion = 5,
    BadIo = 6,
    BadMemDb = 7,
    InvalidSourceMap = 8,
    InvalidArgument = 9,
    /// A JavaScript source that cannot be parsed.
    BadSource = 10,
    /// Input that is not a ProGuard/R8 mapping file.
    InvalidProguardMapping = 11,
    /// The system refused a resource the work needs (a thread could not be started).
    System = 12,
    TooManySources = 20,
    TooManyNames = 21,
    LocationOverflow = 22,
    AlreadyMemDb = 23,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
        }
    }

    pub fn code(&self) -> i32 {
        self.kind as i32
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Error {
        Error::new(ErrorKind::BadIo, err.to_string())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Shorthand constructors, so call sites read `bad_json("...")`.
pub fn bad_json(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::BadJson, message)
}

pub fn invalid_map(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidSourceMap, message)
}

pub fn bad_memdb(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::BadMemDb, message)
}
