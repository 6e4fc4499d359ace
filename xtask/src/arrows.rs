//! Every arrow points down: no two modules of a crate import each other,
//! directly or around a circle.
//!
//! For each crate of the workspace, every `crate::`, `super::` and `self::`
//! path in its sources (outside `#[cfg(test)]` modules) is an arrow from the
//! module it is written in to the module it names. Two modules are compared
//! below the deepest module that holds both: an arrow from `listen::server`
//! to `listen::verdict` links the siblings `server` and `verdict`; an arrow
//! from a module to one of its ancestors (a child using what its parent
//! defines) or to its own descendants links no siblings. Among each module's
//! children, the arrows must not close a circle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module's path inside its crate, `[]` for the crate root.
type ModPath = Vec<String>;

/// Every `.rs` file under `src` with its module path.
fn modules(src: &Path) -> Vec<(ModPath, PathBuf)> {
    let mut found = Vec::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(src).expect("under src");
                let mut parts: ModPath = relative
                    .with_extension("")
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                if matches!(
                    parts.last().map(String::as_str),
                    Some("lib" | "main" | "mod")
                ) {
                    parts.pop();
                }
                found.push((parts, path));
            }
        }
    }
    found
}

/// The source without its `#[cfg(test)]` modules (from the attribute to the
/// end of the file: test modules come last in this workspace) and without
/// comment lines.
fn production(text: &str) -> String {
    let end = text.find("#[cfg(test)]\nmod ").unwrap_or(text.len());
    text[..end]
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The module paths `text`, written in module `here`, names: each
/// `crate::a::b`, `super::a`, `self::a` path, and the items of a `use`
/// group (`crate::{a, b::c}`).
fn named(here: &[String], text: &str) -> Vec<ModPath> {
    let mut out = Vec::new();
    for (start, _) in text.match_indices("crate::").chain(
        text.match_indices("super::")
            .chain(text.match_indices("self::")),
    ) {
        // Only a path's first segment: `whereby_webhooks_model::...` or
        // `foo_crate::x` do not count, nor `Self::`.
        let before = text[..start].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let mut base: ModPath = here.to_vec();
        let mut rest = &text[start..];
        loop {
            if let Some(tail) = rest.strip_prefix("crate::") {
                base.clear();
                rest = tail;
            } else if let Some(tail) = rest.strip_prefix("super::") {
                base.pop();
                rest = tail;
            } else if let Some(tail) = rest.strip_prefix("self::") {
                rest = tail;
            } else {
                break;
            }
        }
        if let Some(group) = rest.strip_prefix('{') {
            let inner = &group[..group.find('}').unwrap_or(group.len())];
            for item in inner.split(',') {
                out.push(extend(&base, item.trim()));
            }
        } else {
            out.push(extend(&base, rest));
        }
    }
    out
}

/// `base` followed by the identifiers of the path at the start of `rest`.
fn extend(base: &[String], mut rest: &str) -> ModPath {
    let mut path = base.to_vec();
    loop {
        let ident: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if ident.is_empty() {
            break;
        }
        rest = &rest[ident.len()..];
        path.push(ident);
        match rest.strip_prefix("::") {
            Some(tail) => rest = tail,
            None => break,
        }
    }
    path
}

/// The arrows between siblings of one crate: parent module, then the
/// (from, to) children of it.
fn arrows(src: &Path) -> BTreeMap<ModPath, BTreeSet<(String, String)>> {
    let modules = modules(src);
    let known: BTreeSet<&ModPath> = modules.iter().map(|(m, _)| m).collect();
    let mut edges: BTreeMap<ModPath, BTreeSet<(String, String)>> = BTreeMap::new();
    for (here, file) in &modules {
        let text = std::fs::read_to_string(file).expect("a source file reads");
        for mut target in named(here, &production(&text)) {
            // The deepest module the path names (the rest is an item).
            while !target.is_empty() && !known.contains(&target) {
                target.pop();
            }
            let common = here.iter().zip(&target).take_while(|(a, b)| a == b).count();
            // One is an ancestor of the other: no siblings are linked.
            if common == here.len() || common == target.len() {
                continue;
            }
            edges
                .entry(here[..common].to_vec())
                .or_default()
                .insert((here[common].clone(), target[common].clone()));
        }
    }
    edges
}

/// A circle among `edges`, if there is one.
fn circle(edges: &BTreeSet<(String, String)>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeSet<(String, String)>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut found = path[at..].to_vec();
            found.push(node.to_owned());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for (_, to) in edges.iter().filter(|(from, _)| from == node) {
            if let Some(found) = visit(to, edges, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    for (from, _) in edges {
        if let Some(found) = visit(from, edges, &mut Vec::new(), &mut done) {
            return Some(found);
        }
    }
    None
}

#[test]
fn no_two_modules_import_each_other() {
    let root = crate::codegen::project_root();
    let mut sources = vec![root.join("xtask/src")];
    for entry in std::fs::read_dir(root.join("crates")).expect("crates/") {
        sources.push(entry.expect("an entry").path().join("src"));
    }
    let mut circles = Vec::new();
    for src in &sources {
        for (parent, edges) in arrows(src) {
            if let Some(found) = circle(&edges) {
                circles.push(format!(
                    "{} in {}: {}",
                    src.display(),
                    if parent.is_empty() {
                        "the crate root".to_owned()
                    } else {
                        parent.join("::")
                    },
                    found.join(" -> ")
                ));
            }
        }
    }
    assert!(
        circles.is_empty(),
        "import circles:\n{}",
        circles.join("\n")
    );
}

#[test]
fn circles_are_found() {
    let dir = tempfile_dir();
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    };
    write("lib.rs", "mod a;\nmod b;\nmod c;\n");
    write("a.rs", "use crate::b::Thing;\n");
    write("b.rs", "use super::{c, d};\n");
    write(
        "c/mod.rs",
        "pub fn f() { crate::a::g() }\n#[cfg(test)]\nmod tests { use crate::b; }\n",
    );
    let edges = arrows(&dir);
    let found = circle(&edges[&Vec::new()]).expect("a circle");
    assert_eq!(found.first(), found.last());
    assert_eq!(found.len(), 4, "{found:?}");
    // Without c's arrow back to a, no circle: its test module does not count.
    write(
        "c/mod.rs",
        "pub fn f() {}\n#[cfg(test)]\nmod tests { use crate::a; }\n",
    );
    assert_eq!(circle(&arrows(&dir)[&Vec::new()]), None);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A fresh directory for a test's files.
fn tempfile_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "xtask-arrows-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    dir
}
