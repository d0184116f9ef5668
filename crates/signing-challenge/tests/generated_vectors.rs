//! The generated vectors of `vectors/generated/signing-challenge.json`: written by this test
//! (with `JOSE_REGENERATE_VECTORS=1`) from the generator in `crates/vectors`
//! (`vectors::signing_challenge`), checked against what it generates today (ECDSA is
//! deterministic here, RFC 6979, so the file is reproduced byte for byte), and run through the
//! verifiers, each with its stated verdict and reason. The members are described in
//! docs/signing-challenge.md.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

use serde_json::Value;

const FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../vectors/generated/signing-challenge.json"
);

#[test]
fn the_vector_file_is_what_the_generator_writes() {
    let mut text =
        serde_json::to_string_pretty(&vectors::signing_challenge::generate::file()).unwrap();
    text.push('\n');
    if std::env::var_os("JOSE_REGENERATE_VECTORS").is_some() {
        std::fs::write(FILE, &text).unwrap();
    }
    let file = std::fs::read_to_string(FILE).unwrap();
    assert!(
        file == text,
        "{FILE} differs from what the generator writes: regenerate with JOSE_REGENERATE_VECTORS=1"
    );
}

#[test]
fn every_vector_has_its_stated_verdict_and_reason() {
    let file: Value = serde_json::from_str(&std::fs::read_to_string(FILE).unwrap()).unwrap();
    let mut ids = std::collections::BTreeSet::new();
    let (mut valid, mut invalid) = (0, 0);
    for v in file["vectors"].as_array().unwrap() {
        let id = v["id"].as_str().unwrap();
        assert!(ids.insert(id.to_owned()), "duplicate {id}");
        if let Err(e) = vectors::signing_challenge::check(v) {
            panic!("{id}: {e}");
        }
        match v["expect"].as_str().unwrap() {
            "valid" => valid += 1,
            _ => invalid += 1,
        }
    }
    assert!(
        valid >= 8 && invalid >= 35,
        "{valid} valid, {invalid} invalid"
    );
}
