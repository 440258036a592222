//! `scalesim schema`: the JSON Schema of scenario files. The committed `scenario.schema.json`
//! is its output (so it cannot drift from the types), and every shipped scenario opens with
//! the comment that points editors at it. tests/schema_check.py validates the scenarios
//! against it with an independent validator (in CI).

use crate::{all_scenarios, root, scalesim};

#[test]
fn the_committed_schema_is_the_commands_output() {
    let out = scalesim(&root(), &["schema"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8(out.stdout).expect("UTF-8");
    let committed =
        std::fs::read_to_string(root().join("scenario.schema.json")).expect("scenario.schema.json");
    assert!(
        printed == committed,
        "scenario.schema.json is not `scalesim schema`'s output; regenerate it with \
         `cargo run --release -- schema > scenario.schema.json`"
    );
    let v: serde_json::Value = serde_json::from_str(&printed).expect("JSON");
    assert_eq!(v["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(v["additionalProperties"], false);
}

#[test]
fn the_schema_describes_every_key() {
    let out = scalesim(&root(), &["schema"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let mut missing = Vec::new();
    let mut objects = vec![("(top)".to_string(), &v)];
    for (name, def) in v["$defs"].as_object().expect("$defs") {
        objects.push((name.clone(), def));
    }
    for (name, obj) in objects {
        for (key, prop) in obj["properties"].as_object().into_iter().flatten() {
            if prop["description"].as_str().is_none_or(str::is_empty) {
                missing.push(format!("{name}.{key}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "keys without a description: {missing:?}"
    );
}

#[test]
fn every_shipped_scenario_points_editors_at_the_schema() {
    let mut wrong = Vec::new();
    for path in all_scenarios() {
        let rel = path.strip_prefix(root()).expect("under the root");
        let up = "../".repeat(rel.components().count() - 1);
        let want = format!("# yaml-language-server: $schema={up}scenario.schema.json");
        let text = std::fs::read_to_string(&path).expect("scenario");
        if text.lines().next() != Some(want.as_str()) {
            wrong.push(format!(
                "{}: expected the first line `{want}`",
                rel.display()
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
