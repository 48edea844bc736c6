//! Every malformed input in `tests/invalid/` is rendered with `--strict`;
//! the diagnostics (file:line:column, caret, hint) and the exit code are
//! snapshot-tested in `snapshots/`.

use crate::support::{c2cfn, root, settings, stderr};

#[test]
fn malformed_inputs_are_explained() {
    let mut dir: Vec<_> = std::fs::read_dir(root().join("tests/invalid"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    dir.sort();
    assert!(
        dir.len() >= 30,
        "at least 30 malformed inputs, found {}",
        dir.len()
    );
    for path in dir {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let rel = format!("tests/invalid/{name}.yaml");
        // `-p` only where the file has no `name:` of its own.
        let mut args = vec!["render", "--strict", "-f", &rel];
        if !std::fs::read_to_string(&path).unwrap().starts_with("name:") {
            args.extend(["-p", "invalid"]);
        }
        let out = c2cfn(&root(), &args);
        let code = out.status.code();
        assert_eq!(
            code,
            Some(1),
            "{name} must fail with exit code 1:\n{}",
            stderr(&out)
        );
        assert!(out.stdout.is_empty(), "{name}: nothing may be rendered");
        // Absolute paths in messages depend on where the checkout lives.
        let text = stderr(&out).replace(root().to_str().unwrap(), "<repo>");
        assert!(
            text.contains(&format!("{rel}:")),
            "{name}: the error must name the file:\n{text}"
        );
        let input = std::fs::read_to_string(&path).unwrap();
        let mut s = settings();
        s.set_description(input);
        s.bind(|| insta::assert_snapshot!(format!("diagnostics__{name}"), text));
    }
}
