//! `cargo xtask auth-hash`: turns a plaintext API key or password into the form the auth filter's
//! config stores (never the plaintext), generating strong secrets on request. Machine secrets get
//! the fast form (`hmac-sha256$`, 128 bits of entropy required); a password a person chose gets the
//! slow form with `--pbkdf2` (`pbkdf2-sha256$`, OWASP's 600,000 iterations).

use std::io::{Read, Write};

/// 128 bits: no leaked config can be brute-forced against a secret this strong, whatever the
/// hash speed (see filters/auth/README.md).
const MIN_BITS: f64 = 128.0;

fn random_bytes(count: usize) -> Result<Vec<u8>, String> {
    let mut bytes = vec![0u8; count];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| format!("cannot read /dev/urandom: {e}"))?;
    Ok(bytes)
}

/// A random secret of `len` characters from [A-Za-z0-9] (about 5.95 bits each).
fn generate(len: usize) -> Result<String, String> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(len);
    while out.len() < len {
        for byte in random_bytes(len)? {
            // Rejection sampling keeps the distribution uniform.
            if (byte as usize) < 248 && out.len() < len {
                out.push(char::from(ALPHABET[byte as usize % 62]));
            }
        }
    }
    Ok(out)
}

/// Length times the bits of the character classes used: an upper bound, a guard against short
/// or single-class secrets, not a proof of randomness.
pub fn estimated_bits(secret: &str) -> f64 {
    let mut pool = 0u32;
    if secret.chars().any(|c| c.is_ascii_lowercase()) {
        pool += 26;
    }
    if secret.chars().any(|c| c.is_ascii_uppercase()) {
        pool += 26;
    }
    if secret.chars().any(|c| c.is_ascii_digit()) {
        pool += 10;
    }
    if secret.chars().any(|c| !c.is_ascii_alphanumeric()) {
        pool += 33;
    }
    let distinct = {
        let mut chars: Vec<char> = secret.chars().collect();
        chars.sort_unstable();
        chars.dedup();
        chars.len()
    };
    // A secret of few distinct characters ("aaaa...") counts for little whatever its length.
    let length = secret.chars().count().min(distinct * 4);
    length as f64 * f64::from(pool.max(1)).log2()
}

/// NIST SP 800-63B's floor for passwords people choose.
const MIN_HUMAN_CHARS: usize = 8;

fn check_strength(secret: &str, what: &str) -> Result<(), String> {
    let bits = estimated_bits(secret);
    if bits < MIN_BITS {
        return Err(format!(
            "this {what} has about {bits:.0} bits of entropy at most; at least {MIN_BITS:.0} are required (use --generate, or 22+ random letters and digits)"
        ));
    }
    Ok(())
}

pub fn auth_hash(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("api-key") => {
            let (key, generated) = match args.get(1) {
                Some(key) => (key.clone(), false),
                None => (generate(32)?, true),
            };
            check_strength(&key, "API key")?;
            if generated {
                eprintln!("generated API key (give it to the consumer; it is not stored anywhere):\n{key}\n");
            }
            println!(r#"{{"consumer": "CONSUMER-NAME", "sha256": "{}"}}"#, sieve_auth::apikey::digest_hex(&key));
            Ok(())
        }
        Some("password") => {
            const USAGE: &str = "auth-hash password USER [--generate | --pbkdf2 [--iterations N]]";
            let username = args.get(1).filter(|u| !u.starts_with("--")).ok_or(USAGE)?;
            let mut generate_it = false;
            let mut pbkdf2 = false;
            let mut iterations = sieve_auth::basic::PBKDF2_ITERATIONS;
            let mut rest = args.iter().skip(2);
            while let Some(flag) = rest.next() {
                match flag.as_str() {
                    "--generate" => generate_it = true,
                    "--pbkdf2" => pbkdf2 = true,
                    "--iterations" => {
                        iterations = rest
                            .next()
                            .and_then(|n| n.parse().ok())
                            .filter(|n| {
                                (sieve_auth::basic::MIN_PBKDF2_ITERATIONS..=sieve_auth::basic::MAX_PBKDF2_ITERATIONS)
                                    .contains(n)
                            })
                            .ok_or_else(|| {
                                format!(
                                    "--iterations needs a number from {} to {}",
                                    sieve_auth::basic::MIN_PBKDF2_ITERATIONS,
                                    sieve_auth::basic::MAX_PBKDF2_ITERATIONS
                                )
                            })?
                    }
                    other => return Err(format!("unknown option {other}; {USAGE}")),
                }
            }
            if generate_it && pbkdf2 {
                return Err("--generate makes a 128-bit secret, which needs no slow hash: use one or the other".into());
            }
            if iterations != sieve_auth::basic::PBKDF2_ITERATIONS && !pbkdf2 {
                return Err("--iterations goes with --pbkdf2".into());
            }
            let password = if generate_it {
                let password = generate(24)?;
                eprintln!("generated password for {username}:\n{password}\n");
                password
            } else {
                eprint!("password for {username} (read from stdin): ");
                let _ = std::io::stderr().flush();
                let mut line = String::new();
                std::io::stdin().read_line(&mut line).map_err(|e| e.to_string())?;
                line.trim_end_matches(['\n', '\r']).to_string()
            };
            let salt = random_bytes(16)?;
            let stored = if pbkdf2 {
                // A person's password: the slow hash is what protects it if the config leaks.
                if password.chars().count() < MIN_HUMAN_CHARS {
                    return Err(format!("a password needs at least {MIN_HUMAN_CHARS} characters"));
                }
                if iterations < sieve_auth::basic::PBKDF2_ITERATIONS {
                    eprintln!(
                        "note: {iterations} iterations is below OWASP's {}",
                        sieve_auth::basic::PBKDF2_ITERATIONS
                    );
                }
                sieve_auth::basic::hash_password_pbkdf2(&password, &salt, iterations)
            } else {
                check_strength(&password, "password").map_err(|e| {
                    format!("{e}; for a password a person chose, use --pbkdf2 (a slow hash, budgeted by the filter)")
                })?;
                sieve_auth::basic::hash_password(&password, &salt)
            };
            println!(r#"{{"username": "{username}", "password_hash": "{stored}"}}"#);
            Ok(())
        }
        _ => Err(
            "usage: cargo xtask auth-hash api-key [KEY] | auth-hash password USER [--generate | --pbkdf2 [--iterations N]]"
                .into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_secrets_are_refused_and_generated_ones_pass() {
        assert!(check_strength("password123", "password").is_err());
        assert!(check_strength(&"a".repeat(100), "password").is_err());
        assert!(check_strength("correcthorsebatterystaple", "password").is_err());
        let generated = generate(24).unwrap();
        assert_eq!(generated.len(), 24);
        assert!(check_strength(&generated, "password").is_ok(), "{generated}");
        assert!(check_strength("sieve-demo-key-0123456789abcdef", "API key").is_ok());
    }

    #[test]
    fn a_chosen_password_gets_the_slow_form_with_pbkdf2() {
        let args = |extra: &[&str]| {
            let mut args = vec!["password".to_string(), "carol".to_string()];
            args.extend(extra.iter().map(|s| s.to_string()));
            args
        };
        assert!(auth_hash(&args(&["--generate", "--pbkdf2"])).unwrap_err().contains("one or the other"));
        assert!(auth_hash(&args(&["--iterations", "5000"])).unwrap_err().contains("goes with --pbkdf2"));
        assert!(auth_hash(&args(&["--pbkdf2", "--iterations", "10"])).unwrap_err().contains("--iterations needs"));
        assert!(auth_hash(&args(&["--bcrypt"])).unwrap_err().contains("unknown option"));
    }
}
