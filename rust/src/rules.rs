//! Which source map rules a parse enforces: the `flags` argument of the C ABI.
//!
//! Lenient parsing (no flags) loads what real generators emit and skips what is
//! unusable; `STRICT` enforces all of ECMA-426. The groups are separate because
//! sourcemap 0.2.1, which the compat module imitates, rejects bad indexes but skips empty
//! segments, and requires `names`, which ECMA-426 does not.
//!
//! `RUST_SOURCEMAP` is no rule of ECMA-426 but a dialect: the document read as
//! rust-sourcemap 9 (the reader of symbolic 13.9, which `libsourcemap.compat.symbolic`
//! imitates) reads it, where that differs from a lenient reading. Only that drop-in
//! passes it; nothing it changes costs a map that parses plainly anything.

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
    /// Read as rust-sourcemap 9.3 reads (symbolic 13.9): its field types (`RawSourceMap`:
    /// `version` a u32, `sources` strings or null, `debugId` a debug id...), a lone
    /// surrogate escape anywhere refused; its junk-prefix stripping; `names` that are
    /// numbers as serde_json prints them, other non-strings empty; `mappings` decoded with
    /// its arithmetic (positions wrap modulo 2^32, an invalid base64 byte is the digit 31
    /// continued, 6 or more fields refused) and `rangeMappings` checked; index maps
    /// flattened as it flattens them (sections sorted by offset, index maps nested in
    /// them flattened, sources and names merged by name, offsets wrapping); a map with
    /// `x_facebook_sources` has function maps, read as it reads them.
    pub rust_sourcemap: bool,
}

pub const FIELDS: u32 = 1;
pub const INDEXES: u32 = 2;
pub const SEGMENTS: u32 = 4;
pub const REQUIRED_KEYS: u32 = 8;
pub const RUST_SOURCEMAP: u32 = 16;

impl Rules {
    pub const LENIENT: Rules = Rules::from_flags(0);
    pub const STRICT: Rules = Rules::from_flags(FIELDS | INDEXES | SEGMENTS);

    pub const fn from_flags(flags: u32) -> Rules {
        Rules {
            fields: flags & FIELDS != 0,
            indexes: flags & INDEXES != 0,
            segments: flags & SEGMENTS != 0,
            required_keys: flags & REQUIRED_KEYS != 0,
            rust_sourcemap: flags & RUST_SOURCEMAP != 0,
        }
    }
}

/// One segment's values as rust-sourcemap 9 reads base64 VLQ (`RUST_SOURCEMAP`), for
/// `mappings` and for function maps alike: each byte's digit from a table in which a
/// byte outside the alphabet is -1, i.e. the digit 31 with its continuation bit set, so
/// `!A` reads as -15 (DEL is -2, the digit 30 continued); values in 64 bits, wrapping, up to 13 digits (a 14th is an
/// overflow); a value left unfinished at the end, or none at all, is an error.
pub fn read_vlq_segment(segment: &[u8], out: &mut Vec<i64>) -> Result<(), &'static str> {
    let (mut value, mut shift) = (0i64, 0u32);
    for &byte in segment {
        let digit = base64_digit(byte);
        let part = (digit & 31)
            .checked_shl(shift)
            .ok_or("VLQ value out of range")?;
        value = value.wrapping_add(part);
        shift += 5;
        if digit >> 5 == 0 {
            let negative = value & 1 != 0;
            value >>= 1;
            out.push(if negative {
                value.wrapping_neg()
            } else {
                value
            });
            (value, shift) = (0, 0);
        }
    }
    if value != 0 || shift != 0 {
        Err("VLQ value missing its continuation digit")
    } else if out.is_empty() {
        Err("no VLQ values")
    } else {
        Ok(())
    }
}

/// A base64 byte's digit; -1 for any other byte but DEL, -2 (rust-sourcemap's table).
fn base64_digit(byte: u8) -> i64 {
    match byte {
        0x7f => -2,
        b'A'..=b'Z' => (byte - b'A') as i64,
        b'a'..=b'z' => (byte - b'a' + 26) as i64,
        b'0'..=b'9' => (byte - b'0' + 52) as i64,
        b'+' => 62,
        b'/' => 63,
        _ => -1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header is the contract: its LSM_STRICT_* / LSM_REQUIRE_KEYS /
    /// LSM_RUST_SOURCEMAP values are ours.
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
        assert_eq!(value("LSM_RUST_SOURCEMAP"), RUST_SOURCEMAP);
        assert_eq!(Rules::from_flags(value("LSM_STRICT")), Rules::STRICT);
    }

    #[test]
    fn reads_vlq_as_rust_sourcemap() {
        let read = |text: &[u8]| {
            let mut out = Vec::new();
            read_vlq_segment(text, &mut out).map(|()| out)
        };
        assert_eq!(read(b"AACA"), Ok(vec![0, 0, 1, 0]));
        assert_eq!(read(b"D"), Ok(vec![-1]));
        assert_eq!(read(b"!A"), Ok(vec![-15])); // 31, continued, then 0
        assert!(read(b"!!").is_err());
        assert!(read(b"").is_err());
        assert!(read(b"g").is_err());
        // 13 digits read (wrapping), a 14th overflows.
        assert!(read(b"ggggggggggggA").is_ok());
        assert!(read(b"gggggggggggggA").is_err());
    }
}
