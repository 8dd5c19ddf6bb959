//! go-yaml v2's "natural" map key order (`sorter.go`, `keyList.Less`).
//!
//! sigs.k8s.io/yaml decodes JSON into `map[interface{}]interface{}` and
//! go-yaml sorts the keys before writing them, so Helm's `toYaml` and
//! kustomize output list keys in this order, not in byte order: letters
//! after everything else, digit runs compared as numbers
//! (`a9 < a10`, `A_FIRST < ANOTHER`).

/// `unicode.IsLetter`, approximated by Rust's alphabetic property (it also
/// counts a few marks and letter-like numbers; the two differ only for rare
/// non-ASCII characters).
fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic()
    } else {
        c.is_alphabetic()
    }
}

/// `unicode.IsDigit` (category Nd), approximated by Rust's numeric property
/// outside ASCII.
fn is_digit(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_digit()
    } else {
        c.is_numeric()
    }
}

/// Reads the digit run at the start of `s` as go-yaml does: an `int64`
/// that silently wraps on overflow, each digit worth `rune - '0'`.
/// Returns the value and the run's length in characters.
fn digit_run(s: &str, start: i64) -> (i64, usize) {
    let mut n = start;
    let mut len = 0;
    for c in s.chars().take_while(|c| is_digit(*c)) {
        n = n
            .wrapping_mul(10)
            .wrapping_add(i64::from(c as u32) - i64::from(b'0'));
        len += 1;
    }
    (n, len)
}

/// `keyList.Less` for two string keys.
pub(crate) fn natural_less(a: &str, b: &str) -> bool {
    let mut a_chars = a.char_indices();
    let mut b_chars = b.char_indices();
    loop {
        let ((ia, ca), (ib, cb)) = match (a_chars.next(), b_chars.next()) {
            (Some(x), Some(y)) => (x, y),
            // One is a prefix of the other: the shorter sorts first.
            (None, Some(_)) => return true,
            (_, None) => return false,
        };
        if ca == cb {
            continue;
        }
        let (al, bl) = (is_letter(ca), is_letter(cb));
        if al && bl {
            return ca < cb;
        }
        if al || bl {
            // Non-letters sort before letters.
            return bl;
        }
        // Neither is a letter: compare the digit runs starting here as
        // numbers (a non-digit reads as 0). When either side starts with
        // `0` and a non-zero digit precedes it in the same run, go-yaml
        // seeds both numbers with 1 so the zero is not treated as leading.
        let mut seed = 0;
        if ca == '0' || cb == '0' {
            for c in a[..ia].chars().rev() {
                if !is_digit(c) {
                    break;
                }
                if c != '0' {
                    seed = 1;
                    break;
                }
            }
        }
        let (an, a_len) = digit_run(&a[ia..], seed);
        let (bn, b_len) = digit_run(&b[ib..], seed);
        if an != bn {
            return an < bn;
        }
        if a_len != b_len {
            return a_len < b_len;
        }
        return ca < cb;
    }
}

/// Sorts map entries by key in go-yaml v2's natural order (`keyList.Less`),
/// the order of Helm's `toYaml` and kustomize output.
///
/// `natural_less` is not a total order: the digit run only starts at the
/// first difference, so `node10a < node1a < node2a < node10a`. For such key
/// sets the result depends on the order the sort starts from, and in Helm
/// that is Go's randomised map iteration: `toYaml` of `{node1a, node2a,
/// …, node29a}` changes from run to run. skiff cannot match a random order;
/// it gives a deterministic result that is one of Helm's possible outputs:
/// the keys start in byte order (as if Go's map had iterated that way) and
/// then go through the algorithm go-yaml's `sort.Sort(keyList)` runs, Go's
/// pattern-defeating quicksort (`sort/zsortinterface.go`, Go 1.19+), step
/// for step. For the usual, consistent key sets every sort agrees anyway.
/// Unlike Rust's `sort_by`, which may panic on an inconsistent order, this
/// never fails.
pub fn sort_natural<V>(entries: &mut [(&str, V)]) {
    let n = entries.len();
    if n <= 1 {
        return;
    }
    // Byte order is a total order, so this sort is safe; it makes the
    // result independent of the map's insertion order.
    entries.sort_unstable_by(|x, y| x.0.cmp(y.0));
    let mut sorter = GoSort {
        v: entries,
        less: |x: &(&str, V), y: &(&str, V)| natural_less(x.0, y.0),
    };
    sorter.pdqsort(0, n, bits_len(n));
}

/// `bits.Len`: the number of bits needed to represent `n`.
fn bits_len(n: usize) -> u32 {
    usize::BITS - n.leading_zeros()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Hint {
    Unknown,
    Increasing,
    Decreasing,
}

/// Go's `sort.Interface` over a slice: `Less` by index and `Swap`.
struct GoSort<'a, T, F> {
    v: &'a mut [T],
    less: F,
}

impl<T, F: Fn(&T, &T) -> bool> GoSort<'_, T, F> {
    fn less(&self, i: usize, j: usize) -> bool {
        (self.less)(&self.v[i], &self.v[j])
    }

    fn swap(&mut self, i: usize, j: usize) {
        self.v.swap(i, j);
    }

    fn insertion_sort(&mut self, a: usize, b: usize) {
        for i in a + 1..b {
            let mut j = i;
            while j > a && self.less(j, j - 1) {
                self.swap(j, j - 1);
                j -= 1;
            }
        }
    }

    fn sift_down(&mut self, lo: usize, hi: usize, first: usize) {
        let mut root = lo;
        loop {
            let mut child = 2 * root + 1;
            if child >= hi {
                return;
            }
            if child + 1 < hi && self.less(first + child, first + child + 1) {
                child += 1;
            }
            if !self.less(first + root, first + child) {
                return;
            }
            self.swap(first + root, first + child);
            root = child;
        }
    }

    fn heap_sort(&mut self, a: usize, b: usize) {
        let first = a;
        let hi = b - a;
        for i in (0..=(hi - 1) / 2).rev() {
            self.sift_down(i, hi, first);
        }
        for i in (0..hi).rev() {
            self.swap(first, first + i);
            self.sift_down(0, i, first);
        }
    }

    fn pdqsort(&mut self, mut a: usize, mut b: usize, mut limit: u32) {
        const MAX_INSERTION: usize = 12;
        let mut was_balanced = true;
        let mut was_partitioned = true;
        loop {
            let length = b - a;
            if length <= MAX_INSERTION {
                self.insertion_sort(a, b);
                return;
            }
            if limit == 0 {
                self.heap_sort(a, b);
                return;
            }
            if !was_balanced {
                self.break_patterns(a, b);
                limit -= 1;
            }
            let (mut pivot, mut hint) = self.choose_pivot(a, b);
            if hint == Hint::Decreasing {
                self.reverse_range(a, b);
                pivot = (b - 1) - (pivot - a);
                hint = Hint::Increasing;
            }
            if was_balanced
                && was_partitioned
                && hint == Hint::Increasing
                && self.partial_insertion_sort(a, b)
            {
                return;
            }
            if a > 0 && !self.less(a - 1, pivot) {
                a = self.partition_equal(a, b, pivot);
                continue;
            }
            let (mid, already_partitioned) = self.partition(a, b, pivot);
            was_partitioned = already_partitioned;
            let (left_len, right_len) = (mid - a, b - mid);
            let balance_threshold = length / 8;
            if left_len < right_len {
                was_balanced = left_len >= balance_threshold;
                self.pdqsort(a, mid, limit);
                a = mid + 1;
            } else {
                was_balanced = right_len >= balance_threshold;
                self.pdqsort(mid + 1, b, limit);
                b = mid;
            }
        }
    }

    fn partition(&mut self, a: usize, b: usize, pivot: usize) -> (usize, bool) {
        self.swap(a, pivot);
        let (mut i, mut j) = (a + 1, b - 1);
        while i <= j && self.less(i, a) {
            i += 1;
        }
        while i <= j && !self.less(j, a) {
            j -= 1;
        }
        if i > j {
            self.swap(j, a);
            return (j, true);
        }
        self.swap(i, j);
        i += 1;
        j -= 1;
        loop {
            while i <= j && self.less(i, a) {
                i += 1;
            }
            while i <= j && !self.less(j, a) {
                j -= 1;
            }
            if i > j {
                break;
            }
            self.swap(i, j);
            i += 1;
            j -= 1;
        }
        self.swap(j, a);
        (j, false)
    }

    fn partition_equal(&mut self, a: usize, b: usize, pivot: usize) -> usize {
        self.swap(a, pivot);
        let (mut i, mut j) = (a + 1, b - 1);
        loop {
            while i <= j && !self.less(a, i) {
                i += 1;
            }
            while i <= j && self.less(a, j) {
                j -= 1;
            }
            if i > j {
                break;
            }
            self.swap(i, j);
            i += 1;
            j -= 1;
        }
        i
    }

    fn partial_insertion_sort(&mut self, a: usize, b: usize) -> bool {
        const MAX_STEPS: usize = 5;
        const SHORTEST_SHIFTING: usize = 50;
        let mut i = a + 1;
        for _ in 0..MAX_STEPS {
            while i < b && !self.less(i, i - 1) {
                i += 1;
            }
            if i == b {
                return true;
            }
            if b - a < SHORTEST_SHIFTING {
                return false;
            }
            self.swap(i, i - 1);
            // Go shifts the smaller one left down to index 1 of the whole
            // slice, not of the sub-range.
            if i - a >= 2 {
                let mut j = i - 1;
                while j >= 1 {
                    if !self.less(j, j - 1) {
                        break;
                    }
                    self.swap(j, j - 1);
                    j -= 1;
                }
            }
            if b - i >= 2 {
                let mut j = i + 1;
                while j < b {
                    if !self.less(j, j - 1) {
                        break;
                    }
                    self.swap(j, j - 1);
                    j += 1;
                }
            }
        }
        false
    }

    fn break_patterns(&mut self, a: usize, b: usize) {
        let length = b - a;
        if length >= 8 {
            // Go seeds its xorshift with the length, so this is deterministic.
            let mut random = length as u64;
            let modulus = 1usize << bits_len(length);
            let centre = a + (length / 4) * 2;
            for idx in centre - 1..=centre + 1 {
                random ^= random << 13;
                random ^= random >> 7;
                random ^= random << 17;
                let mut other = (random as usize) & (modulus - 1);
                if other >= length {
                    other -= length;
                }
                self.swap(idx, a + other);
            }
        }
    }

    fn choose_pivot(&mut self, a: usize, b: usize) -> (usize, Hint) {
        const SHORTEST_NINTHER: usize = 50;
        const MAX_SWAPS: usize = 4 * 3;
        let l = b - a;
        let mut swaps = 0;
        let mut i = a + l / 4;
        let mut j = a + l / 4 * 2;
        let mut k = a + l / 4 * 3;
        if l >= 8 {
            if l >= SHORTEST_NINTHER {
                i = self.median(i - 1, i, i + 1, &mut swaps);
                j = self.median(j - 1, j, j + 1, &mut swaps);
                k = self.median(k - 1, k, k + 1, &mut swaps);
            }
            j = self.median(i, j, k, &mut swaps);
        }
        let hint = match swaps {
            0 => Hint::Increasing,
            MAX_SWAPS => Hint::Decreasing,
            _ => Hint::Unknown,
        };
        (j, hint)
    }

    fn order2(&self, a: usize, b: usize, swaps: &mut usize) -> (usize, usize) {
        if self.less(b, a) {
            *swaps += 1;
            (b, a)
        } else {
            (a, b)
        }
    }

    fn median(&self, a: usize, b: usize, c: usize, swaps: &mut usize) -> usize {
        let (a, b) = self.order2(a, b, swaps);
        let (b, _c) = self.order2(b, c, swaps);
        let (_a, b) = self.order2(a, b, swaps);
        b
    }

    fn reverse_range(&mut self, a: usize, b: usize) {
        let (mut i, mut j) = (a, b - 1);
        while i < j {
            self.swap(i, j);
            i += 1;
            j -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(keys: &[&str]) -> Vec<String> {
        let mut entries: Vec<(&str, ())> = keys.iter().map(|k| (*k, ())).collect();
        sort_natural(&mut entries);
        entries.into_iter().map(|(k, _)| k.to_string()).collect()
    }

    #[test]
    fn research_example_order() {
        // The order go-yaml v2 produces for these keys (research/yaml-emitter.md).
        let expected = [
            "$ref",
            "-y",
            "_x",
            "1",
            "9",
            "10",
            "A",
            "Ab",
            "B",
            "a",
            "a-b",
            "a.b",
            "a/b",
            "a_b",
            "a2b",
            "a02",
            "a9",
            "a10",
            "aB",
            "ab",
            "app",
            "app.kubernetes.io/name",
            "b",
            "z",
            "ä",
        ];
        let mut shuffled: Vec<&str> = expected.to_vec();
        shuffled.reverse();
        shuffled.swap(3, 17);
        assert_eq!(sorted(&shuffled), expected);
    }

    #[test]
    fn underscore_before_letters() {
        assert!(natural_less("A_FIRST_ENV_VARIABLE", "ANOTHER_ENV_VARIABLE"));
        assert!(!natural_less(
            "ANOTHER_ENV_VARIABLE",
            "A_FIRST_ENV_VARIABLE"
        ));
    }

    #[test]
    fn digit_runs_compare_as_numbers() {
        assert!(natural_less("a9", "a10"));
        assert!(natural_less("a_b", "a2b"));
        assert!(natural_less("a2b", "a02"));
        assert!(natural_less("x1y", "x1z"));
        assert!(natural_less("port-80", "port-443"));
    }

    #[test]
    fn zero_after_a_non_zero_digit_is_not_leading() {
        // At the first difference `0` vs `5`, the preceding `1` makes both
        // numbers start from 1: "10" (1*10+0=10) vs "15" (1*10+5=15).
        assert!(natural_less("v10", "v15"));
        assert!(natural_less("15", "105"));
        assert!(!natural_less("105", "15"));
    }

    #[test]
    fn prefix_sorts_first() {
        assert!(natural_less("app", "apps"));
        assert!(!natural_less("apps", "app"));
        assert!(!natural_less("same", "same"));
    }

    #[test]
    fn long_digit_runs_do_not_panic() {
        let a = "k99999999999999999999999999999";
        let b = "k99999999999999999999999999998";
        let _ = natural_less(a, b);
        let _ = natural_less(b, a);
    }

    #[test]
    fn go_order_is_not_transitive_for_mixed_digit_runs() {
        // The digit run only starts at the first difference, so a shared
        // leading digit is ignored: node10a < node1a < node2a < node10a.
        assert!(natural_less("node10a", "node1a"));
        assert!(natural_less("node1a", "node2a"));
        assert!(natural_less("node2a", "node10a"));
        // Sorting such keys must still not panic, must keep every key, and
        // must not depend on the insertion order.
        let keys: Vec<String> = (0..40).map(|i| format!("node{}a", (i * 7) % 40)).collect();
        let mut entries: Vec<(&str, ())> = keys.iter().map(|k| (k.as_str(), ())).collect();
        sort_natural(&mut entries);
        assert_eq!(entries.len(), 40);
        let mut reversed: Vec<(&str, ())> = keys.iter().rev().map(|k| (k.as_str(), ())).collect();
        sort_natural(&mut reversed);
        assert_eq!(entries, reversed);
    }

    #[test]
    fn go_pdqsort_sorts_consistent_keys_like_any_sort() {
        // Keys whose order is transitive: every path of pdqsort (insertion,
        // partitions, the already-sorted check, heap sort on reversed input)
        // must give the one sorted order.
        let keys: Vec<String> = (0..300)
            .map(|i| format!("{}{}", ["a", "b", "B", "a_"][i % 4], (i * 37) % 101))
            .collect();
        let mut reference: Vec<&str> = keys.iter().map(String::as_str).collect();
        // The key set is consistent, so a comparator built from
        // natural_less is a total order here.
        reference.sort_by(|x, y| {
            if natural_less(x, y) {
                std::cmp::Ordering::Less
            } else if natural_less(y, x) {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        });
        reference.dedup();
        let unique: Vec<String> = reference.iter().map(|s| s.to_string()).collect();
        for order in 0..4 {
            let mut input: Vec<&str> = unique.iter().map(String::as_str).collect();
            match order {
                1 => input.reverse(),
                2 => input.rotate_left(7),
                3 => {
                    let len = input.len();
                    for i in 0..len {
                        input.swap(i, (i * 7919) % len);
                    }
                }
                _ => {}
            }
            let mut entries: Vec<(&str, ())> = input.into_iter().map(|k| (k, ())).collect();
            sort_natural(&mut entries);
            let got: Vec<&str> = entries.into_iter().map(|(k, _)| k).collect();
            assert_eq!(got, reference, "input order {order}");
        }
    }
}
