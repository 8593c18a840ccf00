//! Arena storage with typed, generation-checked ids.
//!
//! Objects live in `Vec` slots indexed by a `u32`; a freed slot is reused with its generation
//! bumped, so an id held past its object's deletion (in a pending event, say) no longer resolves.
//! Iteration is in slot order: deterministic, but not creation order — code that needs creation
//! order sorts by the object's uid.

use std::marker::PhantomData;

/// A typed arena id: a slot index and the slot's generation.
pub trait ArenaId: Copy + Eq + Ord + std::fmt::Debug {
    /// Builds an id.
    fn from_parts(index: u32, generation: u32) -> Self;
    /// The slot index.
    fn index(self) -> u32;
    /// The slot generation.
    fn generation(self) -> u32;
}

/// Defines a typed arena id.
#[macro_export]
macro_rules! define_id {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name {
            index: u32,
            generation: u32,
        }
        impl $crate::model::arena::ArenaId for $name {
            #[inline]
            fn from_parts(index: u32, generation: u32) -> Self {
                $name { index, generation }
            }
            #[inline]
            fn index(self) -> u32 {
                self.index
            }
            #[inline]
            fn generation(self) -> u32 {
                self.generation
            }
        }
        #[allow(dead_code)]
        impl $name {
            /// The id packed into 64 bits (generation high, index low), for hashing and traces.
            pub fn to_u64(self) -> u64 {
                ((self.generation as u64) << 32) | self.index as u64
            }
        }
    };
}

struct Slot<T> {
    generation: u32,
    value: Option<T>,
}

/// A slot arena of `T` addressed by ids of type `I`.
pub struct Arena<I, T> {
    slots: Vec<Slot<T>>,
    free: Vec<u32>,
    len: usize,
    _id: PhantomData<I>,
}

impl<I: ArenaId, T> Default for Arena<I, T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<I: ArenaId, T> Arena<I, T> {
    /// An empty arena.
    pub fn new() -> Self {
        Arena {
            slots: Vec::new(),
            free: Vec::new(),
            len: 0,
            _id: PhantomData,
        }
    }

    /// Stores `value` and returns its id (reusing the most recently freed slot, if any).
    pub fn insert(&mut self, value: T) -> I {
        self.len += 1;
        if let Some(i) = self.free.pop() {
            let slot = &mut self.slots[i as usize];
            slot.generation = slot.generation.wrapping_add(1);
            slot.value = Some(value);
            I::from_parts(i, slot.generation)
        } else {
            let i = self.slots.len() as u32;
            self.slots.push(Slot {
                generation: 0,
                value: Some(value),
            });
            I::from_parts(i, 0)
        }
    }

    /// The object with id `id`, if it still exists.
    #[inline]
    pub fn get(&self, id: I) -> Option<&T> {
        match self.slots.get(id.index() as usize) {
            Some(s) if s.generation == id.generation() => s.value.as_ref(),
            _ => None,
        }
    }

    /// Mutable access to the object with id `id`, if it still exists.
    #[inline]
    pub fn get_mut(&mut self, id: I) -> Option<&mut T> {
        match self.slots.get_mut(id.index() as usize) {
            Some(s) if s.generation == id.generation() => s.value.as_mut(),
            _ => None,
        }
    }

    /// True when `id` still resolves.
    pub fn contains(&self, id: I) -> bool {
        self.get(id).is_some()
    }

    /// Removes and returns the object; its slot is reused by a later insert.
    pub fn remove(&mut self, id: I) -> Option<T> {
        let slot = self.slots.get_mut(id.index() as usize)?;
        if slot.generation != id.generation() {
            return None;
        }
        let v = slot.value.take()?;
        self.free.push(id.index());
        self.len -= 1;
        Some(v)
    }

    /// Number of live objects.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there are no live objects.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of slots ever allocated (an upper bound for side tables indexed by slot).
    pub fn capacity_slots(&self) -> usize {
        self.slots.len()
    }

    /// Iterates live objects in slot order.
    pub fn iter(&self) -> impl Iterator<Item = (I, &T)> + '_ {
        self.slots.iter().enumerate().filter_map(|(i, s)| {
            s.value
                .as_ref()
                .map(|v| (I::from_parts(i as u32, s.generation), v))
        })
    }

    /// Iterates live objects mutably in slot order.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (I, &mut T)> + '_ {
        self.slots.iter_mut().enumerate().filter_map(|(i, s)| {
            let g = s.generation;
            s.value.as_mut().map(|v| (I::from_parts(i as u32, g), v))
        })
    }

    /// Ids of live objects in slot order.
    pub fn ids(&self) -> impl Iterator<Item = I> + '_ {
        self.iter().map(|(i, _)| i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    crate::define_id!(
        /// Test id.
        TestId
    );

    #[test]
    fn stale_ids_do_not_resolve() {
        let mut a: Arena<TestId, &str> = Arena::new();
        let x = a.insert("x");
        let y = a.insert("y");
        assert_eq!(a.remove(x), Some("x"));
        let z = a.insert("z");
        assert_eq!(z.index(), x.index());
        assert_ne!(z, x);
        assert!(a.get(x).is_none());
        assert_eq!(a.get(z), Some(&"z"));
        assert_eq!(a.get(y), Some(&"y"));
        assert_eq!(a.len(), 2);
        assert_eq!(
            a.iter().map(|(_, v)| *v).collect::<Vec<_>>(),
            vec!["z", "y"]
        );
        assert!(a.remove(x).is_none());
    }
}
