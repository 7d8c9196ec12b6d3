//! The README and the pages in `docs/` cannot rot unnoticed: every link that is not a web address
//! leads to a file of this repository (and to a heading there, when it names one), every code block
//! marked as a copy of a file is that file byte for byte, the README stays short, and the demo
//! transcript the README shows is the one numpy prints for the same session.

// A test reports failure by panicking.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use wasm_memmap_tests::{numpy, workspace_root};

/// What a page writes just before a fenced code block that must equal a file of the repository
/// (the path after it is relative to the top of the repository): `<!-- copy of: PATH -->`.
const COPY_MARKER: &str = "<!-- copy of: ";

/// The README and every Markdown page under `docs/`.
fn pages() -> Vec<PathBuf> {
    let root = workspace_root();
    let mut pages = vec![root.join("README.md")];
    let mut dirs = vec![root.join("docs")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|ext| ext == "md") {
                pages.push(path);
            }
        }
    }
    pages.sort();
    pages
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// `path` relative to the top of the repository, for messages.
fn shown(path: &Path) -> String {
    path.strip_prefix(workspace_root()).unwrap_or(path).display().to_string()
}

/// Whether `line` opens or closes a fenced code block.
fn is_fence(line: &str) -> bool {
    line.trim_start().starts_with("```")
}

/// The page's text outside fenced code blocks and inline code spans, where a link is a link.
fn prose(text: &str) -> String {
    let mut out = String::new();
    let mut fenced = false;
    for line in text.lines() {
        if is_fence(line) {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        // Inline code spans (`...`) are dropped; a lone backquote keeps the rest of the line.
        let mut in_code = false;
        for (i, part) in line.split('`').enumerate() {
            if i > 0 {
                in_code = !in_code;
            }
            if !in_code {
                out.push_str(part);
            }
        }
        out.push('\n');
    }
    out
}

/// The targets of the page's inline links and images (`[text](target)`, `![alt](target)`).
fn link_targets(text: &str) -> Vec<String> {
    let prose = prose(text);
    let mut targets = Vec::new();
    let mut rest = prose.as_str();
    while let Some(at) = rest.find("](") {
        rest = &rest[at + 2..];
        // A target may hold balanced parentheses; it ends at the first unbalanced `)`.
        let mut depth = 0usize;
        let end = rest
            .char_indices()
            .find(|&(_, c)| match c {
                '(' => {
                    depth += 1;
                    false
                }
                ')' if depth == 0 => true,
                ')' => {
                    depth -= 1;
                    false
                }
                _ => false,
            })
            .map_or(rest.len(), |(i, _)| i);
        // `[text](target "title")`: the title is not part of the target.
        let target = rest[..end].split_whitespace().next().unwrap_or("").trim_matches(['<', '>']);
        targets.push(target.to_owned());
        rest = &rest[end..];
    }
    targets
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of a page's headings (`#`-style, outside code blocks).
fn anchors(text: &str) -> Vec<String> {
    let mut fenced = false;
    let mut anchors = Vec::new();
    for line in text.lines() {
        if is_fence(line) {
            fenced = !fenced;
        } else if !fenced && line.starts_with('#') {
            let title = line.trim_start_matches('#');
            if title.starts_with(' ') {
                anchors.push(slug(&title.replace('`', "")));
            }
        }
    }
    anchors
}

#[test]
fn every_link_in_the_readme_and_docs_leads_to_a_file_of_the_repository() {
    let root = workspace_root().canonicalize().unwrap();
    let mut broken = Vec::new();
    for page in pages() {
        let text = read(&page);
        for target in link_targets(&text) {
            if target.starts_with("http://") || target.starts_with("https://") || target.starts_with("mailto:") {
                continue;
            }
            let (file, anchor) = match target.split_once('#') {
                Some((file, anchor)) => (file, Some(anchor)),
                None => (target.as_str(), None),
            };
            let resolved = if file.is_empty() { page.clone() } else { page.parent().unwrap().join(file) };
            let Ok(resolved) = resolved.canonicalize() else {
                broken.push(format!("{}: `{target}` names no file", shown(&page)));
                continue;
            };
            if !resolved.starts_with(&root) {
                broken.push(format!("{}: `{target}` leads outside the repository", shown(&page)));
                continue;
            }
            if let Some(anchor) = anchor
                && resolved.extension().is_some_and(|ext| ext == "md")
                && !anchors(&read(&resolved)).iter().any(|a| a == anchor)
            {
                broken.push(format!("{}: `{target}` names no heading of {}", shown(&page), shown(&resolved)));
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// The code blocks of `text` marked as copies of files: (the file's path, the block's text).
fn marked_copies(text: &str) -> Vec<(String, String)> {
    let mut copies = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(path) = line.trim().strip_prefix(COPY_MARKER).and_then(|rest| rest.strip_suffix("-->")) else {
            continue;
        };
        let fence = lines.next().unwrap_or_default();
        assert!(is_fence(fence), "`{line}` is not followed by a code block");
        let mut block = String::new();
        for line in lines.by_ref() {
            if is_fence(line) {
                break;
            }
            block.push_str(line);
            block.push('\n');
        }
        copies.push((path.trim().to_owned(), block));
    }
    copies
}

#[test]
fn every_code_block_marked_as_a_copy_equals_its_file_byte_for_byte() {
    let root = workspace_root();
    let mut copies = 0;
    for page in pages() {
        for (path, block) in marked_copies(&read(&page)) {
            let file = read(&root.join(&path));
            assert!(
                block == file,
                "{}: the code block marked `{COPY_MARKER}{path} -->` differs from {path}; paste the file's text again",
                shown(&page)
            );
            copies += 1;
        }
    }
    assert!(copies > 0, "no page shows a marked copy of a file");
}

#[test]
fn the_embedding_page_shows_the_compiled_embedding_example() {
    let page = read(&workspace_root().join("docs/embedding.md"));
    let shown: Vec<String> = marked_copies(&page).into_iter().map(|(path, _)| path).collect();
    assert!(
        shown.iter().any(|p| p == "host/memmap/examples/embed.rs"),
        "docs/embedding.md must show host/memmap/examples/embed.rs (marked `{COPY_MARKER}host/memmap/examples/embed.rs -->`), the program the build compiles; it shows {shown:?}"
    );
}

#[test]
fn the_readme_stays_short() {
    let lines = read(&workspace_root().join("README.md")).lines().count();
    assert!(lines <= 150, "README.md has {lines} lines; move detail into docs/ (at most 150)");
}

#[test]
fn the_readme_shows_the_test_command_where_ci_finds_it() {
    let readme = read(&workspace_root().join("README.md"));
    let marker = "<!-- test command: .ci/run runs the line below -->";
    let after = readme.split_once(marker).map(|(_, after)| after).expect("README.md lost the test command's marker");
    let mut lines = after.lines().skip_while(|l| l.trim().is_empty());
    assert!(lines.next().is_some_and(|l| l.starts_with("```")), "the marker must be followed by a code block");
    let command = lines.next().unwrap_or_default();
    assert!(command.contains("cargo test --release"), "the test command must run the tests, not `{command}`");
}

/// The README's demo transcript: the `text` code block that starts with the session's first cell.
fn readme_transcript() -> String {
    let readme = read(&workspace_root().join("README.md"));
    let start = readme.find("```text\nIn [217]:").expect("README.md shows the demo's transcript in a ```text block");
    let body = &readme[start + "```text\n".len()..];
    let end = body.find("\n```").expect("the transcript's code block ends");
    body[..=end].to_owned()
}

#[test]
fn the_readme_transcript_is_what_numpy_prints_for_the_session_with_seed_12345() {
    // The `session` tests hold the demo's output equal to numpy's for the same seed, so this keeps
    // the README equal to what `wasm-memmap demo` prints.
    let session = read(&workspace_root().join("examples/session.py"));
    let dir = tempfile::tempdir().unwrap();
    let numpy_transcript = numpy::run_in(&session, &["--echo"], dir.path());
    assert_eq!(readme_transcript(), numpy_transcript, "README.md's transcript is not numpy's for seed 12345");
}

#[test]
fn the_link_reader_finds_links_and_headings_as_github_does() {
    let text =
        "See [a](docs/a.md#the-x-flag) and ![i](b.png \"t\").\n`[no](c.md)`\n```\n[no](d.md)\n```\n## The `--x` flag\n";
    assert_eq!(link_targets(text), ["docs/a.md#the-x-flag", "b.png"]);
    assert_eq!(anchors(text), ["the---x-flag"]);
    assert_eq!(slug("Sandbox and limits"), "sandbox-and-limits");
    assert_eq!(slug("What `item` takes: i64"), "what-item-takes-i64");
}
