//! The generated vectors of `vectors/generated/oidc2.json`: written by this test (with
//! `JOSE_REGENERATE_VECTORS=1`) from the generator in `crates/vectors` (`vectors::oidc2`),
//! checked against what it generates today, and run through the verifiers, each with its
//! stated verdict and reason. The members are described in docs/e2e-pop.md.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

use serde_json::Value;

const FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../vectors/generated/oidc2.json"
);

fn read_file() -> Value {
    serde_json::from_str(&std::fs::read_to_string(FILE).unwrap()).unwrap()
}

#[test]
fn the_vector_file_is_what_the_generator_writes() {
    let generated = vectors::oidc2::generate::file();
    if std::env::var_os("JOSE_REGENERATE_VECTORS").is_some() {
        let mut text = serde_json::to_string_pretty(&generated).unwrap();
        text.push('\n');
        std::fs::write(FILE, text).unwrap();
    }
    let differences = vectors::oidc2::generate::differences(&read_file(), &generated);
    assert!(
        differences.is_empty(),
        "regenerate with JOSE_REGENERATE_VECTORS=1 and review the diff:\n{}",
        differences.join("\n")
    );
}

#[test]
fn every_vector_has_its_stated_verdict_and_reason() {
    let file = read_file();
    let mut ids = std::collections::BTreeSet::new();
    let (mut valid, mut invalid) = (0, 0);
    for v in file["vectors"].as_array().unwrap() {
        let id = v["id"].as_str().unwrap();
        assert!(ids.insert(id.to_owned()), "duplicate id {id}");
        if let Err(e) = vectors::oidc2::check(v) {
            panic!("{id}: {e}");
        }
        match v["expect"].as_str().unwrap() {
            "valid" => valid += 1,
            _ => invalid += 1,
        }
    }
    assert!(
        valid >= 15 && invalid >= 30,
        "{valid} valid, {invalid} invalid"
    );
}
