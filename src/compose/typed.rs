//! Typing: the merged YAML tree → [`Project`] (short syntaxes normalised).
//! STUB: replaced by the typing work.

use std::path::Path;

use super::project::Project;
use super::yaml::Node;
use crate::diagnostic::Diagnostics;

/// Types a merged, interpolated, path-resolved compose document.
/// Problems are pushed to `diags`; the returned project holds what could be typed.
pub(crate) fn type_project(
    root: &Node,
    name: String,
    working_dir: &Path,
    diags: &mut Diagnostics,
) -> Project {
    let _ = (root, diags);
    Project {
        name,
        working_dir: working_dir.to_path_buf(),
        services: indexmap::IndexMap::new(),
        networks: indexmap::IndexMap::new(),
        volumes: indexmap::IndexMap::new(),
        secrets: indexmap::IndexMap::new(),
        configs: indexmap::IndexMap::new(),
        extensions: indexmap::IndexMap::new(),
        ignored: Vec::new(),
    }
}
