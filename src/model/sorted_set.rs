//! A small ordered set kept as one sorted vector: iteration in order without the pointer
//! chasing of a B-tree. For sets of at most a few hundred ids that are walked far more often
//! than changed (a ReplicaSet's pods are listed on every HPA sync and metrics scrape).

/// An ordered set of `Copy` values, sorted in one vector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SortedSet<T>(Vec<T>);

impl<T> Default for SortedSet<T> {
    fn default() -> Self {
        SortedSet(Vec::new())
    }
}

impl<T: Ord + Copy> SortedSet<T> {
    /// An empty set.
    pub fn new() -> Self {
        SortedSet(Vec::new())
    }

    /// Adds `v`; false when it was there already.
    pub fn insert(&mut self, v: T) -> bool {
        match self.0.binary_search(&v) {
            Ok(_) => false,
            Err(i) => {
                self.0.insert(i, v);
                true
            }
        }
    }

    /// Removes `v`; false when it was not there.
    pub fn remove(&mut self, v: &T) -> bool {
        match self.0.binary_search(v) {
            Ok(i) => {
                self.0.remove(i);
                true
            }
            Err(_) => false,
        }
    }

    /// True when `v` is in the set.
    pub fn contains(&self, v: &T) -> bool {
        self.0.binary_search(v).is_ok()
    }

    /// The values in ascending order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }

    /// The values in ascending order, as a slice.
    pub fn as_slice(&self) -> &[T] {
        &self.0
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a, T> IntoIterator for &'a SortedSet<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<T: Ord + Copy> FromIterator<T> for SortedSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(it: I) -> Self {
        let mut v: Vec<T> = it.into_iter().collect();
        v.sort();
        v.dedup();
        SortedSet(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_as_an_ordered_set() {
        let mut s = SortedSet::new();
        assert!(s.insert(5));
        assert!(s.insert(1));
        assert!(s.insert(3));
        assert!(!s.insert(3), "no duplicates");
        assert_eq!(s.iter().copied().collect::<Vec<_>>(), vec![1, 3, 5]);
        assert!(s.contains(&3) && !s.contains(&4));
        assert!(s.remove(&3) && !s.remove(&3));
        assert_eq!((s.len(), s.is_empty()), (2, false));
        let t: SortedSet<i32> = [4, 2, 4].into_iter().collect();
        assert_eq!(t.as_slice(), &[2, 4]);
    }
}
