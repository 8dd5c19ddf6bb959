//! Random strings, bytes, integers, shuffles and UUIDs (Sprig's
//! `randAlphaNum`, `randAlpha`, `randNumeric`, `randAscii`, `randBytes`,
//! `randInt`, `shuffle`, `uuidv4`).
//!
//! Sprig draws these from Go's `crypto/rand` (goutils' `CryptoRandom*`,
//! `randBytes`, google/uuid) or `math/rand` (`randInt`, xstrings'
//! `Shuffle`); here every draw comes from the render's [`SharedRng`], so a
//! `--seed` makes them reproducible. The character sets, the rejection
//! loop and the shuffle order follow the Go code, so the distribution of
//! outputs is the same as Helm's.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand_core::RngCore;

use super::SharedRng;

/// A uniform integer in `[0, n)` (`n > 0`), by rejection so that every
/// value is equally likely, as Go's `rand.Int` and `rand.Intn` are.
pub fn below(rng: &mut dyn RngCore, n: u64) -> u64 {
    if n <= 1 {
        return 0;
    }
    // Largest multiple of n that fits; draws at or above it are redrawn.
    let zone = u64::MAX - (u64::MAX % n);
    loop {
        let v = rng.next_u64();
        if v < zone {
            return v % n;
        }
    }
}

/// Which characters goutils' `CryptoRandom` keeps from its draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// Letters and digits (`randAlphaNum`).
    AlphaNumeric,
    /// Letters (`randAlpha`).
    Alphabetic,
    /// Digits (`randNumeric`).
    Numeric,
    /// Every printable ASCII character, space to `~` (`randAscii`).
    Ascii,
}

/// goutils' `CryptoRandom` for the ASCII sets Sprig uses: draws from
/// `' '..='z'` (`' '..='~'` for `randAscii`) and keeps the draws the set
/// accepts. Sprig discards goutils' error for a negative count and returns
/// the empty string.
pub fn random_string(rng: &SharedRng, count: i64, set: Charset) -> String {
    if count <= 0 {
        return String::new();
    }
    let (start, end) = match set {
        Charset::Ascii => (32u64, 127u64),
        _ => (32u64, u64::from(b'z') + 1),
    };
    let mut guard = super::lock(rng);
    let mut out = String::with_capacity(usize::try_from(count).unwrap_or(0).min(1 << 20));
    let mut left = count;
    while left > 0 {
        let ch = (start + below(&mut *guard, end - start)) as u8;
        let keep = match set {
            Charset::AlphaNumeric => ch.is_ascii_alphanumeric(),
            Charset::Alphabetic => ch.is_ascii_alphabetic(),
            Charset::Numeric => ch.is_ascii_digit(),
            Charset::Ascii => true,
        };
        if keep {
            out.push(char::from(ch));
            left -= 1;
        }
    }
    out
}

/// Sprig's `randBytes`: `count` random bytes, base64 (standard alphabet,
/// padded). A negative count panics in Go's `make`; the template engine
/// turns that into this error.
pub fn random_bytes(rng: &SharedRng, count: i64) -> Result<String, String> {
    let n = usize::try_from(count)
        .map_err(|_| "runtime error: makeslice: len out of range".to_string())?;
    let mut buf = vec![0u8; n];
    super::lock(rng).fill_bytes(&mut buf);
    Ok(STANDARD.encode(buf))
}

/// Sprig's `randInt`: `rand.Intn(max-min) + min`; `Intn` panics unless its
/// argument is positive.
pub fn random_int(rng: &SharedRng, min: i64, max: i64) -> Result<i64, String> {
    let span = max
        .checked_sub(min)
        .filter(|s| *s > 0)
        .ok_or("invalid argument to Intn")?;
    let v = below(&mut *super::lock(rng), span as u64) as i64;
    Ok(v + min)
}

/// xstrings' `Shuffle`: Fisher–Yates over the string's characters, from
/// the last position down, swapping with `Intn(i+1)`.
pub fn shuffle(rng: &SharedRng, s: &str) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    let mut guard = super::lock(rng);
    for i in (1..chars.len()).rev() {
        let j = below(&mut *guard, i as u64 + 1) as usize;
        chars.swap(i, j);
    }
    chars.into_iter().collect()
}

/// google/uuid's `New().String()`: 16 random bytes with the version (4)
/// and RFC 4122 variant bits set, in the 8-4-4-4-12 hex form.
pub fn uuid_v4(rng: &SharedRng) -> String {
    let mut b = [0u8; 16];
    super::lock(rng).fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::super::new_rng;
    use super::*;

    #[test]
    fn strings_have_length_and_charset() {
        let rng = new_rng(Some(7));
        type Check = fn(char) -> bool;
        let cases: [(Charset, Check); 4] = [
            (Charset::AlphaNumeric, |c| c.is_ascii_alphanumeric()),
            (Charset::Alphabetic, |c| c.is_ascii_alphabetic()),
            (Charset::Numeric, |c| c.is_ascii_digit()),
            (Charset::Ascii, |c| (' '..='~').contains(&c)),
        ];
        for (set, ok) in cases {
            let s = random_string(&rng, 200, set);
            assert_eq!(s.chars().count(), 200, "{set:?}");
            assert!(s.chars().all(ok), "{set:?}: {s}");
        }
        assert_eq!(random_string(&rng, 0, Charset::Alphabetic), "");
        assert_eq!(random_string(&rng, -3, Charset::Alphabetic), "");
    }

    #[test]
    fn ascii_covers_punctuation_and_alnum_covers_all_classes() {
        let rng = new_rng(Some(1));
        let s = random_string(&rng, 2000, Charset::Ascii);
        assert!(s.contains(' ') && s.contains('~'));
        let s = random_string(&rng, 2000, Charset::AlphaNumeric);
        assert!(s.chars().any(|c| c.is_ascii_uppercase()));
        assert!(s.chars().any(|c| c.is_ascii_lowercase()));
        assert!(s.chars().any(|c| c.is_ascii_digit()));
    }

    #[test]
    fn same_seed_same_output_other_seed_differs() {
        let a = new_rng(Some(42));
        let b = new_rng(Some(42));
        let c = new_rng(Some(43));
        let sa = random_string(&a, 32, Charset::AlphaNumeric);
        assert_eq!(sa, random_string(&b, 32, Charset::AlphaNumeric));
        assert_ne!(sa, random_string(&c, 32, Charset::AlphaNumeric));
        // Unseeded sources differ from each other.
        let u1 = uuid_v4(&new_rng(None));
        let u2 = uuid_v4(&new_rng(None));
        assert_ne!(u1, u2);
    }

    #[test]
    fn bytes_ints_shuffle_uuid() {
        let rng = new_rng(Some(3));
        let b = random_bytes(&rng, 10).unwrap();
        assert_eq!(STANDARD.decode(&b).unwrap().len(), 10);
        assert_eq!(random_bytes(&rng, 0).unwrap(), "");
        assert!(random_bytes(&rng, -1).is_err());
        for _ in 0..100 {
            let v = random_int(&rng, -5, 5).unwrap();
            assert!((-5..5).contains(&v));
        }
        assert_eq!(
            random_int(&rng, 3, 3).unwrap_err(),
            "invalid argument to Intn"
        );
        assert_eq!(
            random_int(&rng, 1, 4 - 4).unwrap_err(),
            "invalid argument to Intn"
        );
        let s = shuffle(&rng, "abcdefghé");
        let mut sorted: Vec<char> = s.chars().collect();
        sorted.sort();
        assert_eq!(sorted.into_iter().collect::<String>(), "abcdefghé");
        assert_eq!(shuffle(&rng, ""), "");
        let u = uuid_v4(&rng);
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
    }
}
