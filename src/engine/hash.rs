//! The running event hash: a 64-bit FNV-1a over every dispatched event's key.
//!
//! Two runs of the same scenario and seed must end with the same hash; a different seed should
//! give a different one. The hash is stored in the run summary (FoundationDB's "unseed", done
//! over the whole event stream).

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Folds `(time, seq, kind, id)` tuples into a 64-bit FNV-1a hash.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct EventHash(u64);

impl Default for EventHash {
    fn default() -> Self {
        EventHash(FNV_OFFSET)
    }
}

impl EventHash {
    /// Adds one dispatched event to the hash.
    #[inline]
    pub fn fold(&mut self, time: u64, seq: u64, kind: u8, id: u64) {
        let mut h = self.0;
        for b in time.to_le_bytes() {
            h = (h ^ b as u64).wrapping_mul(FNV_PRIME);
        }
        for b in seq.to_le_bytes() {
            h = (h ^ b as u64).wrapping_mul(FNV_PRIME);
        }
        h = (h ^ kind as u64).wrapping_mul(FNV_PRIME);
        for b in id.to_le_bytes() {
            h = (h ^ b as u64).wrapping_mul(FNV_PRIME);
        }
        self.0 = h;
    }

    /// The current value.
    pub fn value(&self) -> u64 {
        self.0
    }

    /// The value as 16 lowercase hex digits, as written to `summary.json`.
    pub fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_matters() {
        let mut a = EventHash::default();
        a.fold(1, 0, 1, 5);
        a.fold(2, 1, 1, 6);
        let mut b = EventHash::default();
        b.fold(2, 1, 1, 6);
        b.fold(1, 0, 1, 5);
        assert_ne!(a, b);
        let mut c = EventHash::default();
        c.fold(1, 0, 1, 5);
        c.fold(2, 1, 1, 6);
        assert_eq!(a, c);
    }
}
