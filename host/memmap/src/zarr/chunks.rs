//! The decoded chunks of one Zarr array held in host memory: a least-recently-used cache bounded
//! in bytes, with a dirty flag per chunk. The cache only keeps bytes; loading, storing and the
//! policy for chunks that may not be dropped (written, or private to a mode `c` map) are
//! `array.rs`'s.

use std::collections::{BTreeMap, HashMap};

/// One decoded chunk: its bytes in the array's byte order.
pub(crate) struct Chunk {
    pub bytes: Vec<u8>,
    /// Changed since it was loaded or last stored.
    pub dirty: bool,
    /// When it was last used (the cache's clock), its key in `Cache::order`.
    used: u64,
}

/// Decoded chunks by chunk number, oldest use first in `order`.
#[derive(Default)]
pub(crate) struct Cache {
    chunks: HashMap<u64, Chunk>,
    /// Last use -> chunk number: the least recently used chunk is the first entry.
    order: BTreeMap<u64, u64>,
    clock: u64,
    /// Bytes of every cached chunk.
    bytes: u64,
}

fn len_u64(bytes: &[u8]) -> u64 {
    u64::try_from(bytes.len()).unwrap_or(u64::MAX)
}

impl Cache {
    /// The bytes held.
    pub(crate) fn bytes(&self) -> u64 {
        self.bytes
    }

    pub(crate) fn contains(&self, chunk: u64) -> bool {
        self.chunks.contains_key(&chunk)
    }

    /// The chunk, marked as just used.
    pub(crate) fn get_mut(&mut self, chunk: u64) -> Option<&mut Chunk> {
        let entry = self.chunks.get_mut(&chunk)?;
        self.clock += 1;
        self.order.remove(&entry.used);
        entry.used = self.clock;
        self.order.insert(self.clock, chunk);
        Some(entry)
    }

    /// Adds a chunk just loaded (clean) or made (dirty).
    pub(crate) fn insert(&mut self, chunk: u64, bytes: Vec<u8>, dirty: bool) {
        self.remove(chunk);
        self.clock += 1;
        self.bytes = self.bytes.saturating_add(len_u64(&bytes));
        self.order.insert(self.clock, chunk);
        self.chunks.insert(chunk, Chunk { bytes, dirty, used: self.clock });
    }

    /// Drops a chunk, returning it.
    pub(crate) fn remove(&mut self, chunk: u64) -> Option<Chunk> {
        let entry = self.chunks.remove(&chunk)?;
        self.order.remove(&entry.used);
        self.bytes = self.bytes.saturating_sub(len_u64(&entry.bytes));
        Some(entry)
    }

    /// The chunk numbers from least to most recently used.
    pub(crate) fn oldest_first(&self) -> impl Iterator<Item = u64> + '_ {
        self.order.values().copied()
    }

    /// The dirty chunks' numbers, in chunk order (the order a flush stores them in).
    pub(crate) fn dirty(&self) -> Vec<u64> {
        let mut dirty: Vec<u64> = self.chunks.iter().filter(|(_, c)| c.dirty).map(|(&k, _)| k).collect();
        dirty.sort_unstable();
        dirty
    }

    pub(crate) fn get(&self, chunk: u64) -> Option<&Chunk> {
        self.chunks.get(&chunk)
    }

    /// Marks a stored chunk clean.
    pub(crate) fn mark_clean(&mut self, chunk: u64) {
        if let Some(entry) = self.chunks.get_mut(&chunk) {
            entry.dirty = false;
        }
    }

    /// Drops every chunk.
    pub(crate) fn clear(&mut self) {
        self.chunks.clear();
        self.order.clear();
        self.bytes = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_recently_used_chunk_comes_first_and_bytes_are_counted() {
        let mut cache = Cache::default();
        cache.insert(1, vec![0; 10], false);
        cache.insert(2, vec![0; 20], true);
        cache.insert(3, vec![0; 30], false);
        assert_eq!(cache.bytes(), 60);
        cache.get_mut(1).expect("cached");
        assert_eq!(cache.oldest_first().collect::<Vec<_>>(), [2, 3, 1]);
        assert_eq!(cache.dirty(), [2]);
        cache.remove(2);
        assert_eq!((cache.bytes(), cache.dirty().len()), (40, 0));
        cache.insert(3, vec![0; 5], true);
        assert_eq!(cache.bytes(), 15);
        assert_eq!(cache.oldest_first().collect::<Vec<_>>(), [1, 3]);
    }
}
