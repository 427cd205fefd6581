//! Big-number arithmetic: the Fibonacci numbers F(n-1), F(n), F(n+1) as integers of
//! 32-bit limbs, by `n` additions and by fast doubling (multiplications), and F(n) in
//! decimal.
//!
//! Self-checks: both ways give the same numbers; Cassini's identity
//! F(n-1)·F(n+1) − F(n)² = (−1)ⁿ holds; the decimal digits, read back into limbs, give
//! F(n) again.

#![no_std]

extern crate alloc;

use alloc::vec;
use alloc::vec::Vec;
use common::{check, reset_heap};
use core::cmp::Ordering;

/// A natural number, least significant limb first, without high zero limbs.
#[derive(Clone, PartialEq, Eq)]
struct Nat(Vec<u32>);

impl Nat {
    fn from_u32(value: u32) -> Nat {
        let mut nat = Nat(vec![value]);
        nat.trim();
        nat
    }

    fn trim(&mut self) {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    /// `self += other`.
    fn add_assign(&mut self, other: &Nat) {
        if self.0.len() < other.0.len() {
            self.0.resize(other.0.len(), 0);
        }
        let mut carry = 0u64;
        for (k, limb) in self.0.iter_mut().enumerate() {
            let sum = u64::from(*limb) + u64::from(other.0.get(k).copied().unwrap_or(0)) + carry;
            *limb = sum as u32;
            carry = sum >> 32;
            if carry == 0 && k >= other.0.len() {
                break;
            }
        }
        if carry != 0 {
            self.0.push(carry as u32);
        }
    }

    /// `self -= other`, where `other <= self`.
    fn sub_assign(&mut self, other: &Nat) {
        check(other.0.len() <= self.0.len());
        let mut borrow = 0i64;
        for (k, limb) in self.0.iter_mut().enumerate() {
            let difference =
                i64::from(*limb) - i64::from(other.0.get(k).copied().unwrap_or(0)) - borrow;
            *limb = difference as u32;
            borrow = i64::from(difference < 0);
            if borrow == 0 && k >= other.0.len() {
                break;
            }
        }
        check(borrow == 0);
        self.trim();
    }

    fn add(&self, other: &Nat) -> Nat {
        let mut sum = self.clone();
        sum.add_assign(other);
        sum
    }

    fn sub(&self, other: &Nat) -> Nat {
        let mut difference = self.clone();
        difference.sub_assign(other);
        difference
    }

    /// Schoolbook multiplication.
    fn mul(&self, other: &Nat) -> Nat {
        if self.is_zero() || other.is_zero() {
            return Nat(Vec::new());
        }
        let mut product = vec![0u32; self.0.len() + other.0.len()];
        for (i, &a) in self.0.iter().enumerate() {
            let mut carry = 0u64;
            let row = &mut product[i..];
            for (j, &b) in other.0.iter().enumerate() {
                let t = u64::from(a) * u64::from(b) + u64::from(row[j]) + carry;
                row[j] = t as u32;
                carry = t >> 32;
            }
            row[other.0.len()] = carry as u32;
        }
        let mut nat = Nat(product);
        nat.trim();
        nat
    }

    /// `self * factor + addend`, in place.
    fn mul_add_small(&mut self, factor: u32, addend: u32) {
        let mut carry = u64::from(addend);
        for limb in self.0.iter_mut() {
            let t = u64::from(*limb) * u64::from(factor) + carry;
            *limb = t as u32;
            carry = t >> 32;
        }
        if carry != 0 {
            self.0.push(carry as u32);
        }
    }

    /// Divides in place by `divisor`, returning the remainder.
    fn div_small(&mut self, divisor: u32) -> u32 {
        let mut remainder = 0u64;
        for limb in self.0.iter_mut().rev() {
            let t = remainder << 32 | u64::from(*limb);
            *limb = (t / u64::from(divisor)) as u32;
            remainder = t % u64::from(divisor);
        }
        self.trim();
        remainder as u32
    }

    fn cmp(&self, other: &Nat) -> Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }

    /// Decimal digits, most significant first.
    fn to_decimal(&self) -> Vec<u8> {
        let mut rest = self.clone();
        let mut groups = Vec::new();
        while !rest.is_zero() {
            groups.push(rest.div_small(1_000_000_000));
        }
        let mut digits = Vec::with_capacity(groups.len() * 9 + 1);
        for (k, &group) in groups.iter().rev().enumerate() {
            let mut chunk = [0u8; 9];
            let mut value = group;
            for digit in chunk.iter_mut().rev() {
                *digit = b'0' + (value % 10) as u8;
                value /= 10;
            }
            // The leading group has no leading zeros.
            let skip = if k == 0 {
                chunk.iter().take_while(|&&d| d == b'0').count()
            } else {
                0
            };
            digits.extend_from_slice(&chunk[skip..]);
        }
        if digits.is_empty() {
            digits.push(b'0');
        }
        digits
    }

    fn from_decimal(digits: &[u8]) -> Nat {
        let mut nat = Nat(Vec::new());
        for chunk in digits.chunks(9) {
            let mut value = 0u32;
            let mut scale = 1u32;
            for &digit in chunk {
                check(digit.is_ascii_digit());
                value = value * 10 + u32::from(digit - b'0');
                scale *= 10;
            }
            nat.mul_add_small(scale, value);
        }
        nat.trim();
        nat
    }
}

/// (F(k), F(k+1)) by fast doubling, from the top bit of `k` down:
/// F(2j) = F(j)·(2F(j+1) − F(j)) and F(2j+1) = F(j)² + F(j+1)².
fn fib_doubling(k: u32) -> (Nat, Nat) {
    let (mut a, mut b) = (Nat(Vec::new()), Nat::from_u32(1));
    for bit in (0..32 - k.leading_zeros()).rev() {
        let twice_b = b.add(&b);
        let even = a.mul(&twice_b.sub(&a));
        let odd = a.mul(&a).add(&b.mul(&b));
        if k >> bit & 1 == 0 {
            (a, b) = (even, odd);
        } else {
            let next = even.add(&odd);
            (a, b) = (odd, next);
        }
    }
    (a, b)
}

#[unsafe(no_mangle)]
pub extern "C" fn run(n: i32) -> i64 {
    reset_heap();
    let n = n.max(1) as u32;

    // F(n-1), F(n), F(n+1) by additions, keeping three numbers in rotation.
    let (mut previous, mut current) = (Nat(Vec::new()), Nat::from_u32(1));
    for _ in 1..n {
        previous.add_assign(&current);
        core::mem::swap(&mut previous, &mut current);
    }
    let next = previous.add(&current);

    let (fast, fast_next) = fib_doubling(n);
    check(fast == current && fast_next == next);

    // Cassini: F(n-1)·F(n+1) = F(n)² + 1 for even n, F(n)² − 1 for odd n.
    let outer = previous.mul(&next);
    let square = current.mul(&current);
    let one = Nat::from_u32(1);
    let expected = if n.is_multiple_of(2) {
        square.add(&one)
    } else {
        square.sub(&one)
    };
    check(outer.cmp(&expected) == Ordering::Equal);

    let digits = current.to_decimal();
    check(Nat::from_decimal(&digits) == current);
    let digit_sum: u64 = digits.iter().map(|&d| u64::from(d - b'0')).sum();
    (digits.len() as i64) << 32 | digit_sum as i64
}
