//! Common random numbers: every random draw of a replication is a pure function of
//! (seed, replication, the identity of the person or link it belongs to, what it is for).
//!
//! Nothing here depends on threads, event order or the position of an entity in a list, which is
//! what makes results identical for any thread count and makes variants of a scenario comparable
//! replication by replication (see `docs/model.md`, "Common random numbers").
//!
//! The mixer is the 64-bit finaliser of MurmurHash3 (`fmix64`), a bijection with full avalanche;
//! identities are hashed with FNV-1a followed by `fmix64`. Both are fixed here forever: changing
//! them changes every result and must be noted in `CHANGELOG.md` under "results change".

/// What a uniform draw is used for. Each purpose gets its own independent stream per entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// Whether a sender passes the item on over a link (Bernoulli `u < transmit`).
    Transmit = 0x5bd1_e995_1f12_3bb5,
    /// The delay of a link (inverse CDF of the channel's delay distribution).
    Delay = 0x9e37_79b9_7f4a_7c15,
    /// Whether a delivery over a link is noticed by the receiver (Bernoulli `u < notice`).
    Notice = 0xc2b2_ae3d_27d4_eb4f,
    /// The processing delay after a noticed delivery over a link.
    Processing = 0x1656_67b1_9e37_79f9,
    /// How long a person keeps passing the item on after processing it.
    Window = 0x27d4_eb2f_1656_67c5,
    /// Whether a person is among the involved ones (follows the community) in this replication.
    Involvement = 0x85eb_ca77_c2b2_ae63,
}

/// MurmurHash3's 64-bit finaliser: a cheap bijective mixer with full avalanche.
#[inline(always)]
pub fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    h
}

/// A stable 64-bit identity for a tuple of names (a person id; or source id, target id and
/// channel name for a link). Stable across platforms, runs and crate versions.
pub fn identity_key(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.as_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        // A separator byte that cannot occur in UTF-8, so ("ab","c") != ("a","bc").
        h ^= 0xff;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    fmix64(h)
}

/// Converts 64 random bits into a uniform number in the open interval (0, 1).
///
/// Open at both ends, so `u < 1.0` is always true and `u < 0.0` never: a probability of 1 always
/// fires and 0 never does; `ln(u)` and `ln(1 - u)` are finite.
#[inline(always)]
pub fn to_open_unit(bits: u64) -> f64 {
    ((bits >> 12) as f64 + 0.5) * (1.0 / (1u64 << 52) as f64)
}

/// Converts 64 random bits into an `f32` uniform in the open interval (0, 1) (23 bits of
/// resolution; `1 - 2^-24` is the largest value, so the result is never 1).
#[inline(always)]
pub fn to_open_unit_f32(bits: u64) -> f32 {
    // The top 23 bits as the mantissa of a number in [1, 2): `1 + m·2^-23`, minus 1 is
    // `m·2^-23` exactly, plus `2^-24` is `(m + ½)·2^-23` exactly (24 significant bits) — the
    // same value as converting `m` to float, without the conversion.
    (f32::from_bits(0x3f80_0000 | (bits >> 41) as u32) - 1.0) + 1.0 / (1u64 << 24) as f32
}

/// The random stream of one replication of one scenario (all variants share it).
#[derive(Clone, Copy, Debug)]
pub struct ReplicationStream {
    base: u64,
}

impl ReplicationStream {
    /// The stream of replication `replication` under scenario seed `seed`.
    pub fn new(seed: u64, replication: u64) -> Self {
        let base = fmix64(fmix64(seed ^ 0x6a09_e667_f3bc_c908) ^ replication.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        ReplicationStream { base }
    }

    /// The draws belonging to one entity (person or link) identified by its `identity_key`.
    #[inline(always)]
    pub fn entity(&self, key: u64) -> EntityDraws {
        // Identity keys are already full-avalanche hashes, so one XOR suffices here; every
        // purpose's bits then go through `fmix64` once.
        EntityDraws { h: self.base ^ key }
    }
}

/// The independent uniform draws of one entity in one replication, one per [`Purpose`].
#[derive(Clone, Copy, Debug)]
pub struct EntityDraws {
    h: u64,
}

impl EntityDraws {
    /// Raw 64 random bits for `purpose`.
    #[inline(always)]
    pub fn bits(&self, purpose: Purpose) -> u64 {
        fmix64(self.h ^ purpose as u64)
    }

    /// A uniform number in (0, 1) for `purpose`.
    #[inline(always)]
    pub fn uniform(&self, purpose: Purpose) -> f64 {
        to_open_unit(self.bits(purpose))
    }
}

/// SplitMix64: a tiny generator seeded from one draw, for the few distributions (gamma) that have
/// no closed-form inverse CDF and need rejection sampling. Its output is a pure function of the
/// seed, so common random numbers still hold.
#[derive(Debug)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator whose whole output is determined by `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }
}

impl rand::TryRng for SplitMix64 {
    type Error = core::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        self.try_next_u64().map(|x| (x >> 32) as u32)
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Ok(z ^ (z >> 31))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for chunk in dst.chunks_mut(8) {
            let bytes = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Value stability: these numbers are part of the results contract. If this test fails, every
    /// result of every scenario changes; note it in CHANGELOG.md under "results change".
    #[test]
    fn draws_are_value_stable() {
        let s = ReplicationStream::new(42, 7);
        let e = s.entity(identity_key(&["dev-1"]));
        let got = [e.uniform(Purpose::Transmit), e.uniform(Purpose::Delay), e.uniform(Purpose::Window)];
        let expected = [0.09388225641082115, 0.9770877739825047, 0.2897068423996346];
        for (g, x) in got.iter().zip(expected) {
            assert_eq!(g.to_bits(), f64::to_bits(x), "got {got:?}");
        }
    }

    #[test]
    fn identity_keys_separate_parts() {
        assert_ne!(identity_key(&["ab", "c"]), identity_key(&["a", "bc"]));
        assert_ne!(identity_key(&["a", "b", "chat"]), identity_key(&["b", "a", "chat"]));
    }

    #[test]
    fn uniforms_are_open_and_roughly_uniform() {
        let s = ReplicationStream::new(1, 0);
        let n = 100_000u64;
        let mut sum = 0.0;
        for i in 0..n {
            let u = s.entity(identity_key(&[&i.to_string()])).uniform(Purpose::Delay);
            assert!(u > 0.0 && u < 1.0);
            sum += u;
        }
        // Mean of 1e5 uniforms has sd 0.00091; 6 sd bound: false failure below 1e-8.
        assert!((sum / n as f64 - 0.5).abs() < 0.0055);
        assert!(to_open_unit(0) > 0.0 && to_open_unit(u64::MAX) < 1.0);
        assert!(to_open_unit_f32(0) > 0.0 && to_open_unit_f32(u64::MAX) < 1.0);
        // The bit construction equals the plain conversion `(m + ½)·2^-23` for every mantissa.
        for m in 0..1u64 << 23 {
            let plain = (m as f32 + 0.5) * (1.0 / (1u64 << 23) as f32);
            assert_eq!(to_open_unit_f32(m << 41).to_bits(), plain.to_bits(), "mantissa {m}");
        }
    }
}
