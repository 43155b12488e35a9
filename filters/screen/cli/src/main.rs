//! `sieve-screen`: builds the prebuilt blob the screen filter loads (from a text file of keys, one
//! per line), and inspects and queries blobs.
//!
//! ```text
//! sieve-screen build --backend bloom --fp-rate 0.001 keys.txt -o keys.blob
//! sieve-screen stats keys.blob
//! sieve-screen check keys.blob 203.0.113.7 198.51.100.1
//! sieve-screen encode keys.blob            # base64, for "list": {"blob": "..."}
//! ```

use base64::Engine;
use indicatif::{ProgressBar, ProgressStyle};
use sieve_screen::key::KeyForm;
use sieve_screen_set::{random_seed, Backend, Normalize, ScreenSet, CUCKOO_FP_RATE};
use std::io::{BufRead, BufReader, Write};
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage:
  sieve-screen build --backend bloom|cuckoo [--key address|path|text] [--fp-rate R] [--capacity N] [--lowercase] [--trim-trailing-slash] KEYS.txt -o OUT.blob
  sieve-screen stats BLOB
  sieve-screen check BLOB KEY...
  sieve-screen encode BLOB

KEYS.txt: one key per line; empty lines and lines starting with # are skipped.
--key: what the filter screens, so that entries are written as requests' keys are: `address`
  (client_ip keys: IPv6 in RFC 5952 form, IPv4-mapped as IPv4; ranges and ports refused), `path`
  (normalised as path rules read paths; ambiguous paths refused) or `text` (default: trimmed).
--fp-rate: Bloom target false-positive rate (default 0.01); Cuckoo's is fixed at about 3.1%.
--capacity: keys the filter is sized for (default: the number of keys; give room for feed deltas).";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("build") => build(args.get(1..).unwrap_or_default()),
        Some("stats") => stats(args.get(1..).unwrap_or_default()),
        Some("check") => check(args.get(1..).unwrap_or_default()),
        Some("encode") => encode(args.get(1..).unwrap_or_default()),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("sieve-screen: {message}");
            ExitCode::FAILURE
        }
    }
}

fn keys_in(path: &str) -> Result<impl Iterator<Item = String>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{path}: {e}"))?;
    Ok(BufReader::new(file)
        .lines()
        .map_while(Result::ok)
        .map(|line| line.trim().to_string())
        .filter(|line| !line.is_empty() && !line.starts_with('#')))
}

fn build(args: &[String]) -> Result<(), String> {
    let mut backend = None;
    let mut fp_rate = None;
    let mut capacity = None;
    let mut normalize = Normalize::default();
    let mut form = KeyForm::Text;
    let mut input = None;
    let mut output = None;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let mut value = || iter.next().cloned().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--backend" => {
                let name = value()?;
                backend = Some(match Backend::parse(&name) {
                    Some(Backend::Exact) | None => {
                        return Err(format!("--backend {name}: bloom or cuckoo (exact lists go in the config)"))
                    }
                    Some(b) => b,
                });
            }
            "--fp-rate" => fp_rate = Some(value()?.parse::<f64>().map_err(|e| format!("--fp-rate: {e}"))?),
            "--capacity" => capacity = Some(value()?.parse::<u64>().map_err(|e| format!("--capacity: {e}"))?),
            "--key" => {
                let name = value()?;
                form = KeyForm::parse(&name).ok_or_else(|| format!("--key {name}: address, path or text"))?;
            }
            "--lowercase" => normalize.lowercase = true,
            "--trim-trailing-slash" => normalize.trim_trailing_slash = true,
            "-o" | "--output" => output = Some(value()?),
            other if !other.starts_with('-') && input.is_none() => input = Some(other.to_string()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    let backend = backend.ok_or("--backend is required")?;
    let input = input.ok_or("the keys file is required")?;
    let output = output.ok_or("-o OUT.blob is required")?;
    let fp_rate = fp_rate.unwrap_or(if backend == Backend::Cuckoo { CUCKOO_FP_RATE } else { 0.01 });

    let started = Instant::now();
    let count = keys_in(&input)?.count() as u64;
    if count == 0 {
        return Err(format!("{input} holds no keys"));
    }
    let capacity = capacity.unwrap_or(count);
    if count > capacity {
        return Err(format!("{count} keys exceed --capacity {capacity}"));
    }
    let mut set = ScreenSet::new(backend, capacity, fp_rate, normalize, random_seed(b"")).map_err(|e| e.to_string())?;
    let bar = ProgressBar::new(count);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {bar:40} {pos}/{len} keys ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    for (index, key) in keys_in(&input)?.enumerate() {
        // An entry that can never match a key is an error in the input, not something to skip.
        let key = form.canonical(&key).map_err(|e| format!("key {}: {e}", index + 1))?;
        set.insert(&key).map_err(|e| format!("key {} ({key:?}): {e}", index + 1))?;
        if index % 4096 == 0 {
            bar.set_position(index as u64);
        }
    }
    bar.finish_and_clear();
    let blob = set.to_blob().map_err(|e| e.to_string())?;
    std::fs::write(&output, &blob).map_err(|e| format!("{output}: {e}"))?;
    let stats = set.stats();
    eprintln!(
        "built {output}: {} keys, {} backend, {} bytes ({:.2} bits/key), target false-positive rate {}, in {:.1} s",
        stats.keys,
        backend.name(),
        blob.len(),
        blob.len() as f64 * 8.0 / stats.keys as f64,
        fp_rate,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn load(path: &str) -> Result<(ScreenSet, usize), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    let set = ScreenSet::from_blob(&bytes).map_err(|e| format!("{path}: {e}"))?;
    Ok((set, bytes.len()))
}

fn stats(args: &[String]) -> Result<(), String> {
    let path = args.first().ok_or(USAGE)?;
    let (set, size) = load(path)?;
    let s = set.stats();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "blob            {path} ({size} bytes, checksum ok, format 1)");
    let _ = writeln!(out, "backend         {}", s.backend.name());
    let _ = writeln!(out, "keys            {}", s.keys);
    let _ = writeln!(out, "filter bits     {} ({:.2} per key)", s.bits, s.bits_per_key);
    let _ = writeln!(out, "blob bits/key   {:.2}", size as f64 * 8.0 / s.keys.max(1) as f64);
    let _ = writeln!(out, "target fp rate  {}", s.target_fp_rate);
    let _ = writeln!(out, "expected fp     {:.5} (at this fill)", s.expected_fp_rate);
    if let Some(load) = s.load {
        let _ = writeln!(out, "load            {:.1}%", load * 100.0);
    }
    if let Some(k) = s.hash_functions {
        let _ = writeln!(out, "hash functions  {k}");
    }
    let n = set.normalize();
    let _ = writeln!(out, "normalisation   lowercase={} trim_trailing_slash={}", n.lowercase, n.trim_trailing_slash);
    Ok(())
}

fn check(args: &[String]) -> Result<(), String> {
    let (path, keys) = args.split_first().ok_or(USAGE)?;
    if keys.is_empty() {
        return Err("give keys to check".into());
    }
    let (set, _) = load(path)?;
    for key in keys {
        if set.contains(key) {
            println!("{key}\tin the list (or a false positive)");
        } else {
            println!("{key}\tnot in the list");
        }
    }
    Ok(())
}

fn encode(args: &[String]) -> Result<(), String> {
    let path = args.first().ok_or(USAGE)?;
    let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    ScreenSet::from_blob(&bytes).map_err(|e| format!("{path}: {e}"))?;
    println!("{}", base64::engine::general_purpose::STANDARD.encode(bytes));
    Ok(())
}
