//! Unsigned big integers: just the operations Dragon4 needs to generate exact decimal digits of a
//! binary float (an f64 spans 2^-1074..2^1024, far beyond any machine integer).

use std::cmp::Ordering;

/// An unsigned integer as little-endian 32-bit blocks, with no zero blocks at the top (zero is empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct BigUint {
    blocks: Vec<u32>,
}

/// The low and high halves of a 64-bit value.
fn halves(v: u64) -> (u32, u32) {
    let [a, b, c, d, e, f, g, h] = v.to_le_bytes();
    (u32::from_le_bytes([a, b, c, d]), u32::from_le_bytes([e, f, g, h]))
}

impl BigUint {
    /// The value `v`.
    pub(super) fn from_u64(v: u64) -> Self {
        let (lo, hi) = halves(v);
        let mut n = Self { blocks: vec![lo, hi] };
        n.normalize();
        n
    }

    /// The value `2^e`.
    pub(super) fn pow2(e: u32) -> Self {
        let mut n = Self::from_u64(1);
        n.shl(e);
        n
    }

    fn normalize(&mut self) {
        while self.blocks.last() == Some(&0) {
            self.blocks.pop();
        }
    }

    /// Whether the value is zero.
    pub(super) fn is_zero(&self) -> bool {
        self.blocks.is_empty()
    }

    /// `self <<= bits`.
    pub(super) fn shl(&mut self, bits: u32) {
        if self.is_zero() {
            return;
        }
        let whole = usize::try_from(bits / 32).expect("shift fits usize");
        let part = bits % 32;
        if part != 0 {
            let mut carry = 0u32;
            for b in &mut self.blocks {
                let next = *b >> (32 - part);
                *b = (*b << part) | carry;
                carry = next;
            }
            if carry != 0 {
                self.blocks.push(carry);
            }
        }
        if whole != 0 {
            self.blocks.splice(0..0, std::iter::repeat_n(0, whole));
        }
    }

    /// `self *= m`.
    pub(super) fn mul_small(&mut self, m: u32) {
        let mut carry = 0u64;
        for b in &mut self.blocks {
            let (lo, hi) = halves(u64::from(*b) * u64::from(m) + carry);
            *b = lo;
            carry = u64::from(hi);
        }
        if carry != 0 {
            self.blocks.push(halves(carry).0);
        }
        self.normalize();
    }

    /// `self *= 10^n`.
    pub(super) fn mul_pow10(&mut self, mut n: u32) {
        while n >= 9 {
            self.mul_small(1_000_000_000);
            n -= 9;
        }
        self.mul_small(10u32.pow(n));
    }

    /// `self * 2`.
    pub(super) fn doubled(&self) -> Self {
        let mut n = self.clone();
        n.shl(1);
        n
    }

    /// `self + other`.
    pub(super) fn add(&self, other: &Self) -> Self {
        let len = self.blocks.len().max(other.blocks.len());
        let mut blocks = Vec::with_capacity(len + 1);
        let mut carry = 0u64;
        for i in 0..len {
            let a = u64::from(self.blocks.get(i).copied().unwrap_or(0));
            let b = u64::from(other.blocks.get(i).copied().unwrap_or(0));
            let (lo, hi) = halves(a + b + carry);
            blocks.push(lo);
            carry = u64::from(hi);
        }
        blocks.push(halves(carry).0);
        let mut n = Self { blocks };
        n.normalize();
        n
    }

    /// `self -= other`; `other` must not exceed `self`.
    fn sub_assign(&mut self, other: &Self) {
        let mut borrow = 0i64;
        for (i, b) in self.blocks.iter_mut().enumerate() {
            let o = i64::from(other.blocks.get(i).copied().unwrap_or(0));
            let mut d = i64::from(*b) - o - borrow;
            borrow = 0;
            if d < 0 {
                d += 1 << 32;
                borrow = 1;
            }
            *b = halves(u64::try_from(d).expect("block difference is non-negative")).0;
        }
        debug_assert_eq!(borrow, 0, "subtrahend larger than minuend");
        self.normalize();
    }

    /// Replaces `self` by `self mod divisor` and returns `self / divisor`, which Dragon4 guarantees to be
    /// a single decimal digit.
    pub(super) fn div_rem_digit(&mut self, divisor: &Self) -> u32 {
        let mut q = 0;
        while Ord::cmp(&*self, divisor) != Ordering::Less {
            self.sub_assign(divisor);
            q += 1;
        }
        debug_assert!(q < 10, "quotient {q} is not a digit");
        q
    }
}

impl PartialOrd for BigUint {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for BigUint {
    fn cmp(&self, other: &Self) -> Ordering {
        self.blocks.len().cmp(&other.blocks.len()).then_with(|| self.blocks.iter().rev().cmp(other.blocks.iter().rev()))
    }
}
