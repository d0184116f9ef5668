//! The generated vectors of `vectors/generated/oidc2.json`: written by this test (with
//! `JOSE_REGENERATE_VECTORS=1`), checked against what it generates today, and run through the
//! verifiers, each with its stated verdict and reason.
//!
//! Vector members (kind `oidc2`, format `jose-rs-vectors/1`):
//! - `token_type`: `pop`, `ict` or `e2e-pop`; `token`: the compact token.
//! - `key`: for `ict`, the OP's public key (with its `kid`); for `e2e-pop` without `ict`, the
//!   client's public key. PoP tokens carry their key.
//! - `ict`, `ict_key`: for `e2e-pop` verified as a pair: the ICT and the OP key that signs it
//!   (trusted for the ICT's issuer, whatever it is).
//! - `policy`: `algorithms`, `now`, `leeway_seconds`, `audience` (PoP: the OP's issuer; ICT:
//!   the expected client id; E2E PoP: the verifier's own identifier), `issuer` (PoP and E2E
//!   PoP: the client id; ICT: the OP's issuer), `subject`, `contexts` (required ICT contexts;
//!   absent: any).
//! - `claims` (valid vectors): the verified claims; for a pair, the verified identity
//!   (`issuer`, `subject`, `client_id`, `contexts`, `claims`, `client_jwk`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod support;
use e2e_pop::RequiredContexts;
use e2e_pop::{
    AlgorithmSet, E2ePopError, E2ePopTokenBuilder, E2ePopVerifier, IctBuilder, IctVerifier,
    NumericDate, OpJwks, PairPolicy, PopTokenBuilder, PopTokenVerifier,
};
use jose_core::alg::JwsAlgorithm;
use jose_core::backend::Backend;
use jose_core::jwk::{EcKey, Ed25519Key, Jwk, JwkSet, KeyError, KeyMaterial};
use jws::SigningKey;
use jwt_claims::{ClaimError, ClaimReason, TimeError};
use serde_json::{Value, json};
use sha2::{Digest, Sha256, Sha512};
use std::time::Duration;
use support::*;

const FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../vectors/generated/oidc2.json"
);
const RSA_KEY: &str = include_str!("fixtures/op-rsa-2048.json");
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
    let secret = jose_core::p256::SecretKey::from_slice(&Sha256::digest(label.as_bytes())).unwrap();
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

/// The claims of a token, decoded.
fn claims_of(token: &str) -> Value {
    serde_json::from_slice(&jws::unverified::decode_payload(token).unwrap()).unwrap()
}

fn header_of(token: &str) -> Value {
    serde_json::from_slice(&jose_core::b64::decode(token.split('.').next().unwrap()).unwrap())
        .unwrap()
}

/// A token with exactly this header and these claims, signed by `key`.
fn raw(header: &Value, claims: &Value, key: &SigningKey) -> String {
    jws::compact::CompactSign::new(claims.to_string().as_bytes())
        .protected_json(header.to_string())
        .sign(key)
        .unwrap()
}

/// A token with this header and claims and an arbitrary signature.
fn unsigned(header: &Value, claims: &Value, signature: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        jose_core::b64::encode(header.to_string()),
        jose_core::b64::encode(claims.to_string()),
        jose_core::b64::encode(signature)
    )
}

fn with(mut v: Value, name: &str, value: Value) -> Value {
    v[name] = value;
    v
}

fn without(mut v: Value, name: &str) -> Value {
    v.as_object_mut().unwrap().remove(name);
    v
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

fn invalid(code: &'static str, explanation: &'static str) -> Expect {
    Expect::Invalid {
        code,
        claim: None,
        explanation,
    }
}

fn invalid_claim(code: &'static str, claim: &'static str, explanation: &'static str) -> Expect {
    Expect::Invalid {
        code,
        claim: Some(claim),
        explanation,
    }
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

fn cases() -> Vec<Case> {
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

    // --- Header and algorithm -----------------------------------------------------------------
    let e2e_header = header_of(&good_e2e());
    let e2e_claims = claims_of(&good_e2e());
    out.push(e2e(
        "typ-wrong",
        "typ jwt instead of jwt+e2epop",
        raw(
            &with(e2e_header.clone(), "typ", json!("jwt")),
            &e2e_claims,
            &client(),
        ),
        invalid(
            "typ-mismatch",
            "explicit typing separates the three token types",
        ),
    ));
    out.push(e2e(
        "typ-missing",
        "no typ",
        raw(&without(e2e_header.clone(), "typ"), &e2e_claims, &client()),
        invalid("typ-mismatch", "typ is required"),
    ));
    out.push(pop(
        "typ-ict",
        "an ICT-typed token presented as a PoP token",
        raw(
            &with(
                header_of(&pop_builder().build(&client()).unwrap()),
                "typ",
                json!("jwt+ict"),
            ),
            &claims_of(&pop_builder().build(&client()).unwrap()),
            &client(),
        ),
        invalid("typ-mismatch", "a token of another type is refused"),
    ));
    out.push(e2e(
        "alg-none",
        "alg none with an empty signature",
        unsigned(
            &with(e2e_header.clone(), "alg", json!("none")),
            &e2e_claims,
            b"",
        ),
        invalid("alg-none", "unsecured tokens are never accepted"),
    ));
    let hmac = SigningKey::new(
        Jwk::from_json(r#"{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA"}"#)
            .unwrap(),
        JwsAlgorithm::HS256,
    )
    .unwrap();
    out.push(e2e(
        "hs256",
        "an HS256 token: only asymmetric algorithms are allowed",
        raw(
            &with(e2e_header.clone(), "alg", json!("HS256")),
            &e2e_claims,
            &hmac,
        ),
        invalid(
            "alg-not-allowed",
            "OIDC² tokens are signed with asymmetric keys only",
        ),
    ));
    let mut compat_only = pair(
        "eddsa-library-compat",
        "EdDSA refused when only the reference library's nine algorithms are allowed",
        ict_builder(&public(&ed), "ict-jti-ed")
            .build(&op_key(JwsAlgorithm::ES384))
            .unwrap(),
        e2e_builder().build(&ed).unwrap(),
        invalid("alg-not-allowed", "EdDSA is not in the allow-list"),
    );
    compat_only.policy["algorithms"] = json!(&ALL[..9]);
    out.push(compat_only);
    out.push(e2e(
        "curve-mismatch",
        "alg ES256 with the P-384 client key",
        unsigned(
            &with(e2e_header.clone(), "alg", json!("ES256")),
            &e2e_claims,
            &[1; 64],
        ),
        invalid("key-confusion", "the key's curve must be the algorithm's"),
    ));
    let mut small_n = [0x5au8; 128];
    small_n[0] = 0xc3;
    small_n[127] = 0x01;
    let rsa1024 = json!({"kty": "RSA", "n": jose_core::b64::encode(small_n), "e": "AQAB"});
    let pop_claims = claims_of(&pop_builder().build(&client()).unwrap());
    out.push(pop(
        "rsa-1024",
        "a PoP token embedding a 1024-bit RSA key",
        unsigned(
            &json!({"typ": "jwt+pop", "alg": "RS256", "jwk": rsa1024}),
            &pop_claims,
            &[1; 128],
        ),
        invalid("key-too-short", "RSA keys must have at least 2048 bits"),
    ));
    out.push(pop(
        "jwk-private",
        "a PoP token whose header jwk contains the private key",
        unsigned(
            &json!({"typ": "jwt+pop", "alg": "ES384", "jwk": jwk_json(&draft_client())}),
            &pop_claims,
            &[1; 96],
        ),
        invalid("private-key-embedded", "the embedded key must be public"),
    ));

    // --- Signature and key binding ------------------------------------------------------------
    let token = good_e2e();
    let (head, sig) = token.rsplit_once('.').unwrap();
    let mut bytes = jose_core::b64::decode(sig).unwrap();
    bytes[0] ^= 1;
    out.push(e2e(
        "signature-tampered",
        "one bit of the signature flipped",
        format!("{head}.{}", jose_core::b64::encode(&bytes)),
        invalid("bad-signature", "the signature does not verify"),
    ));
    out.push(e2e(
        "signature-size",
        "a 64-byte signature for ES384",
        format!("{head}.{}", jose_core::b64::encode([1u8; 64])),
        invalid("malformed-signature", "ES384 signatures are 96 bytes"),
    ));
    out.push(pair(
        "jkt-missing",
        "an E2E PoP token without jkt",
        good_ict(),
        raw(&without(e2e_header.clone(), "jkt"), &e2e_claims, &client()),
        invalid(
            "jkt-mismatch",
            "the token does not name the key the ICT certifies",
        ),
    ));
    let other = public(&c256);
    out.push(pair(
        "jkt-wrong",
        "jkt is the thumbprint of another key",
        good_ict(),
        raw(
            &with(
                e2e_header.clone(),
                "jkt",
                json!(jwk_thumbprint::thumbprint_b64(
                    &other,
                    jwk_thumbprint::ThumbprintHash::Sha256
                )),
            ),
            &e2e_claims,
            &client(),
        ),
        invalid("jkt-mismatch", "jkt must be the thumbprint of cnf.jwk"),
    ));
    let ict_header = header_of(&good_ict());
    let ict_claims = claims_of(&good_ict());
    let op = op_key(JwsAlgorithm::ES384);
    out.push(ict(
        "kid-missing",
        "an ICT without kid",
        raw(&without(ict_header.clone(), "kid"), &ict_claims, &op),
        op384.clone(),
        invalid("no-matching-key", "the OP key is found by kid"),
    ));
    out.push(ict(
        "kid-unknown",
        "an ICT naming a kid the OP does not publish",
        raw(
            &with(ict_header.clone(), "kid", json!("op-old")),
            &ict_claims,
            &op,
        ),
        op384.clone(),
        invalid("no-matching-key", "no OP key has this kid"),
    ));
    out.push(ict(
        "signed-by-client",
        "an ICT under the OP's kid, signed by the client key",
        raw(&ict_header, &ict_claims, &client()),
        op384.clone(),
        invalid("bad-signature", "only the OP's key may sign an ICT"),
    ));
    out.push(ict(
        "cnf-missing",
        "an ICT without cnf",
        raw(&ict_header, &without(ict_claims.clone(), "cnf"), &op),
        op384.clone(),
        invalid_claim("missing-claim", "cnf", "cnf is required"),
    ));
    out.push(ict(
        "cnf-null",
        "an ICT with cnf null",
        raw(
            &ict_header,
            &with(ict_claims.clone(), "cnf", Value::Null),
            &op,
        ),
        op384.clone(),
        invalid_claim("invalid-claim", "cnf", "cnf must be an object holding jwk"),
    ));
    out.push(ict(
        "cnf-private",
        "an ICT whose cnf.jwk is a private key",
        raw(
            &ict_header,
            &with(
                ict_claims.clone(),
                "cnf",
                json!({"jwk": jwk_json(&draft_client())}),
            ),
            &op,
        ),
        op384.clone(),
        invalid("private-key-embedded", "cnf.jwk must be a public key"),
    ));
    out.push(ict(
        "untrusted-issuer",
        "an ICT from another issuer under a trusted OP's key",
        raw(
            &ict_header,
            &with(ict_claims.clone(), "iss", json!("https://evil.example")),
            &op,
        ),
        op384.clone(),
        invalid_claim(
            "issuer-mismatch",
            "iss",
            "the OP key is trusted for its own issuer only",
        ),
    ));

    // --- Claims ---------------------------------------------------------------------------
    out.push(ict(
        "ctx-number",
        "ctx is a number",
        raw(&ict_header, &with(ict_claims.clone(), "ctx", json!(7)), &op),
        op384.clone(),
        invalid_claim(
            "invalid-claim",
            "ctx",
            "ctx is a string or an array of strings",
        ),
    ));
    out.push(ict(
        "ctx-missing-required",
        "ctx lacks the required context",
        raw(
            &ict_header,
            &with(ict_claims.clone(), "ctx", json!(["instant_messaging"])),
            &op,
        ),
        op384.clone(),
        invalid_claim(
            "context-missing",
            "ctx",
            "an ICT for one application domain is refused in another",
        ),
    ));
    out.push(pair(
        "sub-mismatch",
        "the E2E PoP token's sub is not the ICT's",
        good_ict(),
        e2e_builder().subject("987654321").build(&client()).unwrap(),
        invalid_claim(
            "subject-mismatch",
            "sub",
            "the E2E PoP token must be about the ICT's user",
        ),
    ));
    out.push(pair(
        "iss-not-ict-aud",
        "the E2E PoP token's iss is not the ICT's aud",
        good_ict(),
        e2e_builder()
            .issuer("otherclient")
            .build(&client())
            .unwrap(),
        invalid_claim(
            "issuer-mismatch",
            "iss",
            "the E2E PoP token must come from the client the ICT was issued to",
        ),
    ));
    out.push(pair(
        "aud-mismatch",
        "the E2E PoP token is addressed to another party",
        good_ict(),
        e2e_builder()
            .audiences(["alice", "bob"])
            .build(&client())
            .unwrap(),
        invalid_claim(
            "audience-mismatch",
            "aud",
            "aud must contain the verifier's identifier",
        ),
    ));
    out.push(e2e(
        "sub-null",
        "sub is null",
        raw(
            &e2e_header,
            &with(e2e_claims.clone(), "sub", Value::Null),
            &client(),
        ),
        invalid_claim(
            "invalid-claim",
            "sub",
            "a claim present as null is invalid, not absent",
        ),
    ));
    out.push(pop(
        "aud-wrong",
        "a PoP token for another OP",
        pop_builder()
            .audience("https://other-op.example")
            .build(&client())
            .unwrap(),
        invalid_claim(
            "audience-mismatch",
            "aud",
            "the PoP token's aud is the OP's issuer",
        ),
    ));

    // --- Time -----------------------------------------------------------------------------
    out.push(e2e(
        "exp-equals-now",
        "exp is the current second",
        e2e_builder()
            .expires_at(at(T0 + 10))
            .build(&client())
            .unwrap(),
        invalid_claim(
            "expired",
            "exp",
            "a token is invalid from its exp second on",
        ),
    ));
    out.push(e2e(
        "nbf-future",
        "nbf 20 s ahead",
        e2e_builder()
            .not_before(at(T0 + 30))
            .build(&client())
            .unwrap(),
        invalid_claim("not-yet-valid", "nbf", "nbf is in the future"),
    ));
    out.push(e2e(
        "iat-future",
        "iat 20 s ahead, tolerance 0",
        E2ePopTokenBuilder::new()
            .issuer(CLIENT)
            .subject(SUB)
            .audience(AP)
            .jti("e2e-jti-2")
            .issued_at(at(T0 + 30))
            .build(&client())
            .unwrap(),
        invalid_claim("issued-in-future", "iat", "iat is in the future"),
    ));
    out.push(ict(
        "iat-too-old",
        "an ICT issued 3601 s ago, still before its exp",
        raw(
            &ict_header,
            &with(
                with(
                    without(ict_claims.clone(), "nbf"),
                    "iat",
                    json!(T0 + 10 - 3601),
                ),
                "exp",
                json!(T0 + 100),
            ),
            &op,
        ),
        op384.clone(),
        invalid_claim(
            "too-old",
            "iat",
            "an ICT older than max_token_age (3600 s) is refused",
        ),
    ));
    out.push(e2e(
        "lifetime-too-long",
        "an E2E PoP token living 301 s",
        e2e_builder()
            .lifetime(Duration::from_secs(301))
            .build(&client())
            .unwrap(),
        invalid(
            "lifetime-out-of-range",
            "the draft limits E2E PoP tokens to 5 minutes",
        ),
    ));

    // --- Structure ------------------------------------------------------------------------
    let array_payload = jws::compact::CompactSign::new(b"[1,2]")
        .protected_json(e2e_header.to_string())
        .sign(&client())
        .unwrap();
    out.push(e2e(
        "payload-array",
        "a payload that is a JSON array",
        array_payload,
        invalid("payload-not-object", "the claims set is a JSON object"),
    ));
    let parts: Vec<&str> = token.split('.').collect();
    out.push(e2e(
        "two-segments",
        "two segments",
        format!("{}.{}", parts[0], parts[1]),
        invalid("malformed", "a compact JWS has three segments"),
    ));
    out.push(e2e(
        "four-segments",
        "four segments",
        format!("{token}.{}", parts[2]),
        invalid("malformed", "a compact JWS has three segments"),
    ));
    out.push(e2e(
        "crit-unknown",
        "crit names an extension nobody understands",
        raw(
            &with(
                with(e2e_header, "crit", json!(["urn:example:ext"])),
                "urn:example:ext",
                json!(true),
            ),
            &e2e_claims,
            &client(),
        ),
        invalid("crit-unknown", "unknown critical extensions are refused"),
    ));
    out
}

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
        v["claims"] = run(&v).unwrap_or_else(|e| panic!("{}: {e}", c.id));
    }
    v
}

fn generate() -> Value {
    json!({
        "$schema": "../schema.json",
        "format": "jose-rs-vectors/1",
        "kind": "oidc2",
        "title": "OIDC² PoP tokens, ICTs and E2E PoP tokens (e2e-pop): every algorithm, the pair cross-checks, and each check failing; members described in docs/e2e-pop.md",
        "generated_by": "cargo test -p e2e-pop --test generated_vectors (JOSE_REGENERATE_VECTORS=1 rewrites it)",
        "vectors": cases().iter().map(to_json).collect::<Vec<_>>(),
    })
}

// --- Running a vector -----------------------------------------------------------------------

fn jwk(v: &Value) -> Jwk {
    Jwk::from_json(v.to_string()).unwrap()
}

fn str_of<'a>(p: &'a Value, name: &str) -> Option<&'a str> {
    p.get(name).and_then(Value::as_str)
}

/// Runs one vector through the crate; the verified claims, or the error.
fn run(v: &Value) -> Result<Value, E2ePopError> {
    let p = &v["policy"];
    let algs: Vec<JwsAlgorithm> = p["algorithms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().parse().unwrap())
        .collect();
    let algorithms = AlgorithmSet::only(algs)?;
    let now = at(p["now"].as_i64().unwrap());
    let leeway = Duration::from_secs(p["leeway_seconds"].as_u64().unwrap());
    let audience = str_of(p, "audience").unwrap();
    let issuer = str_of(p, "issuer");
    let subject = str_of(p, "subject");
    let contexts: Option<Vec<String>> = p.get("contexts").map(|c| {
        c.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect()
    });
    let token = v["token"].as_str().unwrap();
    match v["token_type"].as_str().unwrap() {
        "pop" => {
            let mut verifier = PopTokenVerifier::without_replay_detection(audience)
                .algorithms(algorithms)
                .now(now)
                .leeway(leeway);
            if let Some(i) = issuer {
                verifier = verifier.expected_issuer(i);
            }
            if let Some(s) = subject {
                verifier = verifier.expected_subject(s);
            }
            verifier.verify_now(token)?;
            Ok(claims_of(token))
        }
        "ict" => {
            let set = JwkSet::new(vec![jwk(&v["key"])]).unwrap();
            let keys = match issuer {
                Some(i) => OpJwks::new(i, set),
                None => OpJwks::any_issuer(set),
            };
            let mut verifier = IctVerifier::new(keys, required_contexts(contexts.as_deref()))
                .algorithms(algorithms)
                .now(now)
                .leeway(leeway)
                .expected_audience(audience);
            if let Some(s) = subject {
                verifier = verifier.expected_subject(s);
            }
            verifier.verify_now(token)?;
            Ok(claims_of(token))
        }
        "e2e-pop" => {
            if let Some(ict) = v.get("ict").and_then(Value::as_str) {
                let keys = OpJwks::any_issuer(JwkSet::new(vec![jwk(&v["ict_key"])]).unwrap());
                let contexts = required_contexts(contexts.as_deref());
                let mut policy = PairPolicy::without_replay_detection(keys, contexts, audience)
                    .algorithms(algorithms)
                    .now(now)
                    .leeway(leeway);
                if let Some(i) = issuer {
                    policy = policy.expected_client(i);
                }
                if let Some(s) = subject {
                    policy = policy.expected_subject(s);
                }
                Ok(verify_pair_now(ict, token, &policy)?.to_json())
            } else {
                let mut verifier = E2ePopVerifier::without_replay_detection(audience)
                    .algorithms(algorithms)
                    .now(now)
                    .leeway(leeway);
                if let Some(i) = issuer {
                    verifier = verifier.expected_issuer(i);
                }
                if let Some(s) = subject {
                    verifier = verifier.expected_subject(s);
                }
                verifier.verify_with_key_now(token, &jwk(&v["key"]))?;
                Ok(claims_of(token))
            }
        }
        other => panic!("token_type {other}"),
    }
}

/// The reason code (vectors/schema.json) an error stands for.
fn reason_code(e: &E2ePopError) -> &'static str {
    use E2ePopError as E;
    match e.root() {
        E::TooLarge { .. } | E::Malformed(_) => "malformed",
        E::Crit(_) => "crit-unknown",
        E::AlgorithmNotAllowed { alg } if alg == "none" => "alg-none",
        E::AlgorithmNotAllowed { alg } if alg.is_empty() => "bad-header",
        E::AlgorithmNotAllowed { alg } if alg.parse::<JwsAlgorithm>().is_ok() => "alg-not-allowed",
        E::AlgorithmNotAllowed { .. } => "alg-unknown",
        E::WrongTyp { .. } => "typ-mismatch",
        E::EmbeddedKeyMissing | E::KidMissing | E::UnknownKid { .. } => "no-matching-key",
        E::EmbeddedKeyPrivate | E::CnfPrivateKey => "private-key-embedded",
        E::EmbeddedKeyInvalid(KeyError::RsaKeyTooSmall { .. }) => "key-too-short",
        E::EmbeddedKeyInvalid(_) | E::KeyUnusable { .. } | E::CnfInvalid(_) => "key-rejected",
        E::UntrustedIssuer { .. } | E::IssuerMismatch { .. } | E::ClientNotBound => {
            "issuer-mismatch"
        }
        E::KeyMismatch { .. } => "key-confusion",
        E::SignatureInvalid => "bad-signature",
        E::SignatureMalformed(_) => "malformed-signature",
        E::Payload(_) => "payload-not-object",
        E::Claim(ClaimError {
            reason: ClaimReason::Missing,
            ..
        }) => "missing-claim",
        E::Claim(_) | E::CnfMissing => "invalid-claim",
        E::SubjectMismatch | E::SubjectNotBound => "subject-mismatch",
        E::AudienceMismatch => "audience-mismatch",
        E::Time(TimeError::Expired { .. }) => "expired",
        E::Time(TimeError::NotYetValid { .. }) => "not-yet-valid",
        E::Time(TimeError::IssuedInFuture { .. }) => "issued-in-future",
        E::Time(TimeError::TooOld { .. }) => "too-old",
        E::Time(TimeError::LifetimeOutOfRange { .. }) => "lifetime-out-of-range",
        E::ContextMissing { .. } => "context-missing",
        E::JktMissing | E::JktMismatch => "jkt-mismatch",
        E::Replay { .. } => "replay",
        _ => "other",
    }
}

/// Where a token's signature is randomised (RSA-PSS), the text of a regenerated vector
/// differs there only.
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

fn read_file() -> Value {
    serde_json::from_str(&std::fs::read_to_string(FILE).unwrap()).unwrap()
}

#[test]
fn the_vector_file_is_what_the_generator_writes() {
    let generated = generate();
    if std::env::var_os("JOSE_REGENERATE_VECTORS").is_some() {
        let mut text = serde_json::to_string_pretty(&generated).unwrap();
        text.push('\n');
        std::fs::write(FILE, text).unwrap();
    }
    let file = read_file();
    let (a, b) = (
        file["vectors"].as_array().unwrap(),
        generated["vectors"].as_array().unwrap(),
    );
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        let id = x["id"].as_str().unwrap();
        if randomized(id) {
            assert_eq!(mask(x), mask(y), "{id}");
        } else {
            assert_eq!(
                x, y,
                "{id} differs: regenerate with JOSE_REGENERATE_VECTORS=1"
            );
        }
    }
    let strip = |mut v: Value| {
        v.as_object_mut().unwrap().remove("vectors");
        v
    };
    assert_eq!(strip(file), strip(generated));
}

#[test]
fn every_vector_has_its_stated_verdict_and_reason() {
    let file = read_file();
    let vectors = file["vectors"].as_array().unwrap();
    let mut ids = std::collections::BTreeSet::new();
    let (mut valid, mut invalid) = (0, 0);
    for v in vectors {
        let id = v["id"].as_str().unwrap();
        assert!(ids.insert(id.to_owned()), "duplicate id {id}");
        let result = run(v);
        match v["expect"].as_str().unwrap() {
            "valid" => {
                let claims = result.unwrap_or_else(|e| panic!("{id}: {e}"));
                assert_eq!(claims, v["claims"], "{id}");
                valid += 1;
            }
            _ => {
                let err = result.err().unwrap_or_else(|| panic!("{id} verified"));
                let reason = &v["reason"];
                assert_eq!(reason_code(&err), reason["code"], "{id}: {err}");
                if let Some(claim) = reason.get("claim") {
                    assert_eq!(err.claim(), claim.as_str(), "{id}: {err}");
                }
                invalid += 1;
            }
        }
    }
    assert!(
        valid >= 15 && invalid >= 30,
        "{valid} valid, {invalid} invalid"
    );
}

/// The vector's `contexts`: all required, or, without the member, any.
fn required_contexts(contexts: Option<&[String]>) -> RequiredContexts {
    contexts.map_or(RequiredContexts::Any, |list| {
        RequiredContexts::all(list.iter().cloned())
    })
}
