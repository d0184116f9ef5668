//! The generator of `vectors/generated/oidc2.json`: PoP tokens, ICTs and E2E PoP tokens
//! (draft-openid-oidc2) for every algorithm, the pair cross-checks, and each check failing.
//!
//! The file is written by e2e-pop's test `generated_vectors` (`JOSE_REGENERATE_VECTORS=1`),
//! which calls [`file()`]; its `generated_by` member says so. Keys: the draft's client and OP
//! keys (Fig. 3 and 9), others derived from SHA-256/SHA-512 of a label, and the OP's RSA key
//! from `crates/e2e-pop/tests/fixtures`. RSASSA-PSS tokens are randomised (the draft's
//! library signs them with fresh salt), so a regenerated file differs in those signatures
//! only: [`differences`] compares with them masked.
//!
//! Every value here is fixed test data built by this module: a failure is a bug of the
//! generator, reported by the test that runs it, hence the panics.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::handmade::{claims_of, header_of, unsigned, with, without};
use e2e_pop::{E2ePopTokenBuilder, IctBuilder, NumericDate, PopTokenBuilder};
use jose_core::alg::JwsAlgorithm;
use jose_core::backend::Backend;
use jose_core::jwk::{EcKey, Ed25519Key, Jwk, KeyMaterial};
use jws::SigningKey;
use serde_json::{Value, json};
use sha2::{Digest, Sha256, Sha512};
use std::time::Duration;

const RSA_KEY: &str = include_str!("../../../e2e-pop/tests/fixtures/op-rsa-2048.json");
const SEED: &str = "keys of draft-openid-oidc2 Fig. 3 and 9; others SHA-256/SHA-512 of their labels; RSA from crates/e2e-pop/tests/fixtures";
const T0: i64 = 1_800_000_000;
const OP: &str = "https://op.example.com";
const CLIENT: &str = "exampleclient";
const SUB: &str = "1234567890";
const AP: &str = "7VvkHN1cZnXN3EFhwvy1SX3SUqY";

// --- Keys -----------------------------------------------------------------------------------

fn draft_client() -> Jwk {
    Jwk::from_json(r#"{"kty":"EC","crv":"P-384","d":"LkQGZ-AZU1ARLfM-swdW-hzuvMOkoWtm3V5Eup4r44FLheChlx1PIyScwMIvkHPd","x":"-8Ln5J2jiG9R6YpopZzk-CcGoDXjtdvd16qBTwA4FKrtWBrlhgw7fyh0mGvxhclV","y":"QkE_Ij2H6nCoO9WGqAtATEN3on_BilyNcl5uH3Zk_OFa4qzudCmiWS10TIGVuS5P"}"#).unwrap()
}

fn draft_op() -> Jwk {
    Jwk::from_json(r#"{"kty":"EC","crv":"P-384","d":"MfbEM7MkDcnXJiqoy87CQmKv39vfUVJeHqkWFs-JPJXlVxnL3WvzalNl73wvuy2D","x":"rTM4gnV_1uUMcmLEWVffSzXRN25etn42j54a5_Gyw_wJXckrdsUQMnMgpenOUySX","y":"gkC9pdQqEhW6xGrwcDVNZaaYPaPFo9J0FGt8RCEyydbHjdSw_CKZRNBiVgjVKzmm"}"#).unwrap()
}

fn p256(label: &str) -> Jwk {
    let secret = p256::SecretKey::from_slice(&Sha256::digest(label.as_bytes())).unwrap();
    Jwk::new(KeyMaterial::Ec(EcKey::P256 {
        public: secret.public_key(),
        secret: Some(secret),
    }))
}

fn p521(label: &str) -> Jwk {
    let mut bytes = vec![0u8; 2];
    bytes.extend_from_slice(&Sha512::digest(label.as_bytes()));
    let secret = jose_core::p521::SecretKey::from_slice(&bytes).unwrap();
    Jwk::new(KeyMaterial::Ec(EcKey::P521 {
        public: secret.public_key(),
        secret: Some(secret),
    }))
}

fn ed25519(label: &str) -> Jwk {
    let seed: [u8; 32] = Sha256::digest(label.as_bytes()).into();
    Jwk::new(KeyMaterial::Ed25519(Ed25519Key::from_signing_key(
        jose_core::ed25519_dalek::SigningKey::from_bytes(&seed),
    )))
}

/// Every generator key computes with RustCrypto, whatever backend feature unification turns
/// on: the file must come out byte for byte the same, and aws-lc-rs draws fresh ECDSA nonces
/// where RustCrypto follows RFC 6979.
fn signer(key: Jwk, alg: JwsAlgorithm) -> SigningKey {
    SigningKey::new(key.with_backend(Backend::RustCrypto), alg).unwrap()
}

/// The OP key for an algorithm, with its kid.
fn op_key(alg: JwsAlgorithm) -> SigningKey {
    let (key, kid) = match alg {
        JwsAlgorithm::ES256 => (p256("oidc2 op p256"), "op-es256"),
        JwsAlgorithm::ES384 => (draft_op(), "op-es384"),
        JwsAlgorithm::ES512 => (p521("oidc2 op p521"), "op-es512"),
        JwsAlgorithm::EdDSA => (ed25519("oidc2 op ed25519"), "op-eddsa"),
        _ => (Jwk::from_json(RSA_KEY.trim()).unwrap(), "op-rsa"),
    };
    signer(key.with_kid(kid), alg)
}

fn client() -> SigningKey {
    signer(draft_client(), JwsAlgorithm::ES384)
}

fn public(key: &SigningKey) -> Jwk {
    key.public_jwk().unwrap()
}

fn jwk_json(key: &Jwk) -> Value {
    Value::Object(key.to_json_value())
}

const ALL: [&str; 10] = [
    "ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA",
];

// --- Tokens ---------------------------------------------------------------------------------

fn at(t: i64) -> NumericDate {
    NumericDate::from_seconds(t)
}

fn pop_builder() -> PopTokenBuilder {
    PopTokenBuilder::new()
        .issuer(CLIENT)
        .subject(SUB)
        .audience(OP)
        .required_claims(["name"])
        .optional_claims(["email"])
        .with_audience(true)
        .jti("pop-jti-1")
        .issued_at(at(T0))
        .not_before_now()
}

fn ict_builder(cnf: &Jwk, jti: &str) -> IctBuilder {
    IctBuilder::new()
        .issuer(OP)
        .subject(SUB)
        .audience(CLIENT)
        .confirmation(cnf)
        .unwrap()
        .contexts(["email"])
        .claim("name", "John Smith")
        .unwrap()
        .claim("email", "john.smith@mail.example.com")
        .unwrap()
        .jti(jti)
        .issued_at(at(T0))
        .not_before_now()
}

fn e2e_builder() -> E2ePopTokenBuilder {
    E2ePopTokenBuilder::new()
        .issuer(CLIENT)
        .subject(SUB)
        .audience(AP)
        .jti("e2e-jti-1")
        .issued_at(at(T0))
        .not_before_now()
}

fn good_ict() -> String {
    ict_builder(&public(&client()), "ict-jti-1")
        .build(&op_key(JwsAlgorithm::ES384))
        .unwrap()
}

fn good_e2e() -> String {
    e2e_builder().build(&client()).unwrap()
}

/// A token with exactly this header and these claims, signed by `key`.
fn raw(header: &Value, claims: &Value, key: &SigningKey) -> String {
    jws::compact::CompactSign::new(claims.to_string().as_bytes())
        .protected_json(header.to_string())
        .sign(key)
        .unwrap()
}

// --- Vectors --------------------------------------------------------------------------------

/// What a vector expects.
enum Expect {
    Valid,
    Invalid {
        code: &'static str,
        claim: Option<&'static str>,
        explanation: &'static str,
    },
}

struct Case {
    id: String,
    description: String,
    token_type: &'static str,
    token: String,
    key: Option<Jwk>,
    ict: Option<(String, Jwk)>,
    policy: Value,
    expect: Expect,
}

fn policy(audience: &str, issuer: Option<&str>, contexts: Option<&[&str]>) -> Value {
    let mut p = json!({
        "algorithms": ALL,
        "now": T0 + 10,
        "leeway_seconds": 0,
        "audience": audience,
        "subject": SUB,
    });
    if let Some(i) = issuer {
        p["issuer"] = json!(i);
    }
    if let Some(c) = contexts {
        p["contexts"] = json!(c);
    }
    p
}

fn pop_policy() -> Value {
    policy(OP, Some(CLIENT), None)
}

fn ict_policy() -> Value {
    policy(CLIENT, Some(OP), Some(&["email"]))
}

fn pair_policy() -> Value {
    policy(AP, Some(CLIENT), Some(&["email"]))
}

fn case(
    id: &str,
    description: &str,
    token_type: &'static str,
    token: String,
    policy: Value,
    expect: Expect,
) -> Case {
    Case {
        id: format!("oidc2/{id}"),
        description: description.to_owned(),
        token_type,
        token,
        key: None,
        ict: None,
        policy,
        expect,
    }
}

fn pop(id: &str, description: &str, token: String, expect: Expect) -> Case {
    case(
        &format!("pop/{id}"),
        description,
        "pop",
        token,
        pop_policy(),
        expect,
    )
}

fn ict(id: &str, description: &str, token: String, key: Jwk, expect: Expect) -> Case {
    Case {
        key: Some(key),
        ..case(
            &format!("ict/{id}"),
            description,
            "ict",
            token,
            ict_policy(),
            expect,
        )
    }
}

fn pair(id: &str, description: &str, ict_token: String, e2e: String, expect: Expect) -> Case {
    Case {
        ict: Some((ict_token, public(&op_key(JwsAlgorithm::ES384)))),
        ..case(
            &format!("pair/{id}"),
            description,
            "e2e-pop",
            e2e,
            pair_policy(),
            expect,
        )
    }
}

fn e2e(id: &str, description: &str, token: String, expect: Expect) -> Case {
    Case {
        key: Some(public(&client())),
        ..case(
            &format!("e2e-pop/{id}"),
            description,
            "e2e-pop",
            token,
            pair_policy(),
            expect,
        )
    }
}

/// Every vector, in file order: the valid ones, then the table of refusals.
fn cases() -> Vec<Case> {
    let f = Fixtures::new();
    let mut out = Vec::new();
    let op384 = public(&op_key(JwsAlgorithm::ES384));

    // --- Valid ------------------------------------------------------------------------------
    out.push(pop(
        "es384",
        "a PoP token with the request claims in snake case, signed by the client key it carries",
        pop_builder().build(&client()).unwrap(),
        Expect::Valid,
    ));
    let ed = signer(ed25519("oidc2 client ed25519"), JwsAlgorithm::EdDSA);
    out.push(pop(
        "eddsa",
        "a PoP token signed with an Ed25519 client key (EdDSA: beyond the reference library's nine)",
        pop_builder().build(&ed).unwrap(),
        Expect::Valid,
    ));
    let c256 = signer(p256("oidc2 client p256"), JwsAlgorithm::ES256);
    out.push(pop(
        "es256-no-request-claims",
        "a minimal PoP token (ES256): no request claims, no nbf",
        PopTokenBuilder::new()
            .issuer(CLIENT)
            .subject(SUB)
            .audience(OP)
            .jti("pop-jti-2")
            .issued_at(at(T0))
            .build(&c256)
            .unwrap(),
        Expect::Valid,
    ));
    for name in ALL {
        let alg: JwsAlgorithm = name.parse().unwrap();
        let key = op_key(alg);
        out.push(ict(
            &name.to_ascii_lowercase(),
            &format!("an ICT signed by the OP with {name}, found by kid"),
            ict_builder(&public(&client()), &format!("ict-{name}"))
                .build(&key)
                .unwrap(),
            public(&key),
            Expect::Valid,
        ));
    }
    let string_ctx = with(claims_of(&good_ict()), "ctx", json!("email"));
    out.push(ict(
        "ctx-string",
        "an ICT whose ctx is a single string (the reference library accepts it)",
        raw(
            &header_of(&good_ict()),
            &string_ctx,
            &op_key(JwsAlgorithm::ES384),
        ),
        op384.clone(),
        Expect::Valid,
    ));
    out.push(pair(
        "es384",
        "an ICT and an E2E PoP token: jkt = thumbprint of cnf.jwk, sub = ICT sub, iss = ICT aud",
        good_ict(),
        good_e2e(),
        Expect::Valid,
    ));
    out.push(pair(
        "eddsa-client",
        "a pair whose client key is Ed25519",
        ict_builder(&public(&ed), "ict-jti-ed")
            .build(&op_key(JwsAlgorithm::ES384))
            .unwrap(),
        e2e_builder().build(&ed).unwrap(),
        Expect::Valid,
    ));
    out.push(pair(
        "aud-array",
        "an E2E PoP token whose aud is an array: any value may match",
        good_ict(),
        e2e_builder()
            .audiences([AP, "bob"])
            .build(&client())
            .unwrap(),
        Expect::Valid,
    ));
    out.push(e2e(
        "with-key",
        "an E2E PoP token verified with the client key directly",
        good_e2e(),
        Expect::Valid,
    ));
    let mut compat = pair(
        "typ-variants",
        "typ matched case-insensitively with the application/ prefix optional",
        raw(
            &with(header_of(&good_ict()), "typ", json!("JWT+ICT")),
            &claims_of(&good_ict()),
            &op_key(JwsAlgorithm::ES384),
        ),
        raw(
            &with(
                header_of(&good_e2e()),
                "typ",
                json!("application/jwt+e2epop"),
            ),
            &claims_of(&good_e2e()),
            &client(),
        ),
        Expect::Valid,
    );
    compat.policy["algorithms"] = json!(&ALL[..9]);
    out.push(compat);

    out.extend(REFUSED.iter().map(|r| r.case(&f)));
    out
}

/// What the invalid vectors are made from: the valid E2E PoP token and ICT taken apart, the
/// OP's ES384 key, and the other client keys.
struct Fixtures {
    e2e_header: Value,
    e2e_claims: Value,
    ict_header: Value,
    ict_claims: Value,
    /// The OP's ES384 signing key, and its public JWK (the ICT vectors' key).
    op: SigningKey,
    op384: Jwk,
    /// The claims of the valid PoP token.
    pop_claims: Value,
    /// The Ed25519 and P-256 client keys.
    ed: SigningKey,
    c256: SigningKey,
}

impl Fixtures {
    fn new() -> Self {
        let op = op_key(JwsAlgorithm::ES384);
        Self {
            e2e_header: header_of(&good_e2e()),
            e2e_claims: claims_of(&good_e2e()),
            ict_header: header_of(&good_ict()),
            ict_claims: claims_of(&good_ict()),
            op384: public(&op),
            op,
            pop_claims: claims_of(&pop_builder().build(&client()).unwrap()),
            ed: signer(ed25519("oidc2 client ed25519"), JwsAlgorithm::EdDSA),
            c256: signer(p256("oidc2 client p256"), JwsAlgorithm::ES256),
        }
    }

    /// The E2E PoP token with this header, signed by the client.
    fn e2e_header(&self, header: Value) -> String {
        raw(&header, &self.e2e_claims, &client())
    }

    /// The ICT with these claims, signed by the OP.
    fn ict_claims(&self, claims: Value) -> String {
        raw(&self.ict_header, &claims, &self.op)
    }

    /// The ICT with this header, signed by the OP.
    fn ict_header(&self, header: Value) -> String {
        raw(&header, &self.ict_claims, &self.op)
    }
}

/// Which verifier a vector is for.
#[derive(Clone, Copy)]
enum Kind {
    Pop,
    Ict,
    /// An E2E PoP token verified with its ICT.
    Pair,
    /// An E2E PoP token verified with the client key.
    E2e,
}

/// One invalid vector: its token (a mutation of a valid one), and why it must be refused.
struct Refusal {
    kind: Kind,
    id: &'static str,
    description: &'static str,
    code: &'static str,
    /// The claim a claim check is about.
    claim: Option<&'static str>,
    explanation: &'static str,
    /// The token (for a pair, the E2E PoP token).
    token: fn(&Fixtures) -> String,
    /// For a pair: the ICT.
    ict: fn(&Fixtures) -> String,
    /// A change to the policy.
    adjust: Option<fn(&mut Case)>,
}

impl Refusal {
    fn case(&self, f: &Fixtures) -> Case {
        let expect = Expect::Invalid {
            code: self.code,
            claim: self.claim,
            explanation: self.explanation,
        };
        let (id, description, token) = (self.id, self.description, (self.token)(f));
        let mut c = match self.kind {
            Kind::Pop => pop(id, description, token, expect),
            Kind::Ict => ict(id, description, token, f.op384.clone(), expect),
            Kind::Pair => pair(id, description, (self.ict)(f), token, expect),
            Kind::E2e => e2e(id, description, token, expect),
        };
        if let Some(adjust) = self.adjust {
            adjust(&mut c);
        }
        c
    }
}

/// An E2E PoP token refused for no particular claim; rows change what they are about.
const E2E: Refusal = Refusal {
    kind: Kind::E2e,
    id: "",
    description: "",
    code: "",
    claim: None,
    explanation: "",
    token: |_| good_e2e(),
    ict: |_| good_ict(),
    adjust: None,
};

/// The same for the other verifiers.
const POP: Refusal = Refusal {
    kind: Kind::Pop,
    ..E2E
};
const ICT: Refusal = Refusal {
    kind: Kind::Ict,
    ..E2E
};
const PAIR: Refusal = Refusal {
    kind: Kind::Pair,
    ..E2E
};

/// A 1024-bit RSA public key (made up: only its size matters).
fn rsa_1024() -> Value {
    let mut n = [0x5au8; 128];
    n[0] = 0xc3;
    n[127] = 0x01;
    json!({"kty": "RSA", "n": jose_core::b64::encode(n), "e": "AQAB"})
}

/// The valid E2E PoP token's signing input and decoded signature.
fn e2e_signature() -> (String, Vec<u8>) {
    let token = good_e2e();
    let (head, sig) = token.rsplit_once('.').unwrap();
    (head.to_owned(), jose_core::b64::decode(sig).unwrap())
}

/// The invalid vectors, in file order.
const REFUSED: &[Refusal] = &[
    // Header and algorithm.
    Refusal {
        id: "typ-wrong",
        description: "typ jwt instead of jwt+e2epop",
        code: "typ-mismatch",
        explanation: "explicit typing separates the three token types",
        token: |f| f.e2e_header(with(f.e2e_header.clone(), "typ", json!("jwt"))),
        ..E2E
    },
    Refusal {
        id: "typ-missing",
        description: "no typ",
        code: "typ-mismatch",
        explanation: "typ is required",
        token: |f| f.e2e_header(without(f.e2e_header.clone(), "typ")),
        ..E2E
    },
    Refusal {
        id: "typ-ict",
        description: "an ICT-typed token presented as a PoP token",
        code: "typ-mismatch",
        explanation: "a token of another type is refused",
        token: |_| {
            let token = pop_builder().build(&client()).unwrap();
            let header = with(header_of(&token), "typ", json!("jwt+ict"));
            raw(&header, &claims_of(&token), &client())
        },
        ..POP
    },
    Refusal {
        id: "alg-none",
        description: "alg none with an empty signature",
        code: "alg-none",
        explanation: "unsecured tokens are never accepted",
        token: |f| {
            unsigned(
                &with(f.e2e_header.clone(), "alg", json!("none")),
                &f.e2e_claims,
                b"",
            )
        },
        ..E2E
    },
    Refusal {
        id: "hs256",
        description: "an HS256 token: only asymmetric algorithms are allowed",
        code: "alg-not-allowed",
        explanation: "OIDC² tokens are signed with asymmetric keys only",
        token: |f| {
            let secret = r#"{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA"}"#;
            let hmac =
                SigningKey::new(Jwk::from_json(secret).unwrap(), JwsAlgorithm::HS256).unwrap();
            raw(
                &with(f.e2e_header.clone(), "alg", json!("HS256")),
                &f.e2e_claims,
                &hmac,
            )
        },
        ..E2E
    },
    Refusal {
        id: "eddsa-library-compat",
        description: "EdDSA refused when only the reference library's nine algorithms are allowed",
        code: "alg-not-allowed",
        explanation: "EdDSA is not in the allow-list",
        ict: |f| {
            ict_builder(&public(&f.ed), "ict-jti-ed")
                .build(&op_key(JwsAlgorithm::ES384))
                .unwrap()
        },
        token: |f| e2e_builder().build(&f.ed).unwrap(),
        adjust: Some(|c| c.policy["algorithms"] = json!(&ALL[..9])),
        ..PAIR
    },
    Refusal {
        id: "curve-mismatch",
        description: "alg ES256 with the P-384 client key",
        code: "key-confusion",
        explanation: "the key's curve must be the algorithm's",
        token: |f| {
            unsigned(
                &with(f.e2e_header.clone(), "alg", json!("ES256")),
                &f.e2e_claims,
                &[1; 64],
            )
        },
        ..E2E
    },
    Refusal {
        id: "rsa-1024",
        description: "a PoP token embedding a 1024-bit RSA key",
        code: "key-too-short",
        explanation: "RSA keys must have at least 2048 bits",
        token: |f| {
            let header = json!({"typ": "jwt+pop", "alg": "RS256", "jwk": rsa_1024()});
            unsigned(&header, &f.pop_claims, &[1; 128])
        },
        ..POP
    },
    Refusal {
        id: "jwk-private",
        description: "a PoP token whose header jwk contains the private key",
        code: "private-key-embedded",
        explanation: "the embedded key must be public",
        token: |f| {
            let header =
                json!({"typ": "jwt+pop", "alg": "ES384", "jwk": jwk_json(&draft_client())});
            unsigned(&header, &f.pop_claims, &[1; 96])
        },
        ..POP
    },
    // Signature and key binding.
    Refusal {
        id: "signature-tampered",
        description: "one bit of the signature flipped",
        code: "bad-signature",
        explanation: "the signature does not verify",
        token: |_| {
            let (head, mut signature) = e2e_signature();
            signature[0] ^= 1;
            format!("{head}.{}", jose_core::b64::encode(&signature))
        },
        ..E2E
    },
    Refusal {
        id: "signature-size",
        description: "a 64-byte signature for ES384",
        code: "malformed-signature",
        explanation: "ES384 signatures are 96 bytes",
        token: |_| {
            format!(
                "{}.{}",
                e2e_signature().0,
                jose_core::b64::encode([1u8; 64])
            )
        },
        ..E2E
    },
    Refusal {
        id: "jkt-missing",
        description: "an E2E PoP token without jkt",
        code: "jkt-mismatch",
        explanation: "the token does not name the key the ICT certifies",
        token: |f| f.e2e_header(without(f.e2e_header.clone(), "jkt")),
        ..PAIR
    },
    Refusal {
        id: "jkt-wrong",
        description: "jkt is the thumbprint of another key",
        code: "jkt-mismatch",
        explanation: "jkt must be the thumbprint of cnf.jwk",
        token: |f| {
            let other = jwk_thumbprint::thumbprint_b64(
                &public(&f.c256),
                jwk_thumbprint::ThumbprintHash::Sha256,
            );
            f.e2e_header(with(f.e2e_header.clone(), "jkt", json!(other)))
        },
        ..PAIR
    },
    Refusal {
        id: "kid-missing",
        description: "an ICT without kid",
        code: "no-matching-key",
        explanation: "the OP key is found by kid",
        token: |f| f.ict_header(without(f.ict_header.clone(), "kid")),
        ..ICT
    },
    Refusal {
        id: "kid-unknown",
        description: "an ICT naming a kid the OP does not publish",
        code: "no-matching-key",
        explanation: "no OP key has this kid",
        token: |f| f.ict_header(with(f.ict_header.clone(), "kid", json!("op-old"))),
        ..ICT
    },
    Refusal {
        id: "signed-by-client",
        description: "an ICT under the OP's kid, signed by the client key",
        code: "bad-signature",
        explanation: "only the OP's key may sign an ICT",
        token: |f| raw(&f.ict_header, &f.ict_claims, &client()),
        ..ICT
    },
    Refusal {
        id: "cnf-missing",
        description: "an ICT without cnf",
        code: "missing-claim",
        claim: Some("cnf"),
        explanation: "cnf is required",
        token: |f| f.ict_claims(without(f.ict_claims.clone(), "cnf")),
        ..ICT
    },
    Refusal {
        id: "cnf-null",
        description: "an ICT with cnf null",
        code: "invalid-claim",
        claim: Some("cnf"),
        explanation: "cnf must be an object holding jwk",
        token: |f| f.ict_claims(with(f.ict_claims.clone(), "cnf", Value::Null)),
        ..ICT
    },
    Refusal {
        id: "cnf-private",
        description: "an ICT whose cnf.jwk is a private key",
        code: "private-key-embedded",
        explanation: "cnf.jwk must be a public key",
        token: |f| {
            let cnf = json!({"jwk": jwk_json(&draft_client())});
            f.ict_claims(with(f.ict_claims.clone(), "cnf", cnf))
        },
        ..ICT
    },
    Refusal {
        id: "untrusted-issuer",
        description: "an ICT from another issuer under a trusted OP's key",
        code: "issuer-mismatch",
        claim: Some("iss"),
        explanation: "the OP key is trusted for its own issuer only",
        token: |f| {
            f.ict_claims(with(
                f.ict_claims.clone(),
                "iss",
                json!("https://evil.example"),
            ))
        },
        ..ICT
    },
    // Claims.
    Refusal {
        id: "ctx-number",
        description: "ctx is a number",
        code: "invalid-claim",
        claim: Some("ctx"),
        explanation: "ctx is a string or an array of strings",
        token: |f| f.ict_claims(with(f.ict_claims.clone(), "ctx", json!(7))),
        ..ICT
    },
    Refusal {
        id: "ctx-missing-required",
        description: "ctx lacks the required context",
        code: "context-missing",
        claim: Some("ctx"),
        explanation: "an ICT for one application domain is refused in another",
        token: |f| {
            f.ict_claims(with(
                f.ict_claims.clone(),
                "ctx",
                json!(["instant_messaging"]),
            ))
        },
        ..ICT
    },
    Refusal {
        id: "sub-mismatch",
        description: "the E2E PoP token's sub is not the ICT's",
        code: "subject-mismatch",
        claim: Some("sub"),
        explanation: "the E2E PoP token must be about the ICT's user",
        token: |_| e2e_builder().subject("987654321").build(&client()).unwrap(),
        ..PAIR
    },
    Refusal {
        id: "iss-not-ict-aud",
        description: "the E2E PoP token's iss is not the ICT's aud",
        code: "issuer-mismatch",
        claim: Some("iss"),
        explanation: "the E2E PoP token must come from the client the ICT was issued to",
        token: |_| {
            e2e_builder()
                .issuer("otherclient")
                .build(&client())
                .unwrap()
        },
        ..PAIR
    },
    Refusal {
        id: "aud-mismatch",
        description: "the E2E PoP token is addressed to another party",
        code: "audience-mismatch",
        claim: Some("aud"),
        explanation: "aud must contain the verifier's identifier",
        token: |_| {
            e2e_builder()
                .audiences(["alice", "bob"])
                .build(&client())
                .unwrap()
        },
        ..PAIR
    },
    Refusal {
        id: "sub-null",
        description: "sub is null",
        code: "invalid-claim",
        claim: Some("sub"),
        explanation: "a claim present as null is invalid, not absent",
        token: |f| {
            raw(
                &f.e2e_header,
                &with(f.e2e_claims.clone(), "sub", Value::Null),
                &client(),
            )
        },
        ..E2E
    },
    Refusal {
        id: "aud-wrong",
        description: "a PoP token for another OP",
        code: "audience-mismatch",
        claim: Some("aud"),
        explanation: "the PoP token's aud is the OP's issuer",
        token: |_| {
            pop_builder()
                .audience("https://other-op.example")
                .build(&client())
                .unwrap()
        },
        ..POP
    },
    // Time.
    Refusal {
        id: "exp-equals-now",
        description: "exp is the current second",
        code: "expired",
        claim: Some("exp"),
        explanation: "a token is invalid from its exp second on",
        token: |_| {
            e2e_builder()
                .expires_at(at(T0 + 10))
                .build(&client())
                .unwrap()
        },
        ..E2E
    },
    Refusal {
        id: "nbf-future",
        description: "nbf 20 s ahead",
        code: "not-yet-valid",
        claim: Some("nbf"),
        explanation: "nbf is in the future",
        token: |_| {
            e2e_builder()
                .not_before(at(T0 + 30))
                .build(&client())
                .unwrap()
        },
        ..E2E
    },
    Refusal {
        id: "iat-future",
        description: "iat 20 s ahead, tolerance 0",
        code: "issued-in-future",
        claim: Some("iat"),
        explanation: "iat is in the future",
        token: |_| {
            E2ePopTokenBuilder::new()
                .issuer(CLIENT)
                .subject(SUB)
                .audience(AP)
                .jti("e2e-jti-2")
                .issued_at(at(T0 + 30))
                .build(&client())
                .unwrap()
        },
        ..E2E
    },
    Refusal {
        id: "iat-too-old",
        description: "an ICT issued 3601 s ago, still before its exp",
        code: "too-old",
        claim: Some("iat"),
        explanation: "an ICT older than max_token_age (3600 s) is refused",
        token: |f| {
            let claims = without(f.ict_claims.clone(), "nbf");
            let claims = with(claims, "iat", json!(T0 + 10 - 3601));
            f.ict_claims(with(claims, "exp", json!(T0 + 100)))
        },
        ..ICT
    },
    Refusal {
        id: "lifetime-too-long",
        description: "an E2E PoP token living 301 s",
        code: "lifetime-out-of-range",
        explanation: "the draft limits E2E PoP tokens to 5 minutes",
        token: |_| {
            e2e_builder()
                .lifetime(Duration::from_secs(301))
                .build(&client())
                .unwrap()
        },
        ..E2E
    },
    // Structure.
    Refusal {
        id: "payload-array",
        description: "a payload that is a JSON array",
        code: "payload-not-object",
        explanation: "the claims set is a JSON object",
        token: |f| {
            jws::compact::CompactSign::new(b"[1,2]")
                .protected_json(f.e2e_header.to_string())
                .sign(&client())
                .unwrap()
        },
        ..E2E
    },
    Refusal {
        id: "two-segments",
        description: "two segments",
        code: "malformed",
        explanation: "a compact JWS has three segments",
        token: |_| {
            let token = good_e2e();
            let parts: Vec<&str> = token.split('.').collect();
            format!("{}.{}", parts[0], parts[1])
        },
        ..E2E
    },
    Refusal {
        id: "four-segments",
        description: "four segments",
        code: "malformed",
        explanation: "a compact JWS has three segments",
        token: |_| {
            let token = good_e2e();
            let signature = token.rsplit('.').next().unwrap_or_default();
            format!("{token}.{signature}")
        },
        ..E2E
    },
    Refusal {
        id: "crit-unknown",
        description: "crit names an extension nobody understands",
        code: "crit-unknown",
        explanation: "unknown critical extensions are refused",
        token: |f| {
            let header = with(f.e2e_header.clone(), "crit", json!(["urn:example:ext"]));
            f.e2e_header(with(header, "urn:example:ext", json!(true)))
        },
        ..E2E
    },
];

fn to_json(c: &Case) -> Value {
    let mut v = json!({
        "id": c.id,
        "description": c.description,
        "source": {
            "origin": "generated",
            "reference": "draft-openid-oidc2 (OIDC²); docs/e2e-pop.md",
            "seed": SEED,
        },
        "expect": match c.expect { Expect::Valid => "valid", Expect::Invalid { .. } => "invalid" },
        "token_type": c.token_type,
        "token": c.token,
        "policy": c.policy,
    });
    if let Expect::Invalid {
        code,
        claim,
        explanation,
    } = &c.expect
    {
        let mut reason = json!({"code": code, "explanation": explanation});
        if let Some(claim) = claim {
            reason["claim"] = json!(claim);
        }
        v["reason"] = reason;
    }
    if let Some(k) = &c.key {
        v["key"] = jwk_json(k);
    }
    if let Some((ict, key)) = &c.ict {
        v["ict"] = json!(ict);
        v["ict_key"] = jwk_json(key);
    }
    if matches!(c.expect, Expect::Valid) {
        v["claims"] = super::verified_claims(&v).unwrap_or_else(|e| panic!("{}: {e}", c.id));
    }
    v
}

/// The whole of `vectors/generated/oidc2.json`, as the generator writes it today.
pub fn file() -> Value {
    json!({
        "$schema": "../schema.json",
        "format": "jose-rs-vectors/1",
        "kind": "oidc2",
        "title": "OIDC² PoP tokens, ICTs and E2E PoP tokens (e2e-pop): every algorithm, the pair cross-checks, and each check failing; members described in docs/e2e-pop.md",
        "generated_by": "cargo test -p e2e-pop --test generated_vectors (JOSE_REGENERATE_VECTORS=1 rewrites it)",
        "vectors": cases().iter().map(to_json).collect::<Vec<_>>(),
    })
}

/// Whether a vector's signatures are randomised (RSASSA-PSS): a regenerated vector differs
/// there only.
fn randomized(id: &str) -> bool {
    id.contains("/ps")
}

/// The vector with the signatures of its tokens removed.
fn mask(v: &Value) -> Value {
    let mut v = v.clone();
    for name in ["token", "ict"] {
        if let Some(Value::String(t)) = v.get(name) {
            let head = t.rsplit_once('.').map_or(t.as_str(), |(h, _)| h).to_owned();
            v[name] = Value::String(head);
        }
    }
    v
}

/// How the committed file differs from what [`file()`] generates: one line per differing
/// vector (RSASSA-PSS signatures aside), empty when they agree.
pub fn differences(committed: &Value, generated: &Value) -> Vec<String> {
    let empty = Vec::new();
    let vectors = |f: &Value| f["vectors"].as_array().unwrap_or(&empty).clone();
    let (a, b) = (vectors(committed), vectors(generated));
    let mut out = Vec::new();
    if a.len() != b.len() {
        out.push(format!(
            "{} vectors, the generator writes {}",
            a.len(),
            b.len()
        ));
    }
    for (x, y) in a.iter().zip(&b) {
        let id = x["id"].as_str().unwrap_or("(no id)");
        let same = if randomized(id) {
            mask(x) == mask(y)
        } else {
            x == y
        };
        if !same {
            out.push(format!("{id} differs"));
        }
    }
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(o) = v.as_object_mut() {
            o.remove("vectors");
        }
        v
    };
    if strip(committed) != strip(generated) {
        out.push("the file's members other than `vectors` differ".to_owned());
    }
    out
}
