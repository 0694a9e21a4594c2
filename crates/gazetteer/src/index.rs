//! The name index: hashed keys sorted once at build time, found through a radix directory.
//!
//! Useful for: exact key lookups in a few nanoseconds, loading from a snapshot without
//! rebuilding a hash map. Not useful for: prefix or substring search (keys are hashed),
//! iterating names in order.

/// How a name belongs to a place; lower is a stronger claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum NameRole {
    /// The place's preferred or ASCII name.
    Primary = 0,
    /// Any other recorded name: another language, script, romanization or era.
    Alternate = 1,
    /// A region's name without its designator ("Belgorod" for Belgorod Oblast).
    RegionBase = 2,
    /// A people's or adjective form standing for a country ("Russian").
    Demonym = 3,
}

impl NameRole {
    pub(crate) fn from_byte(byte: u8) -> Option<NameRole> {
        Some(match byte {
            0 => NameRole::Primary,
            1 => NameRole::Alternate,
            2 => NameRole::RegionBase,
            3 => NameRole::Demonym,
            _ => return None,
        })
    }
}

/// Set in an entry's role byte when the entry is a skeleton key, not an exact one.
pub(crate) const SKELETON_FLAG: u8 = 0x80;

/// Bits in the exact-key filter: 2 MiB, which stays in cache while typo probes miss.
const FILTER_BITS: u32 = 24;

/// Which key space a hash lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeySpace {
    /// The folded name (`normalize::fold`).
    Exact = 0,
    /// The romanization skeleton (`normalize::skeleton`).
    Skeleton = 1,
}

/// Multiplier of the polynomial key hash (odd, so powers are invertible modulo 2^64).
const POLY: u64 = 0x9E37_79B9_7F4A_7C15;

/// The raw polynomial value of a key: sum of (byte + 1) · POLY^(len-1-k), modulo 2^64.
/// Polynomial so that a single edit of the key changes it in constant time ([`EditHasher`]).
pub(crate) fn poly_value(key: &[u8]) -> u64 {
    key.iter().fold(0u64, |hash, &byte| hash.wrapping_mul(POLY).wrapping_add(u64::from(byte) + 1))
}

/// Finishes a polynomial value into a key hash: the key space and the length are mixed in
/// and a SplitMix64 finish spreads the top bits, which the directory and filter use.
pub(crate) fn finish(space: KeySpace, len: usize, value: u64) -> u64 {
    let mut hash = value ^ ((len as u64) << 56) ^ ((space as u64) << 63);
    hash = (hash ^ (hash >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    hash = (hash ^ (hash >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    hash ^ (hash >> 31)
}

/// Hashes a key within a key space.
pub(crate) fn key_hash(space: KeySpace, key: &[u8]) -> u64 {
    finish(space, key.len(), poly_value(key))
}

/// Exact-key hashes of every one-edit variant of a key, each in constant time.
pub(crate) struct EditHasher<'k> {
    key: &'k [u8],
    /// `prefix[i]`: polynomial value of `key[..i]`.
    prefix: Vec<u64>,
    /// `suffix[i]`: polynomial value of `key[i..]` as it sits at the end of the key.
    suffix: Vec<u64>,
    /// `powers[i]`: POLY^i.
    powers: Vec<u64>,
}

impl<'k> EditHasher<'k> {
    pub(crate) fn new(key: &'k [u8]) -> EditHasher<'k> {
        let len = key.len();
        let mut powers = vec![1u64; len + 2];
        for i in 1..powers.len() {
            powers[i] = powers[i - 1].wrapping_mul(POLY);
        }
        let mut prefix = vec![0u64; len + 1];
        for i in 0..len {
            prefix[i + 1] = prefix[i].wrapping_mul(POLY).wrapping_add(u64::from(key[i]) + 1);
        }
        let mut suffix = vec![0u64; len + 1];
        for i in (0..len).rev() {
            suffix[i] = suffix[i + 1]
                .wrapping_add((u64::from(key[i]) + 1).wrapping_mul(powers[len - 1 - i]));
        }
        EditHasher { key, prefix, suffix, powers }
    }

    /// The key without its byte at `i`.
    pub(crate) fn delete(&self, i: usize) -> u64 {
        let len = self.key.len();
        let value =
            self.prefix[i].wrapping_mul(self.powers[len - 1 - i]).wrapping_add(self.suffix[i + 1]);
        finish(KeySpace::Exact, len - 1, value)
    }

    /// The key with `byte` in place of its byte at `i`.
    pub(crate) fn substitute(&self, i: usize, byte: u8) -> u64 {
        let len = self.key.len();
        let value = self.prefix[i]
            .wrapping_mul(self.powers[len - i])
            .wrapping_add((u64::from(byte) + 1).wrapping_mul(self.powers[len - 1 - i]))
            .wrapping_add(self.suffix[i + 1]);
        finish(KeySpace::Exact, len, value)
    }

    /// The key with `byte` inserted before position `i`.
    pub(crate) fn insert(&self, i: usize, byte: u8) -> u64 {
        let len = self.key.len();
        let value = self.prefix[i]
            .wrapping_mul(self.powers[len - i + 1])
            .wrapping_add((u64::from(byte) + 1).wrapping_mul(self.powers[len - i]))
            .wrapping_add(self.suffix[i]);
        finish(KeySpace::Exact, len + 1, value)
    }

    /// The key with its bytes at `i` and `i + 1` swapped.
    pub(crate) fn transpose(&self, i: usize) -> u64 {
        let len = self.key.len();
        let value = self.prefix[i]
            .wrapping_mul(self.powers[len - i])
            .wrapping_add((u64::from(self.key[i + 1]) + 1).wrapping_mul(self.powers[len - 1 - i]))
            .wrapping_add((u64::from(self.key[i]) + 1).wrapping_mul(self.powers[len - 2 - i]))
            .wrapping_add(self.suffix[i + 2]);
        finish(KeySpace::Exact, len, value)
    }
}

/// A `Hasher` for keys that are already well-mixed 64-bit hashes: it passes them through.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

/// One index entry, as seen by lookups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) place: u32,
    pub(crate) name: u32,
    pub(crate) role: NameRole,
}

/// One stored entry: the key hash, the place, and the name id with the role in its top
/// eight bits. Sixteen bytes, so a lookup touches one cache line per entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Packed {
    pub(crate) hash: u64,
    pub(crate) place: u32,
    pub(crate) name_role: u32,
}

/// Largest name id an entry can carry (the role takes the top eight bits).
pub(crate) const MAX_NAME_ID: u32 = (1 << 24) - 1;

impl Packed {
    pub(crate) fn name(&self) -> u32 {
        self.name_role & MAX_NAME_ID
    }

    pub(crate) fn role_byte(&self) -> u8 {
        (self.name_role >> 24) as u8
    }
}

/// The table of entries, sorted by hash then place.
#[derive(Debug, Default)]
pub(crate) struct NameIndex {
    pub(crate) entries: Vec<Packed>,
    directory: Vec<u32>,
    shift: u32,
    /// One bit per exact-key hash prefix: a cheap "certainly absent" before the directory.
    exact_filter: Vec<u64>,
}

impl NameIndex {
    /// Sorts and deduplicates raw entries (keeping the strongest role per hash and place).
    /// Entries whose name id does not fit are dropped.
    pub(crate) fn build(mut raw: Vec<(u64, u32, u32, u8)>) -> NameIndex {
        raw.sort_unstable_by_key(|&(hash, place, _, role)| (hash, place, role));
        raw.dedup_by_key(|&mut (hash, place, _, _)| (hash, place));
        let entries = raw
            .into_iter()
            .filter(|&(_, _, name, _)| name <= MAX_NAME_ID)
            .map(|(hash, place, name, role)| Packed {
                hash,
                place,
                name_role: name | (u32::from(role) << 24),
            })
            .collect();
        let mut index =
            NameIndex { entries, directory: Vec::new(), shift: 0, exact_filter: Vec::new() };
        index.build_directory();
        index
    }

    /// Assembles an index from entries read back from a snapshot; `None` if they are not
    /// sorted or carry an unknown role.
    pub(crate) fn from_entries(entries: Vec<Packed>) -> Option<NameIndex> {
        if entries.windows(2).any(|pair| pair[0].hash > pair[1].hash) {
            return None;
        }
        if entries
            .iter()
            .any(|entry| NameRole::from_byte(entry.role_byte() & !SKELETON_FLAG).is_none())
        {
            return None;
        }
        let mut index =
            NameIndex { entries, directory: Vec::new(), shift: 0, exact_filter: Vec::new() };
        index.build_directory();
        Some(index)
    }

    fn build_directory(&mut self) {
        let n = self.entries.len().max(1);
        let bits = (usize::BITS - n.leading_zeros()).clamp(4, 24);
        self.shift = 64 - bits;
        let buckets = 1usize << bits;
        let mut directory = vec![0u32; buckets + 1];
        let mut position = 0usize;
        for (bucket, slot) in directory.iter_mut().enumerate() {
            while position < self.entries.len()
                && ((self.entries[position].hash >> self.shift) as usize) < bucket
            {
                position += 1;
            }
            *slot = u32::try_from(position).unwrap_or(u32::MAX);
        }
        self.directory = directory;
        let mut filter = vec![0u64; (1usize << FILTER_BITS) / 64];
        for entry in &self.entries {
            if entry.role_byte() & SKELETON_FLAG == 0 {
                let bit = (entry.hash >> (64 - FILTER_BITS)) as usize;
                filter[bit / 64] |= 1 << (bit % 64);
            }
        }
        self.exact_filter = filter;
    }

    /// Every entry stored under `hash`.
    pub(crate) fn get(&self, hash: u64) -> impl Iterator<Item = Entry> + '_ {
        let bucket = (hash >> self.shift) as usize;
        let start = self.directory.get(bucket).copied().unwrap_or(0) as usize;
        let end = self.directory.get(bucket + 1).copied().unwrap_or(0) as usize;
        let slice = self.entries.get(start..end).unwrap_or(&[]);
        let first = slice.partition_point(|entry| entry.hash < hash);
        slice[first..].iter().take_while(move |entry| entry.hash == hash).filter_map(|entry| {
            Some(Entry {
                place: entry.place,
                name: entry.name(),
                role: NameRole::from_byte(entry.role_byte() & !SKELETON_FLAG)?,
            })
        })
    }

    /// False when no exact key has this hash; true when one may.
    pub(crate) fn may_hold_exact(&self, hash: u64) -> bool {
        let bit = (hash >> (64 - FILTER_BITS)) as usize;
        self.exact_filter.get(bit / 64).is_some_and(|word| word & (1 << (bit % 64)) != 0)
    }

    /// Number of entries.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}
