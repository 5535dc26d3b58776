//! Digest signatures: the signed string, CloudTrail's public keys and their fingerprints,
//! and SHA256withRSA (PKCS#1 v1.5) verification.

use std::collections::BTreeMap;

use base64::Engine as _;
use md5::{Digest as _, Md5};
use ring::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use serde::Deserialize;
use thiserror::Error;

/// The string CloudTrail signs for a digest (the documented `Data_To_Sign_String`):
/// `digestEndTime \n bucket/object \n hex(sha256(uncompressed digest)) \n previousDigestSignature`,
/// with the literal `null` for a starting digest (aws-cli: "to match the Java implementation").
pub fn signed_string(
    end_time_raw: &str,
    bucket: &str,
    object: &str,
    digest_sha256_hex: &str,
    previous_signature: Option<&str>,
) -> String {
    format!(
        "{end_time_raw}\n{bucket}/{object}\n{digest_sha256_hex}\n{}",
        previous_signature.unwrap_or("null")
    )
}

/// The fingerprint CloudTrail gives a key: hex MD5 of its PKCS#1 `RSAPublicKey` DER
/// (the bytes `ListPublicKeys` returns base64-encoded in `Value`).
pub fn fingerprint(pkcs1_der: &[u8]) -> String {
    hex::encode(Md5::digest(pkcs1_der))
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("not a list-public-keys JSON document: {0}")]
    Json(String),
    #[error("key {index}: Value is not base64: {detail}")]
    Base64 { index: usize, detail: String },
    #[error("not an RSA public key in PKCS#1 or SubjectPublicKeyInfo DER: {0}")]
    Der(&'static str),
    #[error("key {index}: Fingerprint {stated} does not match the key bytes (MD5 {computed})")]
    FingerprintMismatch {
        index: usize,
        stated: String,
        computed: String,
    },
}

/// Outcome of checking one signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureCheck {
    Valid,
    /// Well-formed but does not verify with the named key.
    Invalid,
    /// Not hex.
    Malformed,
    /// No key with this fingerprint in the key ring.
    UnknownKey,
}

/// A public key as `ListPublicKeys` describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    /// PKCS#1 `RSAPublicKey` DER.
    pub der: Vec<u8>,
    pub fingerprint: String,
    pub validity_start: Option<String>,
    pub validity_end: Option<String>,
}

/// The public keys available for verification, by fingerprint.
#[derive(Clone, Debug, Default)]
pub struct KeyRing {
    keys: BTreeMap<String, PublicKey>,
}

#[derive(Deserialize)]
struct ListPublicKeys {
    #[serde(rename = "PublicKeyList")]
    public_key_list: Vec<ListedKey>,
}

#[derive(Deserialize)]
struct ListedKey {
    #[serde(rename = "Value")]
    value: String,
    #[serde(rename = "Fingerprint")]
    fingerprint: Option<String>,
    // aws-cli prints these as strings; the raw API as epoch seconds. Kept for display only.
    #[serde(rename = "ValidityStartTime")]
    validity_start: Option<serde_json::Value>,
    #[serde(rename = "ValidityEndTime")]
    validity_end: Option<serde_json::Value>,
}

impl KeyRing {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the output of `aws cloudtrail list-public-keys` (`{"PublicKeyList":[...]}`).
    /// A stated `Fingerprint` must match the key bytes, so a tampered key file is refused.
    pub fn from_list_public_keys_json(json: &[u8]) -> Result<Self, KeyError> {
        let mut ring = Self::new();
        ring.add_list_public_keys_json(json)?;
        Ok(ring)
    }

    pub fn add_list_public_keys_json(&mut self, json: &[u8]) -> Result<(), KeyError> {
        let list: ListPublicKeys =
            serde_json::from_slice(json).map_err(|e| KeyError::Json(e.to_string()))?;
        for (index, key) in list.public_key_list.into_iter().enumerate() {
            let der = base64::engine::general_purpose::STANDARD
                .decode(key.value.trim())
                .map_err(|e| KeyError::Base64 {
                    index,
                    detail: e.to_string(),
                })?;
            let text = |v: Option<serde_json::Value>| {
                v.map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            };
            self.insert_listed(
                index,
                &der,
                key.fingerprint.as_deref(),
                text(key.validity_start),
                text(key.validity_end),
            )?;
        }
        Ok(())
    }

    /// Adds key number `index` of a ListPublicKeys answer, refusing it when its stated
    /// fingerprint is not its own. Shared by the JSON file and the API paths.
    pub(crate) fn insert_listed(
        &mut self,
        index: usize,
        der: &[u8],
        stated_fingerprint: Option<&str>,
        validity_start: Option<String>,
        validity_end: Option<String>,
    ) -> Result<String, KeyError> {
        let (pkcs1, computed) = checked_listed_key(index, der, stated_fingerprint)?;
        self.keys.insert(
            computed.clone(),
            PublicKey {
                der: pkcs1,
                fingerprint: computed.clone(),
                validity_start,
                validity_end,
            },
        );
        Ok(computed)
    }

    /// Adds one key (PKCS#1 or SubjectPublicKeyInfo DER) and returns its fingerprint.
    pub fn add_der(&mut self, der: &[u8]) -> Result<String, KeyError> {
        let pkcs1 = rsa_public_key_der(der)?.to_vec();
        let fp = fingerprint(&pkcs1);
        self.keys.insert(
            fp.clone(),
            PublicKey {
                der: pkcs1,
                fingerprint: fp.clone(),
                validity_start: None,
                validity_end: None,
            },
        );
        Ok(fp)
    }

    pub fn get(&self, fingerprint: &str) -> Option<&PublicKey> {
        self.keys.get(&fingerprint.to_ascii_lowercase())
    }

    pub fn fingerprints(&self) -> impl Iterator<Item = &str> {
        self.keys.keys().map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Verifies a hex signature over `message` with the key named by `fingerprint`.
    pub fn verify(&self, fingerprint: &str, message: &[u8], signature_hex: &str) -> SignatureCheck {
        let Some(key) = self.get(fingerprint) else {
            return SignatureCheck::UnknownKey;
        };
        let Ok(signature) = hex::decode(signature_hex.trim()) else {
            return SignatureCheck::Malformed;
        };
        match UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &key.der)
            .verify(message, &signature)
        {
            Ok(()) => SignatureCheck::Valid,
            Err(_) => SignatureCheck::Invalid,
        }
    }
}

/// Checks key number `index` of a ListPublicKeys answer: an RSA key whose stated fingerprint
/// (if any) is its own. Returns its PKCS#1 DER and the fingerprint digests name it by.
pub(crate) fn checked_listed_key(
    index: usize,
    der: &[u8],
    stated_fingerprint: Option<&str>,
) -> Result<(Vec<u8>, String), KeyError> {
    let pkcs1 = rsa_public_key_der(der)?.to_vec();
    let computed = fingerprint(&pkcs1);
    if let Some(stated) = stated_fingerprint {
        // Accept the MD5 of the bytes as given too, in case a tool re-wrapped them as SPKI.
        let stated = stated.to_ascii_lowercase();
        if stated != computed && stated != fingerprint(der) {
            return Err(KeyError::FingerprintMismatch {
                index,
                stated,
                computed,
            });
        }
    }
    Ok((pkcs1, computed))
}

/// Returns the PKCS#1 `RSAPublicKey` inside `der`, which is either that already or an
/// X.509 SubjectPublicKeyInfo wrapping it (what `openssl rsa -pubout` writes).
pub fn rsa_public_key_der(der: &[u8]) -> Result<&[u8], KeyError> {
    const RSA_ENCRYPTION_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    let (outer, rest) = der_element(der, 0x30)?;
    if !rest.is_empty() {
        return Err(KeyError::Der("bytes after the key"));
    }
    match outer.first() {
        // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
        Some(0x02) => {
            let (_, after_n) = der_element(outer, 0x02)?;
            let (_, after_e) = der_element(after_n, 0x02)?;
            if after_e.is_empty() {
                Ok(der)
            } else {
                Err(KeyError::Der("extra fields in RSAPublicKey"))
            }
        }
        // SubjectPublicKeyInfo ::= SEQUENCE { AlgorithmIdentifier, BIT STRING }
        Some(0x30) => {
            let (algorithm, after_alg) = der_element(outer, 0x30)?;
            let (oid, _) = der_element(algorithm, 0x06)?;
            if oid != RSA_ENCRYPTION_OID {
                return Err(KeyError::Der("not an rsaEncryption key"));
            }
            let (bits, after_bits) = der_element(after_alg, 0x03)?;
            if !after_bits.is_empty() {
                return Err(KeyError::Der("extra fields in SubjectPublicKeyInfo"));
            }
            match bits.split_first() {
                Some((0, inner)) => rsa_public_key_der(inner),
                _ => Err(KeyError::Der("BIT STRING with unused bits")),
            }
        }
        _ => Err(KeyError::Der("unexpected element in the key")),
    }
}

/// Reads one DER element with tag `tag`: (contents, bytes after it).
fn der_element(input: &[u8], tag: u8) -> Result<(&[u8], &[u8]), KeyError> {
    let (&found, rest) = input.split_first().ok_or(KeyError::Der("truncated"))?;
    if found != tag {
        return Err(KeyError::Der("unexpected tag"));
    }
    let (&first, rest) = rest.split_first().ok_or(KeyError::Der("truncated"))?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        // Long form: the low bits say how many length bytes follow (keys need at most 2-3).
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return Err(KeyError::Der("bad length"));
        }
        let len = rest[..count]
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        (len, &rest[count..])
    };
    if rest.len() < len {
        return Err(KeyError::Der("truncated"));
    }
    Ok(rest.split_at(len))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PKCS1: &[u8] = include_bytes!("../testdata/TEST-ONLY-rsa-2048.pub.pkcs1.der");
    const SPKI: &[u8] = include_bytes!("../testdata/TEST-ONLY-rsa-2048.pub.spki.der");

    #[test]
    fn spki_unwraps_to_the_pkcs1_key() {
        assert_eq!(rsa_public_key_der(SPKI), Ok(PKCS1));
        assert_eq!(rsa_public_key_der(PKCS1), Ok(PKCS1));
        assert!(rsa_public_key_der(&SPKI[..SPKI.len() - 1]).is_err());
        assert!(rsa_public_key_der(b"\x30\x00").is_err());
    }

    #[test]
    fn list_public_keys_json_checks_fingerprints() {
        let b64 = base64::engine::general_purpose::STANDARD.encode(PKCS1);
        let fp = fingerprint(PKCS1);
        let good = format!(
            r#"{{"PublicKeyList":[{{"Value":"{b64}","ValidityStartTime":"2026-01-01T00:00:00Z","ValidityEndTime":1767225600,"Fingerprint":"{fp}"}}]}}"#
        );
        let ring = KeyRing::from_list_public_keys_json(good.as_bytes()).expect("valid key list");
        assert_eq!(ring.fingerprints().collect::<Vec<_>>(), vec![fp.as_str()]);
        assert_eq!(
            ring.get(&fp).and_then(|k| k.validity_end.as_deref()),
            Some("1767225600")
        );
        let bad = good.replace(&fp, "00000000000000000000000000000000");
        assert!(matches!(
            KeyRing::from_list_public_keys_json(bad.as_bytes()),
            Err(KeyError::FingerprintMismatch { .. })
        ));
    }

    #[test]
    fn signed_string_uses_literal_null() {
        assert_eq!(
            signed_string("2026-01-05T10:01:31Z", "b", "AWSLogs/k.json.gz", "ab", None),
            "2026-01-05T10:01:31Z\nb/AWSLogs/k.json.gz\nab\nnull"
        );
    }
}
