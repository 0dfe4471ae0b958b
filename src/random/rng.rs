//! Common random numbers: every random draw of a replication is a pure function of
//! (seed, replication, the identity of the person or link it belongs to, what it is for).
//!
//! Nothing here depends on threads, event order or the position of an entity in a list, which is
//! what makes results identical for any thread count and makes variants of a scenario comparable
//! replication by replication (see `docs/model.md`, "Common random numbers").
//!
//! Identities are hashed with FNV-1a followed by the 64-bit finaliser of MurmurHash3 (`fmix64`, a
//! bijection with full avalanche), and so are the seed and the replication number. The bits of
//! one draw come from the entity's hash XOR its purpose through the folded 128-bit product of
//! wyhash (`mum`): one multiplication instead of `fmix64`'s two, on the hot path of every link.
//! All of these are fixed: changing any changes every result and must be noted in `CHANGELOG.md`
//! under "results change". Their quality is tested below (uniformity of the bits the samplers
//! use, independence across purposes, replications and neighbouring entities).

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
    /// Whether a person of a `[[watchers]]` group watches the community in this replication
    /// (`u < share`, one draw per person shared by all groups, so a larger share contains the
    /// watchers of a smaller one); independent of [`Purpose::Involvement`].
    Watching = 0x3c6e_f372_fe94_f82b,
    /// The shared delay of a sender's broadcast on a channel (inverse CDF of the channel's delay
    /// distribution), keyed by [`crate::model::broadcast_key`].
    Broadcast = 0xd6e8_feb8_6659_fd93,
    /// The phase of a scheduled channel's meeting group (uniform on `[0, every)`), keyed by the
    /// group's identity.
    MeetingPhase = 0xa076_1d64_78bd_642f,
    /// Whether a person is away for the whole horizon in this replication (Bernoulli
    /// `u < absent`, so a higher rate contains the absentees of a lower one).
    Absence = 0x8ebc_6af0_9c88_c6e3,
    /// When in the week the item appears (`start = { weekly = "uniform" }`), per replication.
    Start = 0x4cf5_ad43_2745_937f,
    /// Replay: the moment of the log the item appears at (uniform over the start window), per
    /// replication.
    ReplayStart = 0x2f8e_1b6a_93c4_d705,
    /// Replay: whether one message from an informed person carries the item (Bernoulli
    /// `u < per_message`), keyed by the message.
    Carry = 0x61c8_8646_80b5_83eb,
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
    parts.iter().fold(IdentityKey::new(), |k, part| k.then(part)).finish()
}

/// [`identity_key`] built part by part, so that tuples sharing a first part (the arcs of one
/// sender) hash it once: `identity_key(&[a, b, c])` is
/// `IdentityKey::new().then(a).then(b).then(c).finish()`. (FNV-1a over the parts' bytes, each
/// part followed by a separator byte, then [`fmix64`].)
#[derive(Clone, Copy, Debug)]
pub struct IdentityKey {
    /// The FNV-1a state after the parts so far.
    h: u64,
}

/// FNV-1a's 64-bit offset basis and prime.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;
/// The byte after each part: it cannot occur in UTF-8, so ("ab","c") != ("a","bc").
const PART_END: u8 = 0xff;

impl Default for IdentityKey {
    fn default() -> Self {
        Self::new()
    }
}

impl IdentityKey {
    /// The key of the empty tuple, to which parts are added.
    pub const fn new() -> Self {
        IdentityKey { h: FNV_OFFSET }
    }

    /// The key with `part` added after the parts so far.
    #[inline]
    pub fn then(self, part: &str) -> Self {
        let mut h = self.h;
        for &b in part.as_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(FNV_PRIME);
        }
        h ^= u64::from(PART_END);
        IdentityKey { h: h.wrapping_mul(FNV_PRIME) }
    }

    /// The 64-bit identity of the parts added.
    #[inline]
    pub fn finish(self) -> u64 {
        fmix64(self.h)
    }
}

/// Converts 64 random bits into a uniform number in the open interval (0, 1).
///
/// Open at both ends, so `u < 1.0` is always true and `u < 0.0` never: a probability of 1 always
/// fires and 0 never does; `ln(u)` and `ln(1 - u)` are finite.
#[inline(always)]
pub fn to_open_unit(bits: u64) -> f64 {
    ((bits >> 12) as f64 + 0.5) * (1.0 / (1u64 << 52) as f64)
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
        // purpose's bits then go through `mum` once (see `EntityDraws::bits`).
        EntityDraws { h: self.base ^ key }
    }
}

/// The independent uniform draws of one entity in one replication, one per [`Purpose`].
#[derive(Clone, Copy, Debug)]
pub struct EntityDraws {
    h: u64,
}

impl EntityDraws {
    /// Raw 64 random bits for `purpose`: wyhash's `mum` of `h ^ purpose` and that XOR a constant
    /// (the high and low halves of the 128-bit product, folded by XOR).
    #[inline(always)]
    pub fn bits(&self, purpose: Purpose) -> u64 {
        let x = self.h ^ purpose as u64;
        let t = u128::from(x) * u128::from(x ^ 0xe703_7ed1_a0b4_28db);
        (t >> 64) as u64 ^ t as u64
    }

    /// A uniform number in (0, 1) for `purpose`.
    #[inline(always)]
    pub fn uniform(&self, purpose: Purpose) -> f64 {
        to_open_unit(self.bits(purpose))
    }
}

/// A generator whose first output is `bits` itself and whose later outputs (rarely needed, by
/// rejection samplers' slow paths) come from a [`SplitMix64`] seeded with `bits`.
#[derive(Debug)]
pub struct BitsFirst {
    first: Option<u64>,
    rest: SplitMix64,
}

impl BitsFirst {
    /// A generator that starts with `bits`.
    #[inline(always)]
    pub fn new(bits: u64) -> Self {
        BitsFirst { first: Some(bits), rest: SplitMix64::new(bits) }
    }
}

impl rand::TryRng for BitsFirst {
    type Error = core::convert::Infallible;

    #[inline(always)]
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        self.try_next_u64().map(|x| (x >> 32) as u32)
    }

    #[inline(always)]
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        match self.first.take() {
            Some(bits) => Ok(bits),
            None => self.rest.try_next_u64(),
        }
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        self.rest.try_fill_bytes(dst)
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

    /// Value stability of the identities every draw is keyed by, against an independent
    /// FNV-1a + fmix64 (computed in Python): a person's and a link's, whole and
    /// built part by part with a shared sender.
    #[test]
    fn identity_keys_are_value_stable() {
        assert_eq!(identity_key(&["dev-1"]), 0x5a54_afaa_688f_f62d);
        assert_eq!(identity_key(&["dev-1", "dev-2", "chat"]), 0xaa83_122b_cd83_18ff);
        let sender = IdentityKey::new().then("dev-1");
        assert_eq!(sender.finish(), 0x5a54_afaa_688f_f62d);
        assert_eq!(sender.then("dev-2").then("chat").finish(), 0xaa83_122b_cd83_18ff);
    }

    /// Value stability: these numbers are part of the results contract. If this test fails, every
    /// result of every scenario changes; note it in CHANGELOG.md under "results change".
    #[test]
    fn draws_are_value_stable() {
        let s = ReplicationStream::new(42, 7);
        let e = s.entity(identity_key(&["dev-1"]));
        let got = [e.uniform(Purpose::Transmit), e.uniform(Purpose::Delay), e.uniform(Purpose::Window)];
        let expected = [0.7874924225965126, 0.876242279657771, 0.6008187230623984];
        for (g, x) in got.iter().zip(expected) {
            assert_eq!(g.to_bits(), f64::to_bits(x), "got {got:?}");
        }
    }

    /// Value stability of the purposes added with channel timing and absence (same contract).
    #[test]
    fn timing_and_absence_draws_are_value_stable() {
        let s = ReplicationStream::new(42, 7);
        let e = s.entity(identity_key(&["dev-1"]));
        let got = [
            e.uniform(Purpose::Broadcast),
            e.uniform(Purpose::MeetingPhase),
            e.uniform(Purpose::Absence),
            e.uniform(Purpose::Start),
        ];
        let expected = [0.9544364973090443, 0.8307433229045368, 0.29807079089814204, 0.1084666245252709];
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
    }

    /// Pearson's chi-square statistic of `counts` against equal expected counts.
    fn chi_square(counts: &[u64]) -> f64 {
        let expected = counts.iter().sum::<u64>() as f64 / counts.len() as f64;
        counts.iter().map(|&c| (c as f64 - expected).powi(2) / expected).sum()
    }

    /// The chi-square bound for 255 degrees of freedom exceeded with probability 1e-9
    /// (Wilson–Hilferty: 255·(1 − 2/2295 + 6·√(2/2295))³ ≈ 415): a good mixer fails each use
    /// of it with probability 1e-9.
    const CHI2_255_P1E9: f64 = 415.0;

    /// The bits the samplers use are uniform: the top byte (uniforms) and the low byte (the
    /// ziggurat's layer), per purpose, over 1,024,000 entities (4,000 per cell).
    #[test]
    fn draw_bits_are_uniform_in_top_and_low_bytes() {
        let s = ReplicationStream::new(3, 11);
        for purpose in [
            Purpose::Delay,
            Purpose::Window,
            Purpose::Transmit,
            Purpose::Broadcast,
            Purpose::MeetingPhase,
            Purpose::Absence,
            Purpose::Start,
        ] {
            let (mut top, mut low) = ([0u64; 256], [0u64; 256]);
            for i in 0..1_024_000u64 {
                let b = s.entity(identity_key(&[&i.to_string()])).bits(purpose);
                top[(b >> 56) as usize] += 1;
                low[(b & 0xff) as usize] += 1;
            }
            let (ct, cl) = (chi_square(&top), chi_square(&low));
            assert!(ct < CHI2_255_P1E9 && cl < CHI2_255_P1E9, "{purpose:?}: top {ct:.1}, low {cl:.1}");
        }
    }

    /// Draws of one entity for different purposes, of one entity in consecutive replications,
    /// and of entities with neighbouring names, are independent: joint chi-square of their top
    /// nibbles (16 × 16 cells, 4,000 per cell) and Pearson correlation of their uniforms
    /// (n = 1,024,000: sd 0.001, bound 6 sd, false failure below 1e-8).
    #[test]
    fn draws_are_independent_across_purposes_replications_and_entities() {
        let n = 1_024_000u64;
        let (s0, s1) = (ReplicationStream::new(5, 0), ReplicationStream::new(5, 1));
        type Pair<'a> = Box<dyn Fn(u64) -> (u64, u64) + 'a>;
        let pairs: [(&str, Pair); 3] = [
            (
                "purposes",
                Box::new(|i| {
                    let e = s0.entity(identity_key(&[&i.to_string()]));
                    (e.bits(Purpose::Delay), e.bits(Purpose::Window))
                }),
            ),
            (
                "replications",
                Box::new(|i| {
                    let k = identity_key(&[&i.to_string()]);
                    (s0.entity(k).bits(Purpose::Delay), s1.entity(k).bits(Purpose::Delay))
                }),
            ),
            (
                "entities",
                Box::new(|i| {
                    let (a, b) = (identity_key(&[&format!("dev-{i}")]), identity_key(&[&format!("dev-{}", i + 1)]));
                    (s0.entity(a).bits(Purpose::Delay), s0.entity(b).bits(Purpose::Delay))
                }),
            ),
        ];
        for (what, pair) in &pairs {
            let mut cells = [0u64; 256];
            let (mut sx, mut sy, mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for i in 0..n {
                let (a, b) = pair(i);
                cells[((a >> 60) << 4 | b >> 60) as usize] += 1;
                let (x, y) = (to_open_unit(a), to_open_unit(b));
                (sx, sy, sxx, syy, sxy) = (sx + x, sy + y, sxx + x * x, syy + y * y, sxy + x * y);
            }
            let nf = n as f64;
            let cov = sxy / nf - sx / nf * sy / nf;
            let r = cov / ((sxx / nf - (sx / nf).powi(2)) * (syy / nf - (sy / nf).powi(2))).sqrt();
            let c = chi_square(&cells);
            assert!(c < CHI2_255_P1E9, "{what}: joint chi-square {c:.1}");
            assert!(r.abs() < 0.006, "{what}: correlation {r}");
        }
    }
}
