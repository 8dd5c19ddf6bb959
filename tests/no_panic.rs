//! Property tests: no parser of user input panics, whatever it is fed. Each
//! may return an error; none may crash the process.

use proptest::prelude::*;
use skiff::values::strvals::{Mode, parse_into};

/// Text biased towards the characters these grammars care about.
fn grammar_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("=".to_string()),
            Just(",".to_string()),
            Just(".".to_string()),
            Just("[".to_string()),
            Just("]".to_string()),
            Just("{".to_string()),
            Just("}".to_string()),
            Just("\\".to_string()),
            Just(":".to_string()),
            Just("-".to_string()),
            Just("\n".to_string()),
            Just("  ".to_string()),
            Just("{{".to_string()),
            Just("}}".to_string()),
            Just("{%".to_string()),
            Just("%}".to_string()),
            Just("*".to_string()),
            Just("**".to_string()),
            Just("!".to_string()),
            "[a-z0-9]{1,4}",
            any::<char>().prop_map(|c| c.to_string()),
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn set_flags_never_panic(input in grammar_text()) {
        for mode in [Mode::Typed, Mode::String, Mode::Json, Mode::Literal] {
            let mut map = skiff::Map::default();
            let _ = parse_into(&input, &mut map, mode);
        }
    }

    #[test]
    fn yaml_reader_never_panics(input in grammar_text()) {
        let _ = skiff::yaml::parse_document(&input);
        let _ = skiff::yaml::parse_documents(&input);
    }

    #[test]
    fn chart_yaml_never_panics(input in grammar_text()) {
        let _ = skiff::chart::parse_metadata(&input, "Chart.yaml");
        let text = format!("apiVersion: v2\nname: x\nversion: 1.0.0\n{input}");
        let _ = skiff::chart::parse_metadata(&text, "Chart.yaml");
    }

    #[test]
    fn helmignore_never_panics(input in grammar_text(), path in "[a-z/._]{0,12}") {
        if let Ok(rules) = skiff::chart::HelmIgnore::parse(&input) {
            let _ = rules.ignore(&path, false);
            let _ = rules.ignore(&path, true);
        }
        let _ = skiff::chart::files::GlobPattern::compile(&input).map(|g| g.matches(&path));
        let _ = skiff::chart::helmignore::go_match(&input, &path);
    }

    #[test]
    fn manifest_splitter_never_panics(input in grammar_text()) {
        let _ = skiff::manifest::split_manifests(&input);
    }

    #[test]
    fn version_ranges_never_panic(c in grammar_text(), v in "[v0-9.xX*^~<>=| -]{0,12}") {
        let _ = skiff::version_range::semver_compare(&c, &v);
        let _ = skiff::version_range::semver_compare(&v, &c);
    }

    #[test]
    fn jinja_templates_never_panic(input in grammar_text()) {
        let data = skiff::Value::new_map();
        let _ = skiff::engine::jinja::render_string("t.j2", &input, &data);
    }
}
