//! Secrets at rest: values a user typed into a setup wizard (API keys,
//! passwords) are sealed with XChaCha20-Poly1305 under a key the operator
//! supplies, and opened only when a connector needs them.

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use crate::AccessError;

const VERSION: &str = "v1";

/// The operator's key for secrets at rest: 32 bytes, given as 64 hex digits.
#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

impl SecretKey {
    /// Reads a key from 64 hex digits (e.g. `openssl rand -hex 32`).
    ///
    /// # Errors
    /// [`AccessError::Invalid`] for anything else.
    pub fn from_hex(text: &str) -> Result<Self, AccessError> {
        let text = text.trim();
        let invalid = || {
            AccessError::Invalid {
            field: "RELAIS_SECRET_KEY",
            reason: "must be 64 hex digits (32 bytes), e.g. from `relais secrets new-key` or `openssl rand -hex 32`".into(),
        }
        };
        crate::hex::decode_32(text).map(Self).ok_or_else(invalid)
    }

    /// A new random key as 64 hex digits, for `RELAIS_SECRET_KEY`.
    ///
    /// # Errors
    /// [`AccessError::Randomness`] when the system has no randomness to give.
    pub fn generate_hex() -> Result<String, AccessError> {
        let mut key = [0_u8; 32];
        getrandom::fill(&mut key).map_err(|e| AccessError::Randomness(e.to_string()))?;
        Ok(crate::hex::encode(&key))
    }

    /// A short public name of the key: 16 hex digits of a hash of it. Stored
    /// in the database at first use, so that a process started with another
    /// key is told so at once; it reveals nothing of the key.
    #[must_use]
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let digest = Sha256::new()
            .chain_update(b"relais secret key fingerprint v1\0")
            .chain_update(self.0)
            .finalize();
        crate::hex::encode(&digest[..8])
    }

    /// Seals a secret: `v1:<nonce hex>:<ciphertext hex>`, a fresh random nonce each time.
    ///
    /// # Errors
    /// [`AccessError::Randomness`] when no nonce can be drawn.
    pub fn seal(&self, plaintext: &str) -> Result<String, AccessError> {
        let mut nonce = [0_u8; 24];
        getrandom::fill(&mut nonce).map_err(|e| AccessError::Randomness(e.to_string()))?;
        let cipher = XChaCha20Poly1305::new((&self.0).into());
        let sealed = cipher
            .encrypt(XNonce::from_slice(&nonce), plaintext.as_bytes())
            .map_err(|_| AccessError::Randomness("encryption failed".into()))?;
        Ok(format!(
            "{VERSION}:{}:{}",
            crate::hex::encode(&nonce),
            crate::hex::encode(&sealed)
        ))
    }

    /// Opens a sealed secret.
    ///
    /// # Errors
    /// [`AccessError::Invalid`] when the text is not sealed by this key
    /// (another key, or tampered with).
    pub fn open(&self, sealed: &str) -> Result<String, AccessError> {
        let invalid = || AccessError::Invalid {
            field: "sealed secret",
            reason: "cannot be opened with this RELAIS_SECRET_KEY (another key, or altered)".into(),
        };
        let mut parts = sealed.split(':');
        let (Some(VERSION), Some(nonce), Some(body), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid());
        };
        let nonce = crate::hex::decode(nonce)
            .filter(|n| n.len() == 24)
            .ok_or_else(invalid)?;
        let body = crate::hex::decode(body).ok_or_else(invalid)?;
        let cipher = XChaCha20Poly1305::new((&self.0).into());
        let plain = cipher
            .decrypt(XNonce::from_slice(&nonce), body.as_slice())
            .map_err(|_| invalid())?;
        String::from_utf8(plain).map_err(|_| invalid())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn a_sealed_secret_opens_only_with_its_key() {
        let key = SecretKey::from_hex(KEY).unwrap();
        let sealed = key.seal("s3cr3t-token").unwrap();
        assert!(!sealed.contains("s3cr3t"));
        assert_ne!(
            sealed,
            key.seal("s3cr3t-token").unwrap(),
            "fresh nonce each time"
        );
        assert_eq!(key.open(&sealed).unwrap(), "s3cr3t-token");
        let other = SecretKey::from_hex(&KEY.replace("00", "ff")).unwrap();
        assert!(other.open(&sealed).is_err());
        let last = if sealed.ends_with('0') { '1' } else { '0' };
        let tampered = format!("{}{last}", &sealed[..sealed.len() - 1]);
        assert!(key.open(&tampered).is_err());
        assert!(SecretKey::from_hex("abc").is_err());
        assert_eq!(key.fingerprint().len(), 16);
        let fresh = SecretKey::generate_hex().unwrap();
        assert!(SecretKey::from_hex(&fresh).is_ok());
        assert_ne!(fresh, SecretKey::generate_hex().unwrap());
        assert_eq!(
            key.fingerprint(),
            SecretKey::from_hex(KEY).unwrap().fingerprint()
        );
        assert_ne!(key.fingerprint(), other.fingerprint());
        assert!(!KEY.contains(&key.fingerprint()));
        assert!(!format!("{key:?}").contains("0001"));
    }

    proptest! {
        #[test]
        fn seal_then_open_is_identity(text in ".{0,200}") {
            let key = SecretKey::from_hex(KEY).unwrap();
            prop_assert_eq!(key.open(&key.seal(&text).unwrap()).unwrap(), text);
        }

        #[test]
        fn opening_garbage_never_panics(text in ".{0,120}") {
            let key = SecretKey::from_hex(KEY).unwrap();
            let _ = key.open(&text);
        }
    }
}
