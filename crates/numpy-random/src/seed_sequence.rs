//! numpy's `SeedSequence` (`numpy/random/bit_generator.pyx`): turns a seed of any size into the
//! well-mixed words a bit generator starts from.

/// Words in the entropy pool (`DEFAULT_POOL_SIZE`).
const POOL_SIZE: usize = 4;
const INIT_A: u32 = 0x43b0_d7e5;
const MULT_A: u32 = 0x931e_8875;
const INIT_B: u32 = 0x8b51_f9dd;
const MULT_B: u32 = 0x58f3_8ded;
const MIX_MULT_L: u32 = 0xca01_f9dd;
const MIX_MULT_R: u32 = 0x4973_f715;
/// Half the bits of a `u32`.
const XSHIFT: u32 = 16;

/// Mixes the entropy of a seed into a pool of four words, like `np.random.SeedSequence(entropy)`
/// (without spawn keys).
///
/// # Examples
/// ```
/// use wasm_memmap_numpy_random::SeedSequence;
/// // np.random.SeedSequence(12345).generate_state(1, np.uint64)
/// assert_eq!(SeedSequence::from_int(12345).generate_state_u64(1), [13091511679009522556]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedSequence {
    pool: [u32; POOL_SIZE],
}

/// `hashmix`: the multiplier `hash_const` advances with every call.
fn hashmix(value: u32, hash_const: &mut u32) -> u32 {
    let mut value = value ^ *hash_const;
    *hash_const = hash_const.wrapping_mul(MULT_A);
    value = value.wrapping_mul(*hash_const);
    value ^ (value >> XSHIFT)
}

fn mix(x: u32, y: u32) -> u32 {
    let result = MIX_MULT_L.wrapping_mul(x).wrapping_sub(MIX_MULT_R.wrapping_mul(y));
    result ^ (result >> XSHIFT)
}

impl SeedSequence {
    /// The sequence for entropy given as 32-bit words, lowest first, like
    /// `np.random.SeedSequence(np.array(words, dtype=np.uint32))`.
    pub fn new(entropy: &[u32]) -> Self {
        let mut pool = [0u32; POOL_SIZE];
        let mut hash_const = INIT_A;
        for (i, word) in pool.iter_mut().enumerate() {
            *word = hashmix(entropy.get(i).copied().unwrap_or(0), &mut hash_const);
        }
        // Every word of the pool depends on every other, so late bits of the seed reach early words.
        for src in 0..POOL_SIZE {
            for dst in 0..POOL_SIZE {
                if src != dst {
                    pool[dst] = mix(pool[dst], hashmix(pool[src], &mut hash_const));
                }
            }
        }
        for &word in entropy.iter().skip(POOL_SIZE) {
            for dst in pool.iter_mut() {
                *dst = mix(*dst, hashmix(word, &mut hash_const));
            }
        }
        Self { pool }
    }

    /// The sequence for a non-negative integer seed, like `np.random.SeedSequence(seed)`: the integer is
    /// cut into 32-bit words, lowest first (`0` is one word, as numpy does).
    pub fn from_int(seed: u128) -> Self {
        let mut words = Vec::with_capacity(4);
        let mut rest = seed;
        loop {
            words.push(u32::try_from(rest & u128::from(u32::MAX)).unwrap_or(u32::MAX));
            rest >>= 32;
            if rest == 0 {
                break;
            }
        }
        Self::new(&words)
    }

    /// `n` 32-bit words of state, like `seq.generate_state(n, np.uint32)`.
    pub fn generate_state_u32(&self, n: usize) -> Vec<u32> {
        let mut hash_const = INIT_B;
        self.pool
            .iter()
            .cycle()
            .take(n)
            .map(|&word| {
                let mut value = word ^ hash_const;
                hash_const = hash_const.wrapping_mul(MULT_B);
                value = value.wrapping_mul(hash_const);
                value ^ (value >> XSHIFT)
            })
            .collect()
    }

    /// `n` 64-bit words of state, like `seq.generate_state(n, np.uint64)`: pairs of 32-bit words,
    /// the first of each pair the low half (numpy reads them as little-endian `u64`s on every platform).
    pub fn generate_state_u64(&self, n: usize) -> Vec<u64> {
        let words = self.generate_state_u32(n.checked_mul(2).expect("the state fits in memory"));
        words.chunks_exact(2).map(|pair| u64::from(pair[0]) | (u64::from(pair[1]) << 32)).collect()
    }
}
