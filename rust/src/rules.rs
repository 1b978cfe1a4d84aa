//! Which source map rules a parse enforces: the `flags` argument of the C ABI.
//!
//! Lenient parsing (no flags) loads what real generators emit and skips what is
//! unusable; `STRICT` enforces all of ECMA-426. The groups are separate because
//! sourcemap 0.2.1, which the compat module imitates, rejects bad indexes but skips empty
//! segments, and requires `names`, which ECMA-426 does not.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rules {
    /// Field types and presence (`version`, `sources`, `file`, `ignoreList`, sections...).
    pub fields: bool,
    /// Segments of 2 or 3 fields; source and name indexes in range.
    pub indexes: bool,
    /// No empty segments, no segments of more than 5 fields.
    pub segments: bool,
    /// `sources`, `names` and `mappings` must all be present (sourcemap 0.2.1).
    pub required_keys: bool,
}

pub const FIELDS: u32 = 1;
pub const INDEXES: u32 = 2;
pub const SEGMENTS: u32 = 4;
pub const REQUIRED_KEYS: u32 = 8;

impl Rules {
    pub const LENIENT: Rules = Rules::from_flags(0);
    pub const STRICT: Rules = Rules::from_flags(FIELDS | INDEXES | SEGMENTS);

    pub const fn from_flags(flags: u32) -> Rules {
        Rules {
            fields: flags & FIELDS != 0,
            indexes: flags & INDEXES != 0,
            segments: flags & SEGMENTS != 0,
            required_keys: flags & REQUIRED_KEYS != 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header is the contract: its LSM_STRICT_* / LSM_REQUIRE_KEYS values are ours.
    #[test]
    fn header_flags_match() {
        let header = include_str!("../../include/libsourcemap.h");
        let value = |name: &str| -> u32 {
            let line = header
                .lines()
                .find(|l| l.starts_with(&format!("#define {name} ")))
                .unwrap_or_else(|| panic!("{name} missing from the header"));
            line.split_whitespace().nth(2).unwrap().parse().unwrap()
        };
        assert_eq!(value("LSM_STRICT_FIELDS"), FIELDS);
        assert_eq!(value("LSM_STRICT_INDEXES"), INDEXES);
        assert_eq!(value("LSM_STRICT_SEGMENTS"), SEGMENTS);
        assert_eq!(value("LSM_REQUIRE_KEYS"), REQUIRED_KEYS);
        assert_eq!(Rules::from_flags(value("LSM_STRICT")), Rules::STRICT);
    }
}
