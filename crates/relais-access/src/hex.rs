//! Hex encoding of secrets, hashes, ids and nonces: one encoder and one
//! strict decoder (only `0-9a-fA-F`, an even number of digits) for the crate.

/// Lower-case hex digits of `bytes`.
pub(crate) fn encode(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        })
}

/// The bytes of `text`, or `None` when it is not pairs of hex digits.
pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
    let nibble = |c: u8| (c as char).to_digit(16).and_then(|d| u8::try_from(d).ok());
    let digits = text.as_bytes();
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    digits
        .chunks_exact(2)
        .map(|pair| Some(nibble(pair[0])? << 4 | nibble(pair[1])?))
        .collect()
}

/// Exactly 32 bytes from 64 hex digits.
pub(crate) fn decode_32(text: &str) -> Option<[u8; 32]> {
    decode(text)?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn signs_and_odd_lengths_are_refused() {
        assert_eq!(decode("+f"), None, "u8::from_str_radix would take it");
        assert_eq!(decode("abc"), None);
        assert_eq!(decode("0aFf"), Some(vec![0x0a, 0xff]));
        assert!(decode_32(&"ab".repeat(31)).is_none());
    }

    proptest! {
        #[test]
        fn encode_then_decode_is_identity(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            prop_assert_eq!(decode(&encode(&bytes)), Some(bytes));
        }
    }
}
