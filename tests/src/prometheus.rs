//! Envoy's `/stats/prometheus` text, parsed: what a Prometheus server would store.

use std::collections::BTreeMap;

/// One sample: `name{label="value",...} value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// The samples of the exposition text (comments and `# TYPE` lines skipped).
pub fn samples(text: &str) -> Vec<Sample> {
    text.lines().filter(|line| !line.starts_with('#') && !line.trim().is_empty()).filter_map(sample).collect()
}

/// The `# TYPE <family> <type>` lines: family name and type.
pub fn families(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| {
            let mut words = line.strip_prefix("# TYPE ")?.split_whitespace();
            Some((words.next()?.to_string(), words.next()?.to_string()))
        })
        .collect()
}

fn sample(line: &str) -> Option<Sample> {
    let (series, value) = line.rsplit_once(' ')?;
    let value = value.parse().ok()?;
    let (name, labels) = match series.split_once('{') {
        None => (series, BTreeMap::new()),
        Some((name, rest)) => (name, labels(rest.strip_suffix('}')?)?),
    };
    Some(Sample { name: name.to_string(), labels, value })
}

/// `a="x",b="y"` (values escaped as Prometheus escapes them: `\"`, `\\`, `\n`).
fn labels(text: &str) -> Option<BTreeMap<String, String>> {
    let mut labels = BTreeMap::new();
    let mut rest = text;
    while !rest.is_empty() {
        let (name, after) = rest.split_once("=\"")?;
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            match chars.next()? {
                (_, '\\') => match chars.next()?.1 {
                    'n' => value.push('\n'),
                    other => value.push(other),
                },
                (at, '"') => break at,
                (_, c) => value.push(c),
            }
        };
        labels.insert(name.trim_start_matches(',').to_string(), value);
        rest = after.get(end + 1..)?.trim_start_matches(',');
    }
    Some(labels)
}

/// The value of the sample of `family` with exactly `labels` (others empty or absent).
pub fn value(samples: &[Sample], family: &str, labels: &[(&str, &str)]) -> Option<f64> {
    samples
        .iter()
        .find(|s| {
            s.name == family
                && labels.iter().all(|(k, v)| s.labels.get(*k).map(String::as_str).unwrap_or("") == *v)
                && s.labels.iter().all(|(k, v)| v.is_empty() || labels.iter().any(|(name, _)| name == k))
        })
        .map(|s| s.value)
}
