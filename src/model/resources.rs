//! Integer resource vectors: cpu in millicores, memory and ephemeral storage in bytes, and
//! extended resources (`nvidia.com/gpu`, hugepages...) as integer counts.

use super::labels::Sym;
use smallvec::SmallVec;

/// An amount of every resource kind the simulation tracks. Never floats.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Resources {
    /// Millicores.
    pub cpu: i64,
    /// Bytes.
    pub memory: i64,
    /// Bytes of ephemeral storage.
    pub ephemeral: i64,
    /// Extended and other scalar resources, sorted by name symbol, no zero entries.
    pub scalars: SmallVec<[(Sym, i64); 2]>,
}

impl Resources {
    /// All zero.
    pub fn zero() -> Self {
        Resources {
            cpu: 0,
            memory: 0,
            ephemeral: 0,
            scalars: SmallVec::new(),
        }
    }

    /// Only cpu and memory.
    pub fn cpu_mem(cpu: i64, memory: i64) -> Self {
        Resources {
            cpu,
            memory,
            ..Resources::zero()
        }
    }

    /// True when every component is zero.
    pub fn is_zero(&self) -> bool {
        self.cpu == 0 && self.memory == 0 && self.ephemeral == 0 && self.scalars.is_empty()
    }

    /// The amount of scalar resource `name`.
    pub fn scalar(&self, name: Sym) -> i64 {
        match self.scalars.binary_search_by_key(&name, |&(n, _)| n) {
            Ok(i) => self.scalars[i].1,
            Err(_) => 0,
        }
    }

    /// Sets scalar resource `name` (removing it when zero).
    pub fn set_scalar(&mut self, name: Sym, v: i64) {
        match self.scalars.binary_search_by_key(&name, |&(n, _)| n) {
            Ok(i) if v == 0 => {
                self.scalars.remove(i);
            }
            Ok(i) => self.scalars[i].1 = v,
            Err(_) if v == 0 => {}
            Err(i) => self.scalars.insert(i, (name, v)),
        }
    }

    /// `self += other`, component-wise (saturating).
    pub fn add(&mut self, other: &Resources) {
        self.cpu = self.cpu.saturating_add(other.cpu);
        self.memory = self.memory.saturating_add(other.memory);
        self.ephemeral = self.ephemeral.saturating_add(other.ephemeral);
        for &(n, v) in &other.scalars {
            let cur = self.scalar(n);
            self.set_scalar(n, cur.saturating_add(v));
        }
    }

    /// `self -= other`, component-wise (saturating).
    pub fn sub(&mut self, other: &Resources) {
        self.cpu = self.cpu.saturating_sub(other.cpu);
        self.memory = self.memory.saturating_sub(other.memory);
        self.ephemeral = self.ephemeral.saturating_sub(other.ephemeral);
        for &(n, v) in &other.scalars {
            let cur = self.scalar(n);
            self.set_scalar(n, cur.saturating_sub(v));
        }
    }

    /// Component-wise maximum.
    pub fn max_with(&mut self, other: &Resources) {
        self.cpu = self.cpu.max(other.cpu);
        self.memory = self.memory.max(other.memory);
        self.ephemeral = self.ephemeral.max(other.ephemeral);
        for &(n, v) in &other.scalars {
            let cur = self.scalar(n);
            if v > cur {
                self.set_scalar(n, v);
            }
        }
    }

    /// True when every component of `self` is `<=` the same component of `limit`.
    pub fn fits_within(&self, limit: &Resources) -> bool {
        self.cpu <= limit.cpu
            && self.memory <= limit.memory
            && self.ephemeral <= limit.ephemeral
            && self.scalars.iter().all(|&(n, v)| v <= limit.scalar(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_and_scalars() {
        let gpu = Sym(7);
        let mut a = Resources::cpu_mem(100, 1000);
        let mut b = Resources::cpu_mem(50, 500);
        b.set_scalar(gpu, 2);
        a.add(&b);
        assert_eq!((a.cpu, a.memory, a.scalar(gpu)), (150, 1500, 2));
        a.sub(&b);
        assert_eq!(a, Resources::cpu_mem(100, 1000));
        assert!(a.scalars.is_empty(), "zero scalars are dropped");
        let mut cap = Resources::cpu_mem(200, 2000);
        assert!(!b.fits_within(&cap));
        cap.set_scalar(gpu, 2);
        assert!(b.fits_within(&cap));
    }
}
