//! `wordfreq PATH...`: counts lines, words and bytes of each file (a directory stands for
//! the files in it), then prints the five most frequent words overall. Built for
//! `wasm32-wasip1`, it exercises arguments, the environment, preopened directories,
//! directory listing, file reads and stdout/stderr through WASI.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn files(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if !fs::metadata(path)?.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut list = Vec::new();
    for entry in fs::read_dir(path)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            list.push(entry.path());
        }
    }
    list.sort();
    Ok(list)
}

fn main() -> ExitCode {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        eprintln!("usage: wordfreq PATH...");
        return ExitCode::from(2);
    }
    let top = std::env::var("WORDFREQ_TOP").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let mut counts: HashMap<String, usize> = HashMap::new();
    for path in &paths {
        let list = match files(Path::new(path)) {
            Ok(list) => list,
            Err(e) => {
                eprintln!("wordfreq: {path}: {e}");
                return ExitCode::FAILURE;
            }
        };
        for file in list {
            let text = match fs::read_to_string(&file) {
                Ok(text) => text,
                Err(e) => {
                    eprintln!("wordfreq: {}: {e}", file.display());
                    return ExitCode::FAILURE;
                }
            };
            let mut words = 0;
            for word in text.split(|c: char| !c.is_alphanumeric() && c != '\'') {
                let word = word.trim_matches('\'').to_lowercase();
                if !word.is_empty() {
                    words += 1;
                    *counts.entry(word).or_default() += 1;
                }
            }
            println!("{:>6} {:>6} {:>7} {}", text.lines().count(), words, text.len(), file.display());
        }
    }
    let mut ranked: Vec<(String, usize)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let shown: Vec<String> = ranked.iter().take(top).map(|(w, n)| format!("{w} {n}")).collect();
    println!("top: {}", shown.join(", "));
    ExitCode::SUCCESS
}
