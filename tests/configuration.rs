//! The shipped configuration keeps its security promises: a strict CSP with
//! nothing remote, no fs/shell/http plugin, every command declared in the
//! ACL manifest and granted, and every UI string present in both languages.
//! Each check fails when someone adds a command, a plugin or a string
//! without doing the rest.

use std::collections::BTreeSet;
use std::path::Path;

use kense_domain::access::Role;
use kense_domain::catalog::Channel;
use kense_domain::queue::{Cause, ReferralStatus, Tier};
use kense_domain::verification::Standing;
use kense_domain::workflow::{Status, Step};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The quoted names between `start` and the next `end` in `text`.
fn quoted_between(text: &str, start: &str, end: &str) -> BTreeSet<String> {
    let from = text.find(start).unwrap_or_else(|| panic!("{start} not found")) + start.len();
    let body = &text[from..from + text[from..].find(end).unwrap()];
    body.split('"').skip(1).step_by(2).map(str::to_owned).collect()
}

#[test]
fn csp_is_strict_and_local() {
    let conf: serde_json::Value = serde_json::from_str(&read("tauri.conf.json")).unwrap();
    let csp = conf["app"]["security"]["csp"].as_object().expect("CSP given as directives");
    for (directive, value) in csp {
        let v = value.as_str().unwrap();
        for bad in ["unsafe-inline", "unsafe-eval", "*", "https:", "data: 'unsafe"] {
            assert!(!v.contains(bad), "{directive} allows {bad}: {v}");
        }
        for source in v.split_whitespace() {
            let remote = source.starts_with("http") && source != "http://ipc.localhost";
            assert!(!remote, "{directive} allows a remote source {source}");
        }
    }
    assert_eq!(csp["script-src"], "'self'");
    assert_eq!(csp["object-src"], "'none'");
    assert_eq!(conf["app"]["security"]["freezePrototype"], true);
}

#[test]
fn no_fs_shell_or_http_plugin() {
    let manifest = read("Cargo.toml");
    for plugin in ["tauri-plugin-fs", "tauri-plugin-shell", "tauri-plugin-http"] {
        assert!(!manifest.contains(plugin), "{plugin} must not be a dependency");
    }
    // The dialog plugin serves the backup pickers, which Rust opens itself.
    // Called from the window, a picked path would join the fs scope; so the
    // window holds none of its permissions.
    for entry in std::fs::read_dir(root().join("src-tauri/capabilities")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("dialog:"), "{} grants a dialog permission to the window", path.display());
    }
}

#[test]
fn every_command_is_declared_registered_and_granted() {
    let declared = quoted_between(&read("src-tauri/build.rs"), "const COMMANDS: &[&str] = &[", "];");
    let lib = read("src-tauri/src/lib.rs");
    let from = lib.find("generate_handler![").unwrap();
    // Entries are `module::command`; the command's name is the last segment.
    let registered: BTreeSet<String> = lib[from + "generate_handler![".len()..from + lib[from..].find(']').unwrap()]
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.rsplit("::").next().unwrap().to_owned())
        .collect();
    assert_eq!(declared, registered, "build.rs COMMANDS and generate_handler! differ");

    let cap: serde_json::Value = serde_json::from_str(&read("src-tauri/capabilities/main-window.json")).unwrap();
    let granted: BTreeSet<String> =
        cap["permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_owned()).collect();
    let mut expected: BTreeSet<String> = declared.iter().map(|c| format!("allow-{}", c.replace('_', "-"))).collect();
    // The window hears the office server's news as events the shell emits
    // (`kense:changed`, `kense:server`): listening is all it may do with
    // events — it cannot emit any.
    expected.extend(["core:event:allow-listen".to_owned(), "core:event:allow-unlisten".to_owned()]);
    assert_eq!(granted, expected, "the capability grants exactly the app's commands and listening, nothing else");
}

#[test]
fn ui_loads_nothing_remote_and_has_no_inline_script() {
    for entry in std::fs::read_dir(root().join("ui")).unwrap().chain(std::fs::read_dir(root().join("ui/i18n")).unwrap())
    {
        let path = entry.unwrap().path();
        if path.is_dir() {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for bad in ["http://", "https://", "//cdn", "eval("] {
            assert!(!text.contains(bad), "{} contains {bad}", path.display());
        }
        if path.extension().is_some_and(|e| e == "html") {
            assert!(!text.contains(" style=\""), "inline style in {}", path.display());
            for tag in text.split("<script").skip(1) {
                assert!(tag.trim_start().starts_with("type=\"module\" src="), "inline script in {}", path.display());
            }
        }
    }
}

fn dictionary_keys(rel: &str) -> BTreeSet<String> {
    read(rel)
        .lines()
        .filter_map(|l| {
            let l = l.trim_start();
            let (key, rest) = l.split_once(':')?;
            (rest.trim_start().starts_with('"')
                && key.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit()))
            .then(|| key.to_owned())
        })
        .collect()
}

#[test]
fn every_ui_string_exists_in_kazakh_and_russian() {
    let kk = dictionary_keys("ui/i18n/kk.js");
    let ru = dictionary_keys("ui/i18n/ru.js");
    assert!(kk.len() > 30, "dictionary parse found only {} keys", kk.len());
    assert_eq!(kk, ru, "kk and ru dictionaries have different keys");

    let html = read("ui/index.html");
    let mut used: BTreeSet<String> = BTreeSet::new();
    for marker in ["data-i18n=\"", "data-i18n-placeholder=\"", "data-i18n-aria=\""] {
        used.extend(html.split(marker).skip(1).map(|s| s.split('"').next().unwrap().to_owned()));
    }
    let mut js = String::new();
    for entry in std::fs::read_dir(root().join("ui")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "js") {
            js.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
    // Calls of the translation function `t("key")`, not `createElement("…")`.
    for (at, _) in js.match_indices("t(\"") {
        let standalone = at == 0 || !js[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '.');
        if standalone {
            let key = js[at + 3..].split('"').next().unwrap();
            if !key.ends_with('_') {
                used.insert(key.to_owned());
            }
        }
    }
    // Keys built at run time from a code the backend sends: every code of
    // the domain must have its key.
    let stages: Vec<String> = kense_storage::Stage::ALL
        .iter()
        .map(|s| serde_json::to_value(s).unwrap().as_str().unwrap().to_owned())
        .collect();
    let dynamic: [(&str, Vec<&str>); 11] = [
        (
            "standing_",
            // A standing's code, with what the window adds to it: the kind
            // of paper a newer one replaced, and how a referral was used or
            // a paper ended.
            Standing::CODES
                .iter()
                .flat_map(|code| match *code {
                    "superseded" => vec!["superseded_referral", "superseded_result", "superseded_queue"],
                    "used" => vec!["used_presented", "used_enrolled"],
                    "cancelled" => vec!["cancelled_cancelled", "cancelled_refused_by_parent", "cancelled_withdrawn"],
                    other => vec![other],
                })
                .collect(),
        ),
        ("stage_", stages.iter().map(String::as_str).collect()),
        ("status_", Status::ALL.iter().map(|s| s.code()).collect()),
        ("step_", Step::ALL.iter().map(|s| s.code()).collect()),
        ("role_", Role::ALL.iter().map(|r| r.code()).collect()),
        ("channel_", Channel::ALL.iter().map(|c| c.code()).collect()),
        ("tier_", [Tier::Extraordinary, Tier::First, Tier::General].iter().map(|t| t.code()).collect()),
        ("cause_", Cause::ALL.iter().map(|c| c.code()).collect()),
        ("referral_", ReferralStatus::ALL.iter().map(|s| s.code()).collect()),
        ("entry_", vec!["waiting", "referred", "stop_listed", "enrolled", "removed"]),
        ("ref_step_", vec!["present", "enrol", "refuse_by_parent", "cancel"]),
    ];
    for (prefix, codes) in dynamic {
        assert!(js.contains(&format!("t(\"{prefix}\" +")), "{prefix} keys are no longer built at run time");
        used.extend(codes.into_iter().map(|c| format!("{prefix}{c}")));
    }
    let missing: Vec<_> = used.difference(&kk).collect();
    assert!(missing.is_empty(), "UI keys missing from the dictionaries: {missing:?}");
}
