//! The workspace README's quickstart lists in `[dependencies]` every crate its code names.
//! (The code itself runs as a doc test of this crate: `WorkspaceReadme` in `lib.rs`.)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

const README: &str = include_str!("../../../README.md");

/// The body of the first fenced block opened with ` ```lang `.
fn block<'a>(text: &'a str, lang: &str) -> &'a str {
    let fence = format!("```{lang}\n");
    let start = text.find(&fence).unwrap() + fence.len();
    let len = text[start..].find("```").unwrap();
    &text[start..start + len]
}

/// The crates a piece of Rust names by path (`name::...`), as Cargo spells them.
fn crates_named(code: &str) -> Vec<String> {
    let mut names = Vec::new();
    for (i, _) in code.match_indices("::") {
        let head: String = code[..i]
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        // Only the first segment of a path names a crate.
        let first = !code[..i - head.len()].ends_with("::");
        let starts_lower = head.chars().next().is_some_and(|c| c.is_ascii_lowercase());
        if first
            && starts_lower
            && !["std", "core", "alloc", "crate", "self", "super"].contains(&head.as_str())
        {
            names.push(head.replace('_', "-"));
        }
    }
    names.sort();
    names.dedup();
    names
}

#[test]
fn quickstart_dependencies_list_every_crate_the_code_uses() {
    let quickstart = &README[README.find("## Quickstart").unwrap()..];
    let toml = block(quickstart, "toml");
    let code = block(quickstart, "rust");
    let used = crates_named(code);
    assert!(used.contains(&"jwt-claims".to_owned()), "{used:?}");
    assert!(used.contains(&"serde-json".to_owned()), "{used:?}");
    for name in used {
        let cargo_name = if name == "serde-json" {
            "serde_json".to_owned()
        } else {
            name
        };
        assert!(
            toml.lines()
                .any(|l| l.starts_with(&format!("{cargo_name} ="))),
            "the quickstart uses {cargo_name} but [dependencies] does not list it:\n{toml}"
        );
    }
}
