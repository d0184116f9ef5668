//! RSA keys (`kty: "RSA"`, RFC 7518 §6.3).

use super::members::{Members, put_b64};
use super::{KeyError, KeyPolicy};
use crate::SecretBytes;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::{BoxedUint, RsaPrivateKey, RsaPublicKey};
use serde_json::{Map, Value};

/// An RSA public key, with its private key when this is a private JWK.
#[derive(Clone)]
pub struct RsaKey {
    public: RsaPublicKey,
    private: Option<Box<RsaPrivateKey>>,
}

impl core::fmt::Debug for RsaKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RsaKey")
            .field("bits", &self.bits())
            .field("private", &self.private.is_some())
            .finish()
    }
}

impl PartialEq for RsaKey {
    /// Compares the public parts (private parts follow from them).
    fn eq(&self, other: &Self) -> bool {
        self.public == other.public && self.private.is_some() == other.private.is_some()
    }
}

impl Eq for RsaKey {}

impl RsaKey {
    /// The public key.
    #[must_use]
    pub fn public_key(&self) -> &RsaPublicKey {
        &self.public
    }

    /// The private key, when present.
    #[must_use]
    pub fn private_key(&self) -> Option<&RsaPrivateKey> {
        self.private.as_deref()
    }

    /// Modulus size in bits.
    #[must_use]
    pub fn bits(&self) -> usize {
        self.public.n().bits_vartime() as usize
    }

    /// Modulus size in bytes (the length of every signature and ciphertext).
    #[must_use]
    pub fn size(&self) -> usize {
        self.public.size()
    }

    /// Wraps a private key after checking it against `policy`.
    ///
    /// # Errors
    /// [`KeyError`] when the modulus size, exponent or ROCA check fails.
    pub fn from_private(key: RsaPrivateKey, policy: &KeyPolicy) -> Result<Self, KeyError> {
        check_public(key.as_public_key(), policy)?;
        Ok(Self {
            public: key.to_public_key(),
            private: Some(Box::new(key)),
        })
    }

    /// Wraps a public key after checking it against `policy`.
    ///
    /// # Errors
    /// [`KeyError`] when the modulus size, exponent or ROCA check fails.
    pub fn from_public(key: RsaPublicKey, policy: &KeyPolicy) -> Result<Self, KeyError> {
        check_public(&key, policy)?;
        Ok(Self {
            public: key,
            private: None,
        })
    }

    pub(crate) fn to_public(&self) -> Self {
        Self {
            public: self.public.clone(),
            private: None,
        }
    }

    pub(crate) fn is_private(&self) -> bool {
        self.private.is_some()
    }

    /// A new key pair with a modulus of `bits` bits and exponent 65537.
    ///
    /// # Errors
    /// [`KeyError`] when `bits` is outside the policy or the RNG fails.
    pub fn generate(bits: usize, policy: &KeyPolicy) -> Result<Self, KeyError> {
        check_size(bits, policy)?;
        let mut rng = crate::rand::system_rng()?;
        let key = RsaPrivateKey::new(&mut rng, bits)
            .map_err(|_| KeyError::CannotGenerate(format!("RSA-{bits}")))?;
        Self::from_private(key, policy)
    }

    pub(crate) fn read(members: &mut Members, policy: &KeyPolicy) -> Result<Self, KeyError> {
        let n = members.require_b64("n")?;
        let e = members.require_b64("e")?;
        let n = BoxedUint::from_be_slice_vartime(minimal_uint(&n));
        let e = BoxedUint::from_be_slice_vartime(minimal_uint(&e));
        let public = public_from_parts(n.clone(), e.clone(), policy)?;

        let d = members.take_secret("d")?;
        let p = members.take_secret("p")?;
        let q = members.take_secret("q")?;
        let dp = members.take_secret("dp")?;
        let dq = members.take_secret("dq")?;
        let qi = members.take_secret("qi")?;
        if members.0.contains_key("oth") {
            return Err(KeyError::RsaMultiPrime);
        }
        let crt_count = [&p, &q, &dp, &dq, &qi]
            .iter()
            .filter(|v| v.is_some())
            .count();
        let Some(d) = d else {
            if crt_count > 0 {
                return Err(KeyError::RsaInconsistent(
                    "private key members are present without \"d\"",
                ));
            }
            return Ok(Self {
                public,
                private: None,
            });
        };
        let uint = |s: &SecretBytes| BoxedUint::from_be_slice_vartime(minimal_uint(s.expose()));
        let private = match (p, q, dp, dq, qi) {
            (Some(p), Some(q), Some(dp), Some(dq), Some(qi)) => {
                let key = RsaPrivateKey::from_components(n, e, uint(&d), vec![uint(&p), uint(&q)])
                    .map_err(|_| KeyError::RsaInconsistent("p·q ≠ n or d does not invert e"))?;
                // The CRT values the key computed must equal the ones the JWK states.
                let stated = [(&dp, key.dp()), (&dq, key.dq())];
                for (given, computed) in stated {
                    let computed =
                        computed.ok_or(KeyError::RsaInconsistent("missing CRT values"))?;
                    if !same_uint(given.expose(), computed) {
                        return Err(KeyError::RsaInconsistent(
                            "dp or dq does not match d, p and q",
                        ));
                    }
                }
                let qinv = key
                    .crt_coefficient()
                    .ok_or(KeyError::RsaInconsistent("missing CRT coefficient"))?;
                if !same_uint(qi.expose(), &qinv) {
                    return Err(KeyError::RsaInconsistent("qi does not match p and q"));
                }
                key
            }
            (None, None, None, None, None) => {
                // RFC 7518 §6.3.2: the CRT members may be omitted; recover p and q from d.
                RsaPrivateKey::from_components(n, e, uint(&d), Vec::new())
                    .map_err(|_| KeyError::RsaInconsistent("d does not belong to n and e"))?
            }
            _ => {
                return Err(KeyError::RsaInconsistent(
                    "p, q, dp, dq and qi must be present together",
                ));
            }
        };
        Ok(Self {
            public,
            private: Some(Box::new(private)),
        })
    }

    pub(crate) fn write(&self, out: &mut Map<String, Value>, include_private: bool) {
        put_b64(out, "n", minimal_uint(&self.public.n_bytes()));
        put_b64(out, "e", minimal_uint(&self.public.e_bytes()));
        let Some(private) = self.private.as_deref().filter(|_| include_private) else {
            return;
        };
        let put = |out: &mut Map<String, Value>, member: &str, v: &BoxedUint| {
            let bytes = zeroize::Zeroizing::new(v.to_be_bytes_trimmed_vartime());
            put_b64(out, member, minimal_uint(&bytes));
        };
        put(out, "d", private.d());
        if let [p, q] = private.primes() {
            put(out, "p", p.as_ref());
            put(out, "q", q.as_ref());
        }
        if let Some(dp) = private.dp() {
            put(out, "dp", dp);
        }
        if let Some(dq) = private.dq() {
            put(out, "dq", dq);
        }
        if let Some(qi) = private.crt_coefficient() {
            put(out, "qi", &qi);
        }
    }

    /// The (`e`, `n`) members, base64url, for RFC 7638 thumbprints.
    pub(crate) fn thumbprint_members(&self) -> [(&'static str, String); 2] {
        [
            (
                "e",
                crate::b64::encode(minimal_uint(&self.public.e_bytes())),
            ),
            (
                "n",
                crate::b64::encode(minimal_uint(&self.public.n_bytes())),
            ),
        ]
    }
}

/// Strips leading zero bytes (Base64urlUInt, RFC 7518 §2: minimal octets, zero as one octet).
fn minimal_uint(bytes: &[u8]) -> &[u8] {
    let first = bytes
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(bytes.len().saturating_sub(1));
    &bytes[first.min(bytes.len())..]
}

fn same_uint(given: &[u8], computed: &BoxedUint) -> bool {
    let computed = zeroize::Zeroizing::new(computed.to_be_bytes_trimmed_vartime());
    crate::secret::constant_time_eq(minimal_uint(given), minimal_uint(&computed))
}

fn public_from_parts(
    n: BoxedUint,
    e: BoxedUint,
    policy: &KeyPolicy,
) -> Result<RsaPublicKey, KeyError> {
    check_size(n.bits_vartime() as usize, policy)?;
    check_exponent(&e)?;
    let key = RsaPublicKey::new_with_size_limits(n, e, policy.min_rsa_bits..=policy.max_rsa_bits)
        .map_err(|_| KeyError::RsaInvalidModulus)?;
    check_public(&key, policy)?;
    Ok(key)
}

fn check_exponent(e: &BoxedUint) -> Result<(), KeyError> {
    let bytes = e.to_be_bytes_trimmed_vartime();
    let bytes = minimal_uint(&bytes);
    // Odd, at least 3, at most 2^33 - 1 (the bound the `rsa` crate accepts).
    let odd = bytes.last().is_some_and(|b| b & 1 == 1);
    let small = bytes.len() <= 5 && {
        let mut v: u64 = 0;
        for &b in bytes {
            v = (v << 8) | u64::from(b);
        }
        (3..(1u64 << 33)).contains(&v)
    };
    if odd && small {
        Ok(())
    } else {
        Err(KeyError::RsaInvalidExponent)
    }
}

/// Checks a modulus size against the policy's bounds.
fn check_size(bits: usize, policy: &KeyPolicy) -> Result<(), KeyError> {
    if bits < policy.min_rsa_bits {
        return Err(KeyError::RsaKeyTooSmall {
            bits,
            min: policy.min_rsa_bits,
        });
    }
    if bits > policy.max_rsa_bits {
        return Err(KeyError::RsaKeyTooLarge {
            bits,
            max: policy.max_rsa_bits,
        });
    }
    Ok(())
}

fn check_public(key: &RsaPublicKey, policy: &KeyPolicy) -> Result<(), KeyError> {
    check_size(key.n().bits_vartime() as usize, policy)?;
    check_exponent(key.e())?;
    if policy.reject_roca && has_roca_fingerprint(&key.n_bytes()) {
        return Err(KeyError::RsaRocaVulnerable);
    }
    Ok(())
}

/// The ROCA test of Nemec et al. (CCS 2017): moduli from the vulnerable Infineon generator are
/// congruent, modulo each of these small primes, to a power of 65537. A random modulus passes
/// all 38 tests with negligible probability.
fn has_roca_fingerprint(n: &[u8]) -> bool {
    const PRIMES: [u32; 38] = [
        3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89,
        97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
    ];
    PRIMES.iter().all(|&p| {
        let residue = n.iter().fold(0u32, |r, &b| (r * 256 + u32::from(b)) % p);
        let generator = 65537 % p;
        let mut power = 1u32;
        loop {
            if power == residue {
                return true;
            }
            power = power * generator % p;
            if power == 1 {
                return false;
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponent_rules() {
        let e = |v: u64| BoxedUint::from_be_slice_vartime(&v.to_be_bytes());
        assert!(check_exponent(&e(65537)).is_ok());
        assert!(check_exponent(&e(3)).is_ok());
        assert_eq!(check_exponent(&e(1)), Err(KeyError::RsaInvalidExponent));
        assert_eq!(check_exponent(&e(65536)), Err(KeyError::RsaInvalidExponent));
        assert_eq!(
            check_exponent(&e(1 << 40 | 1)),
            Err(KeyError::RsaInvalidExponent)
        );
    }

    #[test]
    fn roca_test_does_not_flag_ordinary_moduli() {
        // The RFC 7515 A.2 modulus, from a sound generator.
        let n = crate::b64::decode(
            "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ",
        )
        .unwrap();
        assert!(!has_roca_fingerprint(&n));
    }
}
