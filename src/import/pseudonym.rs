//! `import --pseudonymise SALT` (issue 25 item 6): every person-level value of the HR export
//! is replaced by a keyed hash before any file is written, so that the organisation folder
//! names nobody. The same salt gives the same pseudonyms, so later exports line up.
//!
//! What is replaced, and what is not (docs/import.md, "Pseudonymised imports"):
//! - replaced: employee ids (and so every id in `people.csv`, `links.csv`, the skeleton),
//!   manager ids, display names, job titles and team names (free text that often holds a
//!   person's name, e.g. "Team Berg"; a title such as "Chief Executive Officer" identifies one
//!   person as well as a name does);
//! - kept as written: units and sites (organisational labels the results are read by; the
//!   summary lists the units and sites of fewer than [`SMALL_GROUP`] people, which can single
//!   someone out), roles and channels (the map's words), and the community node's id.
//!
//! A pseudonym is `PREFIX` + the first [`HEX_DIGITS`] hexadecimal digits of
//! HMAC-SHA256(key = the salt, message = the kind's domain, a 0 byte, the value): ASCII letters,
//! digits and `-`, so it passes the loader's name rules. The domain keeps an id and a title that
//! happen to be the same text apart. Without the salt, a pseudonym cannot be turned back into
//! the value or checked against a guess.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::hr::Employee;

/// Hexadecimal digits kept of the 64 of the HMAC: 64 bits, so that two of 10⁶ people share a
/// pseudonym with probability about 3·10⁻⁸ (the birthday bound n²/2⁶⁵); import refuses if they do.
pub(crate) const HEX_DIGITS: usize = 16;
/// Units and sites with fewer people than this are listed in the summary of a pseudonymised
/// import: a unit of one names its member.
pub(crate) const SMALL_GROUP: usize = 5;

/// The kinds of values replaced, each with its prefix and hash domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An employee id or manager id: `p-`.
    Id,
    /// A display name: `n-`.
    Name,
    /// A job title: `t-`.
    Title,
    /// A team name: `team-`.
    Team,
}

impl Kind {
    fn prefix(self) -> &'static str {
        match self {
            Kind::Id => "p-",
            Kind::Name => "n-",
            Kind::Title => "t-",
            Kind::Team => "team-",
        }
    }

    fn domain(self) -> &'static [u8] {
        match self {
            Kind::Id => b"id",
            Kind::Name => b"name",
            Kind::Title => b"title",
            Kind::Team => b"team",
        }
    }
}

/// HMAC-SHA256 of `message` with `key`.
pub(crate) fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// Keyed pseudonyms with one salt.
pub(crate) struct Pseudonymiser {
    salt: Vec<u8>,
}

impl Pseudonymiser {
    /// A pseudonymiser with `salt` (its UTF-8 bytes are the HMAC key); `Err` for an empty salt.
    pub(crate) fn new(salt: &str) -> Result<Self, String> {
        if salt.is_empty() {
            return Err("an empty salt pseudonymises nothing; give a secret text, e.g. --pseudonymise \"$(openssl rand -hex 16)\", and keep it out of the folder".into());
        }
        Ok(Pseudonymiser { salt: salt.as_bytes().to_vec() })
    }

    /// The pseudonym of `value` of `kind`; an empty value stays empty.
    pub(crate) fn pseudonym(&self, kind: Kind, value: &str) -> String {
        if value.is_empty() {
            return String::new();
        }
        let mut message = kind.domain().to_vec();
        message.push(0);
        message.extend_from_slice(value.as_bytes());
        let tag = hmac_sha256(&self.salt, &message);
        let mut s = String::from(kind.prefix());
        for b in &tag[..HEX_DIGITS / 2] {
            s.push_str(&format!("{b:02x}"));
        }
        s
    }

    /// Replaces every person-level value of `employees` (ids, manager ids, names, titles,
    /// teams). `Err` names two ids that got the same pseudonym (choose another salt).
    pub(crate) fn apply(&self, employees: &mut [Employee]) -> Result<(), (String, String)> {
        let mut seen = std::collections::HashMap::new();
        for e in employees.iter() {
            let p = self.pseudonym(Kind::Id, &e.id);
            if let Some(other) = seen.insert(p, e.id.clone()) {
                return Err((other, e.id.clone()));
            }
        }
        for e in employees.iter_mut() {
            e.id = self.pseudonym(Kind::Id, &e.id);
            e.manager_id = self.pseudonym(Kind::Id, &e.manager_id);
            e.name = self.pseudonym(Kind::Name, &e.name);
            e.title = self.pseudonym(Kind::Title, &e.title);
            e.team = self.pseudonym(Kind::Team, &e.team);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    /// Known answer: RFC 4231 test cases 1, 2 and 6 (a short key, a text key, a key longer than
    /// the block). Broken versions tried, each fails: the key and message swapped; SHA-256 of
    /// key ‖ message instead of the HMAC.
    #[test]
    fn hmac_sha256_matches_rfc_4231() {
        assert_eq!(
            hex(&hmac_sha256(&[0x0b; 20], b"Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hex(&hmac_sha256(&[0xaa; 131], b"Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    /// A pseudonym is the prefix and the first 16 hex digits of HMAC(salt, domain ‖ 0 ‖ value),
    /// recomputed here from the HMAC; the same salt gives the same pseudonym, another salt or
    /// another kind another one.
    #[test]
    fn pseudonyms_are_the_truncated_keyed_hash_per_kind() {
        let p = Pseudonymiser::new("s3cret").unwrap();
        let want = format!("p-{}", &hex(&hmac_sha256(b"s3cret", b"id\0E001"))[..16]);
        assert_eq!(p.pseudonym(Kind::Id, "E001"), want);
        assert_eq!(Pseudonymiser::new("s3cret").unwrap().pseudonym(Kind::Id, "E001"), want);
        assert_ne!(Pseudonymiser::new("other").unwrap().pseudonym(Kind::Id, "E001"), want);
        assert_ne!(p.pseudonym(Kind::Name, "E001")[2..], want[2..]);
        assert_eq!(p.pseudonym(Kind::Id, ""), "");
        assert!(Pseudonymiser::new("").is_err());
        assert!(crate::error::check_name(&p.pseudonym(Kind::Team, "Team Berg"), "x").is_ok());
    }
}
