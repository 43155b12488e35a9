//! The proxy-wasm ABI's byte layouts, decoded without trusting the host: a short or inconsistent
//! buffer yields what could be read, never a panic.

/// Header pairs: `count: u32`, then `count` times `(name_len: u32, value_len: u32)`, then each name
/// and value followed by a NUL byte. Integers are little-endian.
pub fn encode_pairs(pairs: &[(&str, &[u8])]) -> Vec<u8> {
    let mut size = 4;
    for (name, value) in pairs {
        size += 8 + name.len() + value.len() + 2;
    }
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(&(pairs.len() as u32).to_le_bytes());
    for (name, value) in pairs {
        out.extend_from_slice(&(name.len() as u32).to_le_bytes());
        out.extend_from_slice(&(value.len() as u32).to_le_bytes());
    }
    for (name, value) in pairs {
        out.extend_from_slice(name.as_bytes());
        out.push(0);
        out.extend_from_slice(value);
        out.push(0);
    }
    out
}

pub fn decode_pairs(bytes: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    let Some(count) = read_u32(bytes, 0) else { return Vec::new() };
    let count = count as usize;
    // Each pair takes at least 10 bytes: do not let a bogus count reserve memory.
    let mut pairs = Vec::with_capacity(count.min(bytes.len() / 10));
    let mut data_at = 4usize.saturating_add(count.saturating_mul(8));
    for index in 0..count {
        let sizes_at = 4 + index * 8;
        let (Some(name_len), Some(value_len)) = (read_u32(bytes, sizes_at), read_u32(bytes, sizes_at + 4)) else {
            break;
        };
        let Some(name) = slice(bytes, data_at, name_len as usize) else { break };
        data_at = data_at.saturating_add(name_len as usize + 1);
        let Some(value) = slice(bytes, data_at, value_len as usize) else { break };
        data_at = data_at.saturating_add(value_len as usize + 1);
        pairs.push((name.to_vec(), value.to_vec()));
    }
    pairs
}

/// A property path: each segment followed by a NUL byte.
pub fn encode_property_path(path: &[&str]) -> Vec<u8> {
    let mut out = Vec::with_capacity(path.iter().map(|s| s.len() + 1).sum());
    for segment in path {
        out.extend_from_slice(segment.as_bytes());
        out.push(0);
    }
    out
}

fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let raw = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(raw.try_into().ok()?))
}

fn slice(bytes: &[u8], at: usize, len: usize) -> Option<&[u8]> {
    bytes.get(at..at.checked_add(len)?)
}

#[cfg(test)]
#[path = "wire_test.rs"]
mod tests;
