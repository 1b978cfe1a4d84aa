//! Base64 VLQ, the number encoding of the `mappings` field (ECMA-426 §"Mappings").
//!
//! Each digit carries 5 value bits and a continuation bit; the lowest bit of the first
//! digit is the sign. Values are decoded into `i64` so that every 32-bit field and its
//! deltas fit; anything that would not fit is an error, never a silent wrap.

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Base64 digit value per byte, or 0xff for bytes that are not base64 digits.
const DECODE: [u8; 256] = {
    let mut table = [0xffu8; 256];
    let mut i = 0;
    while i < 64 {
        table[B64[i] as usize] = i as u8;
        i += 1;
    }
    table
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VlqError {
    /// A byte that is not a base64 digit, at this offset.
    BadChar(usize),
    /// The input ended while a continuation bit was set.
    Unterminated,
    /// More digits than any 32-bit delta needs.
    Overflow,
}

/// Decodes one VLQ number starting at `*pos`, advancing `*pos` past it.
#[inline]
pub fn decode(bytes: &[u8], pos: &mut usize) -> Result<i64, VlqError> {
    // Fast path: most values in real maps are a single digit (-15..=15).
    if let Some(&byte) = bytes.get(*pos) {
        let digit = DECODE[byte as usize];
        if digit < 0x20 {
            *pos += 1;
            let magnitude = (digit >> 1) as i64;
            return Ok(if digit & 1 == 1 {
                -magnitude
            } else {
                magnitude
            });
        }
    }
    decode_long(bytes, pos)
}

fn decode_long(bytes: &[u8], pos: &mut usize) -> Result<i64, VlqError> {
    let value = digits_value(bytes, pos)?;
    if value >= (1u64 << 34) {
        return Err(VlqError::Overflow);
    }
    let magnitude = (value >> 1) as i64;
    Ok(if value & 1 == 1 {
        -magnitude
    } else {
        magnitude
    })
}

/// The bits of one VLQ's digits from `*pos` (advancing past them), sign bit included.
/// 7 digits carry 35 bits: a sign bit plus any magnitude a 32-bit field needs; further
/// zero digits are allowed ("large VLQs that decode in range"), others `Overflow`.
fn digits_value(bytes: &[u8], pos: &mut usize) -> Result<u64, VlqError> {
    let mut value: u64 = 0;
    let mut shift = 0u32;
    loop {
        let Some(&byte) = bytes.get(*pos) else {
            return Err(VlqError::Unterminated);
        };
        let digit = DECODE[byte as usize];
        if digit == 0xff {
            return Err(VlqError::BadChar(*pos));
        }
        *pos += 1;
        let bits = (digit & 0x1f) as u64;
        if shift >= 35 {
            if bits != 0 {
                return Err(VlqError::Overflow);
            }
        } else {
            value |= bits << shift;
        }
        if digit & 0x20 == 0 {
            return Ok(value);
        }
        shift = shift.saturating_add(5);
    }
}

/// Decodes one *unsigned* VLQ number (every bit a value bit, no sign: the proposals'
/// fields, `rangeMappings` and `scopes`) starting at `*pos`, advancing past it. Values
/// of 2^32 or more are `Overflow`; zero digits after the value's own are allowed.
pub fn decode_unsigned(bytes: &[u8], pos: &mut usize) -> Result<u32, VlqError> {
    u32::try_from(digits_value(bytes, pos)?).map_err(|_| VlqError::Overflow)
}

/// Appends the unsigned VLQ encoding of `value` to `out` (see `decode_unsigned`; the
/// scopes encoder also writes its folded signed values, which need 33 bits, through it).
pub fn encode_unsigned(mut value: u64, out: &mut Vec<u8>) {
    loop {
        let mut digit = (value & 0x1f) as u8;
        value >>= 5;
        if value != 0 {
            digit |= 0x20;
        }
        out.push(B64[digit as usize]);
        if value == 0 {
            return;
        }
    }
}

/// Appends the VLQ encoding of `value` to `out`.
pub fn encode(value: i64, out: &mut Vec<u8>) {
    let mut room = [0; DIGITS_ROOM];
    let mut digits = Digits::new(&mut room);
    digits.value(value);
    out.extend_from_slice(digits.as_slice());
}

/// A short run of base64 VLQ digits built in a reused buffer: a separator and up to five
/// values of at most 13 digits each (a 64-bit value), appended to a `Vec` in one go.
pub struct Digits<'a> {
    bytes: &'a mut [u8; DIGITS_ROOM],
    len: usize,
}

/// Room for a separator, five 13-digit values and slack.
pub const DIGITS_ROOM: usize = 72;

impl<'a> Digits<'a> {
    pub fn new(bytes: &'a mut [u8; DIGITS_ROOM]) -> Digits<'a> {
        Digits { bytes, len: 0 }
    }

    /// Adds one byte (a separator); at most 7 may be added besides five values.
    #[inline(always)]
    pub fn push(&mut self, byte: u8) {
        self.bytes[self.len] = byte;
        self.len += 1;
    }

    /// Adds `value` as base64 VLQ digits (as `encode` writes them).
    #[inline(always)]
    pub fn value(&mut self, value: i64) {
        let mut rest: u64 = if value < 0 {
            ((value.unsigned_abs()) << 1) | 1
        } else {
            (value as u64) << 1
        };
        loop {
            let mut digit = (rest & 0x1f) as u8;
            rest >>= 5;
            if rest != 0 {
                digit |= 0x20;
            }
            self.push(B64[digit as usize]);
            if rest == 0 {
                break;
            }
        }
    }

    pub fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    /// How many bytes have been added.
    pub fn written(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn decode_all(s: &str) -> Result<i64, VlqError> {
        let mut pos = 0;
        let v = decode(s.as_bytes(), &mut pos)?;
        assert_eq!(pos, s.len());
        Ok(v)
    }

    #[test]
    fn known_values() {
        assert_eq!(decode_all("A"), Ok(0));
        assert_eq!(decode_all("C"), Ok(1));
        assert_eq!(decode_all("D"), Ok(-1));
        assert_eq!(decode_all("gB"), Ok(16));
        assert_eq!(decode_all("+/////D"), Ok(2147483647));
    }

    #[test]
    fn errors() {
        assert_eq!(decode_all("g"), Err(VlqError::Unterminated));
        assert_eq!(decode_all("!"), Err(VlqError::BadChar(0)));
        assert_eq!(decode_all("gggggggggggggggA"), Ok(0));
        assert_eq!(decode_all("//////////////D"), Err(VlqError::Overflow));
    }

    #[test]
    fn unsigned_values() {
        let read = |s: &str| {
            let mut pos = 0;
            decode_unsigned(s.as_bytes(), &mut pos).map(|v| (v, pos))
        };
        assert_eq!(read("A"), Ok((0, 1)));
        assert_eq!(read("B"), Ok((1, 1)));
        assert_eq!(read("gB"), Ok((32, 2)));
        assert_eq!(read("//////D"), Ok((u32::MAX, 7)));
        assert_eq!(read("///////D"), Err(VlqError::Overflow));
        assert_eq!(read("//////H"), Err(VlqError::Overflow));
        assert_eq!(read("ggggggggA"), Ok((0, 9)));
        assert_eq!(read("g"), Err(VlqError::Unterminated));
        assert_eq!(read("%"), Err(VlqError::BadChar(0)));
    }

    proptest! {
        #[test]
        fn unsigned_round_trip(v in any::<u32>()) {
            let mut out = Vec::new();
            encode_unsigned(u64::from(v), &mut out);
            let mut pos = 0;
            prop_assert_eq!(decode_unsigned(&out, &mut pos), Ok(v));
            prop_assert_eq!(pos, out.len());
        }

        #[test]
        fn digits_decode_to_their_values(values in proptest::collection::vec(-(1i64 << 32)..(1i64 << 32), 0..5)) {
            let mut room = [0; DIGITS_ROOM];
            let mut digits = Digits::new(&mut room);
            for &value in &values {
                digits.value(value);
            }
            let text = digits.as_slice();
            let mut pos = 0;
            let mut decoded = Vec::new();
            while pos < text.len() {
                decoded.push(decode(text, &mut pos).unwrap());
            }
            prop_assert_eq!(decoded, values);
        }

        #[test]
        fn round_trip(v in -(1i64 << 32)..(1i64 << 32)) {
            let mut buf = Vec::new();
            encode(v, &mut buf);
            prop_assert_eq!(decode_all(std::str::from_utf8(&buf).unwrap()), Ok(v));
        }
    }
}
