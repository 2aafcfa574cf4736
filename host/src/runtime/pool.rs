//! The instance pool's budget: every connector version reserves, when it is
//! loaded, what its calls can take at once, so no version's calls can ever
//! take the slots another needs.
//!
//! The engine's pooling allocator has engine-wide totals of core instances,
//! memories, tables and component instances ([`PoolLimits`]). A version
//! may run [`Limits::max_concurrent_calls`](super::Limits::max_concurrent_calls)
//! calls and [`Limits::max_concurrent_sessions`](super::Limits::max_concurrent_sessions)
//! sessions at once, plus its load-time `describe`: it reserves that many
//! times its [`Footprint`]. A load that does not fit is refused; each call's
//! store is capped at the footprint, so a call never uses more than its share.

use super::limits::PoolLimits;
use serde::Serialize;
use std::sync::{Arc, Mutex};

/// What one instance of a component takes from the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Footprint {
    /// Core instances it creates.
    pub core_instances: u32,
    /// Linear memories it defines.
    pub memories: u32,
    /// Tables it defines.
    pub tables: u32,
}

impl Footprint {
    /// This footprint `n` times over, with one component instance each.
    fn times(self, n: u32) -> Usage {
        Usage {
            core_instances: self.core_instances.saturating_mul(n),
            memories: self.memories.saturating_mul(n),
            tables: self.tables.saturating_mul(n),
            component_instances: n,
        }
    }
}

/// Counts of each pooled resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Usage {
    core_instances: u32,
    memories: u32,
    tables: u32,
    component_instances: u32,
}

/// Why a version's reservation does not fit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the instance pool cannot hold this connector version: its {calls} concurrent calls need {needed} {what}, and \
     only {free} of {total} are not reserved by installed versions (remove unused versions, or lower the \
     component's footprint)"
)]
pub struct PoolFull {
    /// Which resource ran out.
    pub what: &'static str,
    /// How many the version needs.
    pub needed: u32,
    /// How many are left.
    pub free: u32,
    /// The pool's total.
    pub total: u32,
    /// The calls and sessions it reserves for.
    pub calls: u32,
}

/// The reservations of every loaded version. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Pool {
    totals: Usage,
    reserved: Arc<Mutex<Usage>>,
}

impl Pool {
    /// An empty pool of `limits`' totals.
    pub(crate) fn new(limits: &PoolLimits) -> Self {
        let totals = Usage {
            core_instances: limits.total_core_instances,
            memories: limits.total_memories,
            tables: limits.total_tables,
            component_instances: limits.total_component_instances,
        };
        Self { totals, reserved: Arc::default() }
    }

    /// Reserves `calls` instances of `footprint`, or says which resource is short.
    pub(crate) fn reserve(&self, footprint: Footprint, calls: u32) -> Result<Reservation, PoolFull> {
        let want = footprint.times(calls);
        let mut reserved = self.reserved.lock().unwrap_or_else(|e| e.into_inner());
        let check = |what, want: u32, reserved: u32, total: u32| {
            let free = total.saturating_sub(reserved);
            if want > free { Err(PoolFull { what, needed: want, free, total, calls }) } else { Ok(()) }
        };
        let t = self.totals;
        check("core instances", want.core_instances, reserved.core_instances, t.core_instances)?;
        check("memories", want.memories, reserved.memories, t.memories)?;
        check("tables", want.tables, reserved.tables, t.tables)?;
        check("component instances", want.component_instances, reserved.component_instances, t.component_instances)?;
        reserved.core_instances += want.core_instances;
        reserved.memories += want.memories;
        reserved.tables += want.tables;
        reserved.component_instances += want.component_instances;
        Ok(Reservation { pool: self.clone(), usage: want })
    }
}

/// A version's share of the pool, given back when the version is dropped.
pub(crate) struct Reservation {
    pool: Pool,
    usage: Usage,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        let mut reserved = self.pool.reserved.lock().unwrap_or_else(|e| e.into_inner());
        reserved.core_instances -= self.usage.core_instances;
        reserved.memories -= self.usage.memories;
        reserved.tables -= self.usage.tables;
        reserved.component_instances -= self.usage.component_instances;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> PoolLimits {
        PoolLimits {
            core_instances_per_component: 200,
            memories_per_component: 16,
            tables_per_component: 32,
            total_core_instances: 100,
            total_memories: 20,
            total_tables: 100,
            total_component_instances: 50,
        }
    }

    #[test]
    fn a_reservation_that_does_not_fit_is_refused_and_names_what_is_short() {
        let pool = Pool::new(&limits());
        let big = Footprint { core_instances: 10, memories: 1, tables: 1 };
        let first = pool.reserve(big, 8).expect("80 of 100 instances fit");
        let refused = pool.reserve(big, 8).err().expect("another 80 do not");
        assert_eq!((refused.what, refused.needed, refused.free), ("core instances", 80, 20));
        let small = Footprint { core_instances: 2, memories: 1, tables: 1 };
        pool.reserve(small, 8).expect("16 more fit beside the first");
        drop(first);
        pool.reserve(big, 8).expect("a dropped reservation is given back");
    }

    #[test]
    fn memories_are_reserved_as_well_as_instances() {
        let pool = Pool::new(&limits());
        let many = Footprint { core_instances: 1, memories: 16, tables: 0 };
        let refused = pool.reserve(many, 2).err().expect("32 memories of 20");
        assert_eq!(refused.what, "memories");
    }
}
