//! The invalid DPoP vectors, as a table: each row of [`NEGATIVES`] is one proof that a check
//! of RFC 9449 Section 4.3 refuses, with the request and policy it is checked against. Most
//! are valid proofs presented with the wrong request or at the wrong time; the header
//! problems are proofs made by hand. The order of the rows is the order of the vectors in
//! `dpop.json`.

use super::{ACCESS_TOKEN, NONCE, NOW, RESOURCE_URI, TOKEN_URI, dpop_key, policy, proof, request};
use crate::format::{DpopPolicy, DpopRequest, DpopVector};
use crate::jws::JwsKeys;
use crate::keys;
use crate::util::{self, b64s, generated, invalid};
use dpop::DpopKey;
use jose_core::alg::JwsAlgorithm as A;
use jose_core::b64;
use jws::{Signer, SigningKey};
use serde_json::{Value, json};

/// What the rows start from: the proof key, two valid proofs, and what hand-made proofs need.
struct Fixtures<'k> {
    keys: &'k JwsKeys,
    key: DpopKey,
    /// A proof for `POST` to the token endpoint, issued at [`NOW`].
    good: String,
    /// A proof for `GET` of the resource with the access token's `ath`.
    resource: String,
    /// The ES256 key without `kid`, signing hand-made proofs.
    es: SigningKey,
    /// Its public JWK without `kid`.
    public: Value,
}

impl<'k> Fixtures<'k> {
    fn new(keys: &'k JwsKeys) -> Result<Self, String> {
        let key = dpop_key(keys, A::ES256, "dpop/negative")?;
        let good = proof(&key, "POST", TOKEN_URI, "jti-negative", NOW, None, None)?;
        let resource = proof(
            &key,
            "GET",
            RESOURCE_URI,
            "jti-negative-rs",
            NOW,
            Some(ACCESS_TOKEN),
            None,
        )?;
        let es = SigningKey::new(keys.for_alg(A::ES256).clone().without_kid(), A::ES256)
            .map_err(|e| e.to_string())?;
        let mut public = keys::public_value(keys.for_alg(A::ES256))?;
        if let Some(m) = public.as_object_mut() {
            m.remove("kid");
        }
        Ok(Self {
            keys,
            key,
            good,
            resource,
            es,
            public,
        })
    }

    /// A hand-made proof for `POST` to the token endpoint, with this header text.
    fn hand_made(&self, signer: &dyn Signer, header: &str) -> Result<String, String> {
        raw(
            signer,
            header,
            &json!({ "jti": "jti-raw", "htm": "POST", "htu": TOKEN_URI, "iat": NOW }),
        )
    }

    /// The usual header with this `typ` and `jwk`.
    fn header(typ: &str, jwk: &Value) -> String {
        format!(r#"{{"typ":"{typ}","alg":"ES256","jwk":{jwk}}}"#)
    }
}

/// A proof and what it is checked against.
type Made = (String, DpopRequest, DpopPolicy);

/// `proof`, presented with `POST` to the token endpoint at [`NOW`].
fn at_token_endpoint(proof: String) -> Made {
    (proof, request("POST", TOKEN_URI), policy(NOW))
}

/// A `GET` of the resource with this access token.
fn with_token(token: &str) -> DpopRequest {
    let mut r = request("GET", RESOURCE_URI);
    r.access_token = Some(token.to_owned());
    r
}

/// A token-endpoint request where the server requires its nonce.
fn with_nonce() -> DpopRequest {
    let mut r = request("POST", TOKEN_URI);
    r.nonce = Some(NONCE.into());
    r
}

/// One invalid vector: its reason, and how it is made.
struct Mutation {
    /// The id, below `dpop/negative/`.
    id: &'static str,
    description: &'static str,
    code: &'static str,
    /// The claim a claim check is about.
    claim: Option<&'static str>,
    explanation: &'static str,
    make: fn(&Fixtures) -> Result<Made, String>,
}

impl Mutation {
    fn vector(&self, f: &Fixtures) -> Result<DpopVector, String> {
        let (proof, request, policy) = (self.make)(f).map_err(|e| format!("{}: {e}", self.id))?;
        let id = format!("dpop/negative/{}", self.id);
        let mut common = invalid(
            id.clone(),
            self.description,
            generated("jose-rs DPoP vector", &id),
            self.code,
            self.explanation,
            Some("RFC 9449, Section 4.3"),
        );
        if let Some(r) = common.reason.as_mut() {
            r.claim = self.claim.map(str::to_owned);
        }
        Ok(DpopVector {
            common,
            proof,
            request,
            policy,
            jkt: None,
        })
    }
}

/// Every invalid DPoP vector, in file order.
pub(super) fn negatives(keys: &JwsKeys) -> Result<Vec<DpopVector>, String> {
    let f = Fixtures::new(keys)?;
    NEGATIVES.iter().map(|m| m.vector(&f)).collect()
}

/// The rows: one invalid vector each, in file order.
const NEGATIVES: &[Mutation] = &[
    // A valid proof, presented with the wrong request or at the wrong time.
    Mutation {
        id: "htm-mismatch",
        description: "a proof for POST presented with a GET",
        code: "htm-mismatch",
        claim: None,
        explanation: "the proof is bound to the request method",
        make: |f| Ok((f.good.clone(), request("GET", TOKEN_URI), policy(NOW))),
    },
    Mutation {
        id: "htu-mismatch",
        description: "a proof for the token endpoint presented to another URI",
        code: "htu-mismatch",
        claim: None,
        explanation: "the proof is bound to the request URI",
        make: |f| {
            let other = request("POST", "https://server.example.com/other");
            Ok((f.good.clone(), other, policy(NOW)))
        },
    },
    Mutation {
        id: "too-old",
        description: "checked 301 s after iat; the verifier accepts 300 s",
        code: "too-old",
        claim: None,
        explanation: "proofs are short-lived; old ones may be replays",
        make: |f| {
            Ok((
                f.good.clone(),
                request("POST", TOKEN_URI),
                policy(NOW + 301),
            ))
        },
    },
    Mutation {
        id: "issued-in-future",
        description: "checked 6 s before iat; the leeway is 5 s",
        code: "issued-in-future",
        claim: None,
        explanation: "a proof from the future comes from a wrong clock or is precomputed",
        make: |f| Ok((f.good.clone(), request("POST", TOKEN_URI), policy(NOW - 6))),
    },
    Mutation {
        id: "nonce-missing",
        description: "the server requires its nonce; the proof has none",
        code: "nonce-mismatch",
        claim: None,
        explanation: "a server-provided nonce limits the lifetime of proofs",
        make: |f| Ok((f.good.clone(), with_nonce(), policy(NOW))),
    },
    Mutation {
        id: "nonce-mismatch",
        description: "the proof carries another nonce than the server's",
        code: "nonce-mismatch",
        claim: None,
        explanation: "the nonce must be the server's current one",
        make: |f| {
            let jti = "jti-negative-nonce";
            let p = proof(
                &f.key,
                "POST",
                TOKEN_URI,
                jti,
                NOW,
                None,
                Some("another-nonce"),
            )?;
            Ok((p, with_nonce(), policy(NOW)))
        },
    },
    Mutation {
        id: "ath-missing",
        description: "a proof without ath presented with an access token",
        code: "ath-mismatch",
        claim: None,
        explanation: "a proof presented with an access token must carry its hash",
        make: |f| {
            let p = proof(
                &f.key,
                "GET",
                RESOURCE_URI,
                "jti-negative-noath",
                NOW,
                None,
                None,
            )?;
            Ok((p, with_token(ACCESS_TOKEN), policy(NOW)))
        },
    },
    Mutation {
        id: "ath-mismatch",
        description: "a proof whose ath is the hash of another access token",
        code: "ath-mismatch",
        claim: None,
        explanation: "ath binds the proof to one access token",
        make: |f| {
            Ok((
                f.resource.clone(),
                with_token("another-access-token"),
                policy(NOW),
            ))
        },
    },
    Mutation {
        id: "jkt-mismatch",
        description: "the access token is bound (cnf.jkt) to another key",
        code: "jkt-mismatch",
        claim: None,
        explanation: "the proof key must be the key the token is bound to",
        make: |f| {
            let mut r = with_token(ACCESS_TOKEN);
            r.token_jkt = Some(jwk_thumbprint::thumbprint_b64(
                f.keys.for_alg(A::ES384),
                jwk_thumbprint::ThumbprintHash::Sha256,
            ));
            Ok((f.resource.clone(), r, policy(NOW)))
        },
    },
    Mutation {
        id: "bad-signature",
        description: "the proof with one bit of its signature flipped",
        code: "bad-signature",
        claim: None,
        explanation: "the proof must be signed by the key in its jwk header",
        make: |f| Ok(at_token_endpoint(flip_signature(&f.good)?)),
    },
    // Header problems, made by hand.
    Mutation {
        id: "typ-mismatch",
        description: "typ JWT instead of dpop+jwt",
        code: "typ-mismatch",
        claim: None,
        explanation: "explicit typing keeps other JWTs from being used as proofs",
        make: |f| {
            let header = Fixtures::header("JWT", &f.public);
            Ok(at_token_endpoint(f.hand_made(&f.es, &header)?))
        },
    },
    Mutation {
        id: "private-key-embedded",
        description: "the jwk header holds the private key",
        code: "private-key-embedded",
        claim: None,
        explanation: "the jwk header must be a public key",
        make: |f| {
            let mut private = keys::value(f.keys.for_alg(A::ES256));
            if let Some(m) = private.as_object_mut() {
                m.remove("kid");
            }
            let header = Fixtures::header("dpop+jwt", &private);
            Ok(at_token_endpoint(f.hand_made(&f.es, &header)?))
        },
    },
    Mutation {
        id: "no-jwk",
        description: "no jwk header",
        code: "no-matching-key",
        claim: None,
        explanation: "the proof must carry its public key",
        make: |f| {
            let header = r#"{"typ":"dpop+jwt","alg":"ES256"}"#;
            Ok(at_token_endpoint(f.hand_made(&f.es, header)?))
        },
    },
    Mutation {
        id: "symmetric-algorithm",
        description: "alg HS256 with the EC public key in jwk (a MAC keyed with anything the attacker likes)",
        code: "alg-not-allowed",
        claim: None,
        explanation: "DPoP proofs use asymmetric algorithms only",
        make: |f| {
            let hs = SigningKey::new(f.keys.for_alg(A::HS256).clone(), A::HS256)
                .map_err(|e| e.to_string())?;
            let header = format!(r#"{{"typ":"dpop+jwt","alg":"HS256","jwk":{}}}"#, f.public);
            Ok(at_token_endpoint(f.hand_made(&hs, &header)?))
        },
    },
    Mutation {
        id: "alg-none",
        description: "alg none",
        code: "alg-none",
        claim: None,
        explanation: "an unsigned proof proves nothing",
        make: |f| {
            let header = format!(r#"{{"typ":"dpop+jwt","alg":"none","jwk":{}}}"#, f.public);
            let claims = json!({ "jti": "jti-raw", "htm": "POST", "htu": TOKEN_URI, "iat": NOW });
            let token = format!("{}.{}.", b64s(&header), b64s(&claims.to_string()));
            Ok(at_token_endpoint(token))
        },
    },
    Mutation {
        id: "missing-jti",
        description: "no jti claim",
        code: "missing-claim",
        claim: Some("jti"),
        explanation: "jti lets the server detect replays",
        make: |f| {
            let header = Fixtures::header("dpop+jwt", &f.public);
            let no_jti = json!({ "htm": "POST", "htu": TOKEN_URI, "iat": NOW });
            Ok(at_token_endpoint(raw(&f.es, &header, &no_jti)?))
        },
    },
];

/// A proof with arbitrary header and claims text, signed by `signer`.
fn raw(signer: &dyn Signer, header: &str, claims: &Value) -> Result<String, String> {
    let input = format!("{}.{}", b64s(header), b64s(&claims.to_string()));
    let sig = signer.sign(input.as_bytes()).map_err(|e| e.to_string())?;
    Ok(format!("{input}.{}", b64::encode(sig)))
}

/// The proof with one bit of its signature flipped.
fn flip_signature(token: &str) -> Result<String, String> {
    let (input, sig) = token.rsplit_once('.').ok_or("token")?;
    let mut bytes = util::unb64(sig)?;
    if let Some(b) = bytes.get_mut(5) {
        *b ^= 1;
    }
    Ok(format!("{input}.{}", b64::encode(bytes)))
}
