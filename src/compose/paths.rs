//! Relative paths made absolute.
//!
//! Each document is resolved against its own base directory before it is
//! merged: for the `-f` files that is the project directory (compose:
//! "paths in all files are relative to the first file"), for a file reached
//! through `extends.file` its own directory, and for an `include`d project
//! its project directory. So a service extended from `../common/base.yaml`
//! keeps `build: ./app` pointing next to `base.yaml`.
//!
//! Resolved: `build` (a string or `.context`, unless it is a URL or git
//! reference; `dockerfile` stays relative to the context), `env_file`
//! entries, short-syntax volume sources starting with `.` or `~` and
//! long-syntax `bind` sources, `secrets.*.file`, `configs.*.file`,
//! `extends.file` and `include` paths. `~` expands to `HOME` of the given
//! environment.

use std::path::{Path, PathBuf};

use super::context::absolute;
use super::yaml::{Kind, Node};

/// Resolves the paths of one compose document against `base`.
pub(crate) fn resolve_paths(root: &mut Node, base: &Path, home: Option<&Path>) {
    let r = Resolver { base, home };
    let Some(root) = root.as_map_mut() else {
        return;
    };
    if let Some(services) = root.get_mut("services").and_then(|e| e.value.as_map_mut()) {
        for service in services.values_mut() {
            if let Some(service) = service.value.as_map_mut() {
                r.service(service);
            }
        }
    }
    for kind in ["secrets", "configs"] {
        if let Some(items) = root.get_mut(kind).and_then(|e| e.value.as_map_mut()) {
            for item in items.values_mut() {
                if let Some(file) = item.value.as_map_mut().and_then(|m| m.get_mut("file")) {
                    r.path(&mut file.value);
                }
            }
        }
    }
    if let Some(include) = root.get_mut("include") {
        for item in seq_mut(&mut include.value) {
            match &mut item.kind {
                Kind::Scalar(_) => r.path(item),
                Kind::Map(m) => {
                    for key in ["path", "env_file", "project_directory"] {
                        if let Some(e) = m.get_mut(key) {
                            r.path_or_list(&mut e.value);
                        }
                    }
                }
                Kind::Seq(_) => {}
            }
        }
    }
}

/// The items of a sequence, or the node itself when it is not one.
fn seq_mut(node: &mut Node) -> Vec<&mut Node> {
    if matches!(node.kind, Kind::Seq(_)) {
        match &mut node.kind {
            Kind::Seq(items) => items.iter_mut().collect(),
            _ => Vec::new(),
        }
    } else {
        vec![node]
    }
}

struct Resolver<'a> {
    base: &'a Path,
    home: Option<&'a Path>,
}

impl Resolver<'_> {
    fn service(&self, service: &mut super::yaml::Mapping) {
        if let Some(build) = service.get_mut("build") {
            match &mut build.value.kind {
                Kind::Scalar(_) => self.context(&mut build.value),
                Kind::Map(m) => {
                    if let Some(c) = m.get_mut("context") {
                        self.context(&mut c.value);
                    }
                }
                Kind::Seq(_) => {}
            }
        }
        if let Some(env_file) = service.get_mut("env_file") {
            for item in seq_mut(&mut env_file.value) {
                match &mut item.kind {
                    Kind::Scalar(_) => self.path(item),
                    Kind::Map(m) => {
                        if let Some(p) = m.get_mut("path") {
                            self.path(&mut p.value);
                        }
                    }
                    Kind::Seq(_) => {}
                }
            }
        }
        if let Some(volumes) = service
            .get_mut("volumes")
            .and_then(|e| match &mut e.value.kind {
                Kind::Seq(items) => Some(items),
                _ => None,
            })
        {
            for volume in volumes {
                self.volume(volume);
            }
        }
        if let Some(file) = service
            .get_mut("extends")
            .and_then(|e| e.value.as_map_mut())
            .and_then(|m| m.get_mut("file"))
        {
            self.path(&mut file.value);
        }
    }

    fn volume(&self, volume: &mut Node) {
        match &mut volume.kind {
            Kind::Scalar(s) => {
                let mut parts = s.text.splitn(2, ':');
                let source = parts.next().unwrap_or_default();
                let Some(rest) = parts.next() else { return };
                if source.starts_with('.') || source.starts_with('~') {
                    let resolved = self.resolve(source);
                    s.text = format!("{}:{rest}", resolved.display());
                }
            }
            Kind::Map(m) => {
                let is_bind = m
                    .get("type")
                    .and_then(|e| e.value.as_scalar())
                    .is_some_and(|s| s.text == "bind");
                if is_bind && let Some(source) = m.get_mut("source") {
                    self.path(&mut source.value);
                }
            }
            Kind::Seq(_) => {}
        }
    }

    fn context(&self, node: &mut Node) {
        let Some(s) = node.as_scalar() else { return };
        if !is_remote(&s.text) {
            self.path(node);
        }
    }

    fn path_or_list(&self, node: &mut Node) {
        for item in seq_mut(node) {
            self.path(item);
        }
    }

    /// Replaces a scalar path with its absolute form.
    fn path(&self, node: &mut Node) {
        if let Kind::Scalar(s) = &mut node.kind
            && !s.text.is_empty()
        {
            s.text = self.resolve(&s.text).display().to_string();
        }
    }

    fn resolve(&self, path: &str) -> PathBuf {
        let expanded = match (path.strip_prefix('~'), self.home) {
            (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with('/') => {
                home.join(rest.trim_start_matches('/'))
            }
            _ => PathBuf::from(path),
        };
        absolute(self.base, &expanded)
    }
}

/// True for build contexts that are not local directories.
fn is_remote(context: &str) -> bool {
    context.contains("://")
        || context.starts_with("git@")
        || context.starts_with("github.com/")
        || context
            .split('#')
            .next()
            .and_then(|c| c.rsplit_once('.'))
            .is_some_and(|(_, ext)| ext.eq_ignore_ascii_case("git"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::yaml::parse;

    #[test]
    fn paths_are_resolved_against_the_base() {
        let text = r"
services:
  web:
    build: ./app
    env_file: [a.env, {path: ../b.env, required: false}]
    volumes: ['./data:/data:ro', '~/cache:/cache', 'named:/n', {type: bind, source: ./x, target: /x}, {type: volume, source: v, target: /v}]
    extends: {file: base.yaml, service: b}
  api:
    build: {context: ../api, dockerfile: Dockerfile.dev}
    env_file: c.env
  remote:
    build: https://github.com/x/y.git#main
secrets: {s: {file: ./s.txt}}
configs: {c: {file: c.txt}}
include: [inc/compose.yaml, {path: [a/c.yaml], project_directory: a, env_file: a/.env}]
";
        let mut node = parse(text, 0).unwrap();
        resolve_paths(&mut node, Path::new("/p/q"), Some(Path::new("/home/u")));
        let j = node.to_json();
        let web = &j["services"]["web"];
        assert_eq!(web["build"], "/p/q/app");
        assert_eq!(web["env_file"][0], "/p/q/a.env");
        assert_eq!(web["env_file"][1]["path"], "/p/b.env");
        assert_eq!(web["volumes"][0], "/p/q/data:/data:ro");
        assert_eq!(web["volumes"][1], "/home/u/cache:/cache");
        assert_eq!(web["volumes"][2], "named:/n");
        assert_eq!(web["volumes"][3]["source"], "/p/q/x");
        assert_eq!(web["volumes"][4]["source"], "v");
        assert_eq!(web["extends"]["file"], "/p/q/base.yaml");
        assert_eq!(j["services"]["api"]["build"]["context"], "/p/api");
        assert_eq!(
            j["services"]["api"]["build"]["dockerfile"],
            "Dockerfile.dev"
        );
        assert_eq!(j["services"]["api"]["env_file"], "/p/q/c.env");
        assert_eq!(
            j["services"]["remote"]["build"],
            "https://github.com/x/y.git#main"
        );
        assert_eq!(j["secrets"]["s"]["file"], "/p/q/s.txt");
        assert_eq!(j["configs"]["c"]["file"], "/p/q/c.txt");
        assert_eq!(j["include"][0], "/p/q/inc/compose.yaml");
        assert_eq!(j["include"][1]["path"][0], "/p/q/a/c.yaml");
        assert_eq!(j["include"][1]["project_directory"], "/p/q/a");
        assert_eq!(j["include"][1]["env_file"], "/p/q/a/.env");
    }
}
