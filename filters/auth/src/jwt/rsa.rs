//! RSA signature verification (RFC 8017: RSASSA-PKCS1-v1_5 and RSASSA-PSS) with a dedicated
//! public-key operation: `s^e mod n` by Montgomery multiplication over 32-bit limbs with 64-bit
//! products — Wasm's native `i64.mul` — instead of a general-purpose bignum library. A public
//! exponent of 65537 takes 17 modular products of 2048-bit numbers; the generic arithmetic under
//! the `rsa` crate 0.9 (`num-bigint-dig`) took about six times longer in V8 for the same
//! verification (`cargo xtask bench-auth`).
//!
//! Everything here is public (the key, the signature, the message): no secret flows through it,
//! so it is not constant-time. Its results are tested against the `rsa` crate (RustCrypto) on the
//! host: the raw operation on random moduli of every size, and whole verifications of valid,
//! tampered and hand-built encoded messages (`rsa_test.rs`).

use sha2::Digest;

/// Largest modulus accepted, in bits (as the `rsa` crate's `RsaPublicKey::new`).
pub const MAX_BITS: usize = 4096;
/// Public exponents accepted (as the `rsa` crate): 2 ..= 2^33 - 1.
pub const MIN_EXPONENT: u64 = 2;
pub const MAX_EXPONENT: u64 = (1 << 33) - 1;

/// A public key, prepared once for fast verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsaKey {
    /// The modulus, little-endian 32-bit limbs, no leading zero limb.
    n: Vec<u32>,
    /// `-n^-1 mod 2^32`.
    n0: u32,
    /// `R^2 mod n` with `R = 2^(32·limbs)`: maps a number into the Montgomery domain.
    rr: Vec<u32>,
    e: u64,
    bits: usize,
}

/// Little-endian 32-bit limbs of a big-endian byte string (leading zeros dropped).
fn limbs_of(bytes: &[u8]) -> Vec<u32> {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    let bytes = bytes.get(start..).unwrap_or_default();
    bytes.rchunks(4).map(|chunk| chunk.iter().fold(0u32, |limb, byte| (limb << 8) | u32::from(*byte))).collect()
}

/// `a >= b` for equal-length little-endian numbers.
fn geq(a: &[u32], b: &[u32]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x > y;
        }
    }
    true
}

/// `a -= b` (equal lengths), returning the borrow.
fn sub_in_place(a: &mut [u32], b: &[u32]) -> u32 {
    let mut borrow = 0u64;
    for (x, y) in a.iter_mut().zip(b) {
        let d = u64::from(*x).wrapping_sub(u64::from(*y)).wrapping_sub(borrow);
        *x = d as u32;
        borrow = (d >> 63) & 1;
    }
    borrow as u32
}

/// `-n0^-1 mod 2^32` for odd `n0` (Newton's iteration: each step doubles the correct bits).
fn neg_inverse(n0: u32) -> u32 {
    let mut inv = 1u32;
    for _ in 0..5 {
        inv = inv.wrapping_mul(2u32.wrapping_sub(n0.wrapping_mul(inv)));
    }
    inv.wrapping_neg()
}

impl RsaKey {
    /// The key of modulus `n` and exponent `e`, both big-endian (as in a JWK). Refuses what the
    /// `rsa` crate's `RsaPublicKey::new` refuses: a modulus over 4096 bits or even, an exponent
    /// even, outside 2 ..= 2^33 - 1, or not below the modulus.
    pub fn new(n: &[u8], e: &[u8]) -> Result<RsaKey, String> {
        let n = limbs_of(n);
        let Some(top) = n.last() else { return Err("the modulus is zero".into()) };
        let bits = n.len() * 32 - top.leading_zeros() as usize;
        if bits > MAX_BITS {
            return Err(format!("the modulus is over {MAX_BITS} bits"));
        }
        if n.first().is_none_or(|low| low & 1 == 0) {
            return Err("the modulus is even".into());
        }
        let e_limbs = limbs_of(e);
        if e_limbs.len() > 2 {
            return Err("the public exponent is too large".into());
        }
        let e = e_limbs.iter().rev().fold(0u64, |acc, limb| (acc << 32) | u64::from(*limb));
        if e < MIN_EXPONENT {
            return Err("the public exponent is too small".into());
        }
        if e > MAX_EXPONENT {
            return Err("the public exponent is too large".into());
        }
        if e & 1 == 0 {
            return Err("the public exponent is even".into());
        }
        if bits <= 64 && n.iter().rev().fold(0u64, |acc, limb| (acc << 32) | u64::from(*limb)) <= e {
            return Err("the public exponent is not below the modulus".into());
        }
        let n0 = neg_inverse(n.first().copied().unwrap_or(1));
        let mut key = RsaKey { n, n0, rr: Vec::new(), e, bits };
        key.rr = key.r_squared();
        Ok(key)
    }

    /// Size of the modulus in bits.
    pub fn bits(&self) -> usize {
        self.bits
    }

    /// Size of the modulus (and of a signature) in bytes.
    pub fn size(&self) -> usize {
        self.bits.div_ceil(8)
    }

    /// The public operation on a signature: `s^e mod n` as `size()` big-endian bytes. `None` when
    /// the signature is not exactly `size()` bytes or is not below the modulus (RFC 8017 5.2.2).
    pub fn public(&self, signature: &[u8]) -> Option<Vec<u8>> {
        if signature.len() != self.size() {
            return None;
        }
        let mut s = limbs_of(signature);
        if s.len() > self.n.len() {
            return None;
        }
        s.resize(self.n.len(), 0);
        if geq(&s, &self.n) {
            return None;
        }
        let m = self.pow(&s);
        let mut out = vec![0u8; self.size()];
        for (byte, slot) in m.iter().flat_map(|limb| limb.to_le_bytes()).zip(out.iter_mut().rev()) {
            *slot = byte;
        }
        Some(out)
    }

    /// `base^e mod n` for `base < n` (left-to-right square and multiply).
    fn pow(&self, base: &[u32]) -> Vec<u32> {
        let mut scratch = Scratch::new(self.n.len());
        // Into the Montgomery domain: base·R mod n.
        let mont_base = self.mul(base, &self.rr, &mut scratch);
        let mut x = mont_base.clone();
        let top = 63 - self.e.leading_zeros();
        for bit in (0..top).rev() {
            x = self.mul(&x, &x, &mut scratch);
            if (self.e >> bit) & 1 == 1 {
                x = self.mul(&x, &mont_base, &mut scratch);
            }
        }
        // Out of it: x·1·R^-1.
        let mut one = vec![0u32; self.n.len()];
        if let Some(low) = one.first_mut() {
            *low = 1;
        }
        self.mul(&x, &one, &mut scratch)
    }

    /// `R^2 mod n`, once per key: 2^(bits-1) (below n, which is odd) doubled modulo n up to
    /// 2^limbs·R, the Montgomery form of 2^limbs; five Montgomery squarings take it to
    /// 2^(32·limbs)·R = R·R.
    fn r_squared(&self) -> Vec<u32> {
        let limbs = self.n.len();
        let mut x = vec![0u32; limbs];
        let top = self.bits - 1;
        if let Some(limb) = x.get_mut(top / 32) {
            *limb = 1 << (top % 32);
        }
        for _ in top..33 * limbs {
            double_mod(&mut x, &self.n);
        }
        let mut scratch = Scratch::new(limbs);
        for _ in 0..5 {
            x = self.mul(&x, &x, &mut scratch);
        }
        x
    }

    /// Montgomery product `a·b·R^-1 mod n` for `a, b < n` (CIOS, the multiplication and the
    /// reduction interleaved in one pass per limb of `b`).
    fn mul(&self, a: &[u32], b: &[u32], scratch: &mut Scratch) -> Vec<u32> {
        let Scratch { t, next } = scratch;
        t.iter_mut().for_each(|limb| *limb = 0);
        let mut t_high = 0u64;
        let (Some((&a0, a_rest)), Some((&n0, n_rest))) = (a.split_first(), self.n.split_first()) else {
            return Vec::new();
        };
        let (a0, n0) = (u64::from(a0), u64::from(n0));
        for &b_i in b {
            let b_i = u64::from(b_i);
            let Some((&t0, t_rest)) = t.split_first() else { break };
            // Limb 0: t + a·b_i, then the multiple of n that clears the low limb.
            let sum = u64::from(t0) + a0 * b_i;
            let low = sum as u32;
            let m = u64::from(low.wrapping_mul(self.n0));
            let mut carry_mul = sum >> 32;
            let mut carry_red = (u64::from(low) + m * n0) >> 32;
            // Limbs 1..: shifted down one limb as they go.
            for (((t_j, a_j), n_j), out) in t_rest.iter().zip(a_rest).zip(n_rest).zip(next.iter_mut()) {
                let sum = u64::from(*t_j) + u64::from(*a_j) * b_i + carry_mul;
                carry_mul = sum >> 32;
                let sum = (sum & 0xffff_ffff) + m * u64::from(*n_j) + carry_red;
                carry_red = sum >> 32;
                *out = sum as u32;
            }
            let top = t_high + carry_mul + carry_red;
            if let Some(last) = next.last_mut() {
                *last = top as u32;
            }
            t_high = top >> 32;
            std::mem::swap(t, next);
        }
        // t < 2n: one subtraction at most.
        let mut result = t.clone();
        if t_high != 0 || geq(&result, &self.n) {
            sub_in_place(&mut result, &self.n);
        }
        result
    }

    /// RSASSA-PKCS1-v1_5 (RFC 8017 8.2.2): the encoded message rebuilt from `digest_info` (the
    /// DER prefix naming the hash) and `hashed`, compared with what the signature opens to.
    #[inline(never)] // its own function: sdk-ext/README.md, "What a module costs in memory"
    pub fn verify_pkcs1v15(&self, digest_info: &[u8], hashed: &[u8], signature: &[u8]) -> bool {
        let k = self.size();
        let t_len = digest_info.len() + hashed.len();
        // At least 8 bytes of 0xff padding.
        if k < t_len + 11 {
            return false;
        }
        let Some(em) = self.public(signature) else { return false };
        let mut expected = Vec::with_capacity(k);
        expected.extend_from_slice(&[0x00, 0x01]);
        expected.resize(k - t_len - 1, 0xff);
        expected.push(0x00);
        expected.extend_from_slice(digest_info);
        expected.extend_from_slice(hashed);
        em == expected
    }

    /// RSASSA-PSS with MGF1 over `D` and a salt as long as the hash (RFC 8017 9.1.2; RFC 7518 3.5).
    #[inline(never)] // its own function: sdk-ext/README.md, "What a module costs in memory"
    pub fn verify_pss<D: Digest>(&self, hashed: &[u8], signature: &[u8]) -> bool {
        let h_len = <D as Digest>::output_size();
        let s_len = h_len;
        let em_bits = self.bits - 1;
        let em_len = em_bits.div_ceil(8);
        if hashed.len() != h_len || em_len < h_len + s_len + 2 {
            return false;
        }
        let Some(opened) = self.public(signature) else { return false };
        // EM is the last em_len bytes; a leading byte beyond them (modulus bits ≡ 1 mod 8) is 0.
        let Some((skipped, em)) = opened.split_at_checked(opened.len() - em_len) else { return false };
        if skipped.iter().any(|b| *b != 0) {
            return false;
        }
        let Some((&0xbc, body)) = em.split_last() else { return false };
        let Some((masked_db, h)) = body.split_at_checked(em_len - h_len - 1) else { return false };
        let top_bits = 8 * em_len - em_bits;
        let top_mask = 0xffu8 >> top_bits;
        if masked_db.first().is_none_or(|first| first & !top_mask != 0) {
            return false;
        }
        let mut db = masked_db.to_vec();
        mgf1_xor::<D>(&mut db, h);
        if let Some(first) = db.first_mut() {
            *first &= top_mask;
        }
        // DB = PS (zeros) || 0x01 || salt.
        let Some((padding, salt)) = db.split_at_checked(em_len - h_len - s_len - 1) else { return false };
        let Some((&0x01, zeros)) = padding.split_last() else { return false };
        if zeros.iter().any(|b| *b != 0) {
            return false;
        }
        let mut hash = D::new();
        Digest::update(&mut hash, [0u8; 8]);
        Digest::update(&mut hash, hashed);
        Digest::update(&mut hash, salt);
        hash.finalize()[..] == *h
    }
}

/// `out ^= MGF1(seed)` (RFC 8017 B.2.1).
fn mgf1_xor<D: Digest>(out: &mut [u8], seed: &[u8]) {
    for (counter, chunk) in out.chunks_mut(<D as Digest>::output_size()).enumerate() {
        let mut hash = D::new();
        Digest::update(&mut hash, seed);
        Digest::update(&mut hash, (counter as u32).to_be_bytes());
        for (byte, mask) in chunk.iter_mut().zip(hash.finalize()) {
            *byte ^= mask;
        }
    }
}

/// `x = 2x mod n` for `x < n`.
fn double_mod(x: &mut [u32], n: &[u32]) {
    let mut carry = 0u32;
    for limb in x.iter_mut() {
        let shifted = (*limb << 1) | carry;
        carry = *limb >> 31;
        *limb = shifted;
    }
    if carry != 0 || geq(x, n) {
        sub_in_place(x, n);
    }
}

/// The running sum of a Montgomery product, and the buffer its next value is written to.
struct Scratch {
    t: Vec<u32>,
    next: Vec<u32>,
}

impl Scratch {
    fn new(limbs: usize) -> Scratch {
        Scratch { t: vec![0; limbs], next: vec![0; limbs] }
    }
}

#[cfg(test)]
#[path = "rsa_test.rs"]
mod tests;
