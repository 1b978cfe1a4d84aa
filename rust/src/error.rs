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
    /// The OS error number of an I/O error the system reported (0: none), so that
    /// callers can tell a full disk from a missing file.
    pub os_errno: i32,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            os_errno: 0,
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
        Error {
            os_errno: err.raw_os_error().unwrap_or(0),
            ..Error::new(ErrorKind::BadIo, err.to_string())
        }
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

#[cfg(test)]
mod tests {
    use super::ErrorKind;

    /// Each kind's number is the header's `LSM_ERR_*` for it: the codes are written once,
    /// in include/libsourcemap.h (Python reads them from there), and checked here.
    #[test]
    fn codes_match_the_header() {
        let header = include_str!("../../include/libsourcemap.h");
        let defined = |name: &str| -> i32 {
            let line = header
                .lines()
                .find(|l| l.starts_with(&format!("#define {name} ")))
                .unwrap_or_else(|| panic!("{name} is not in the header"));
            line.split_whitespace().nth(2).unwrap().parse().unwrap()
        };
        let kinds = [
            (ErrorKind::Panic, "LSM_ERR_PANIC"),
            (ErrorKind::IndexedSourceMap, "LSM_ERR_INDEXED_SOURCEMAP"),
            (ErrorKind::BadJson, "LSM_ERR_BAD_JSON"),
            (ErrorKind::CannotFlatten, "LSM_ERR_CANNOT_FLATTEN"),
            (
                ErrorKind::UnsupportedMemDbVersion,
                "LSM_ERR_UNSUPPORTED_MEMDB_VERSION",
            ),
            (ErrorKind::BadIo, "LSM_ERR_BAD_IO"),
            (ErrorKind::BadMemDb, "LSM_ERR_BAD_MEMDB"),
            (ErrorKind::InvalidSourceMap, "LSM_ERR_INVALID_SOURCEMAP"),
            (ErrorKind::InvalidArgument, "LSM_ERR_INVALID_ARGUMENT"),
            (ErrorKind::BadSource, "LSM_ERR_BAD_SOURCE"),
            (
                ErrorKind::InvalidProguardMapping,
                "LSM_ERR_INVALID_PROGUARD",
            ),
            (ErrorKind::System, "LSM_ERR_SYSTEM"),
            (ErrorKind::TooManySources, "LSM_ERR_TOO_MANY_SOURCES"),
            (ErrorKind::TooManyNames, "LSM_ERR_TOO_MANY_NAMES"),
            (ErrorKind::LocationOverflow, "LSM_ERR_LOCATION_OVERFLOW"),
            (ErrorKind::AlreadyMemDb, "LSM_ERR_ALREADY_MEMDB"),
        ];
        for (kind, name) in kinds {
            assert_eq!(kind as i32, defined(name), "{name}");
        }
        let in_header = header
            .lines()
            .filter(|l| l.starts_with("#define LSM_ERR_"))
            .count();
        assert_eq!(in_header, kinds.len(), "a header code without a kind");
    }
}
