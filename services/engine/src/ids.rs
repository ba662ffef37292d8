//! The id → row lookup of a bundle: an open-addressing table of (hash, row) whose ids live in
//! one text buffer (a Shanghai-scale bundle has two million ids; one allocation each would
//! dominate `Engine::new`).

/// What an id names, with its row index in the bundle table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Ent {
    District(u32),
    Street(u32),
    Community(u32),
    Committee(u32),
    PartyOrg(u32),
    Unit(u32),
    MassOrg(u32),
    SocialOrg(u32),
    Member(u32),
    Partnership(u32),
    Resource(u32),
    Need(u32),
    Project(u32),
    Responsibility(u32),
}

/// A fast, non-cryptographic string hash (FxHash-style); ids come from a validated bundle.
fn hash(s: &str) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h: u64 = s.len() as u64;
    let mut chunks = s.as_bytes().chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    h ^ (h >> 29)
}

/// The id lookup of one engine version: a shared base table plus the ids added by incremental
/// writes since it was built (folded into a new base when they grow past [`MAX_EXTRA`]), so the
/// next version shares the base instead of copying two million ids.
#[derive(Debug, Default, Clone)]
pub(crate) struct IdTable {
    base: std::sync::Arc<Table>,
    extra: std::sync::Arc<std::collections::HashMap<Box<str>, Ent>>,
}

/// Most ids kept beside the base before they are folded into a new base.
const MAX_EXTRA: usize = 4096;

impl IdTable {
    pub(crate) fn with_capacity(n: usize) -> IdTable {
        IdTable {
            base: std::sync::Arc::new(Table::with_capacity(n)),
            extra: Default::default(),
        }
    }

    /// Insert while building (a later row with the same id replaces the earlier one).
    pub(crate) fn insert(&mut self, id: &str, e: Ent) {
        if self.extra.is_empty() {
            std::sync::Arc::make_mut(&mut self.base).insert(id, e);
        } else {
            std::sync::Arc::make_mut(&mut self.extra).insert(id.into(), e);
        }
    }

    /// Add ids for the next version: beside the shared base, or folded into a copy of it when
    /// there are many.
    pub(crate) fn add(&mut self, new: &[(&str, Ent)]) {
        if new.is_empty() {
            return;
        }
        if self.extra.len() + new.len() > MAX_EXTRA {
            let base = std::sync::Arc::make_mut(&mut self.base);
            for (id, e) in self.extra.iter() {
                base.insert(id, *e);
            }
            for (id, e) in new {
                base.insert(id, *e);
            }
            self.extra = Default::default();
        } else {
            let extra = std::sync::Arc::make_mut(&mut self.extra);
            for (id, e) in new {
                extra.insert((*id).into(), *e);
            }
        }
    }

    /// The entity an id names.
    pub(crate) fn get(&self, id: &str) -> Option<&Ent> {
        if !self.extra.is_empty()
            && let Some(e) = self.extra.get(id)
        {
            return Some(e);
        }
        self.base.get(id)
    }
}

/// Open addressing with linear probing; `slots` hold positions in `entries`.
#[derive(Debug, Default, Clone)]
pub(crate) struct Table {
    mask: usize,
    slots: Vec<u32>,
    /// (hash, start in `text`, length, entity)
    entries: Vec<(u64, u32, u32, Ent)>,
    text: String,
}

const EMPTY: u32 = u32::MAX;

impl Table {
    fn with_capacity(n: usize) -> Table {
        let size = (n.max(4) * 2).next_power_of_two();
        Table {
            mask: size - 1,
            slots: vec![EMPTY; size],
            entries: Vec::with_capacity(n),
            text: String::with_capacity(n * 8),
        }
    }

    /// Insert (a later row with the same id replaces the earlier one).
    fn insert(&mut self, id: &str, e: Ent) {
        if (self.entries.len() + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let h = hash(id);
        let mut pos = h as usize & self.mask;
        loop {
            let s = self.slots[pos];
            if s == EMPTY {
                self.slots[pos] = self.entries.len() as u32;
                let start = self.text.len() as u32;
                self.text.push_str(id);
                self.entries.push((h, start, id.len() as u32, e));
                return;
            }
            if self.matches(s, h, id) {
                self.entries[s as usize].3 = e;
                return;
            }
            pos = (pos + 1) & self.mask;
        }
    }

    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(8);
        self.mask = size - 1;
        self.slots = vec![EMPTY; size];
        for (i, (h, ..)) in self.entries.iter().enumerate() {
            let mut pos = *h as usize & self.mask;
            while self.slots[pos] != EMPTY {
                pos = (pos + 1) & self.mask;
            }
            self.slots[pos] = i as u32;
        }
    }

    fn matches(&self, slot: u32, h: u64, id: &str) -> bool {
        let (eh, start, len, _) = self.entries[slot as usize];
        eh == h && self.text.get(start as usize..(start + len) as usize) == Some(id)
    }

    /// The entity an id names.
    fn get(&self, id: &str) -> Option<&Ent> {
        if self.slots.is_empty() {
            return None;
        }
        let h = hash(id);
        let mut pos = h as usize & self.mask;
        loop {
            let s = self.slots[pos];
            if s == EMPTY {
                return None;
            }
            if self.matches(s, h, id) {
                return Some(&self.entries[s as usize].3);
            }
            pos = (pos + 1) & self.mask;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_survive_growth_and_replacement() {
        let mut t = Table::with_capacity(1);
        for i in 0..1000u32 {
            t.insert(&format!("K{i}"), Ent::Committee(i));
        }
        t.insert("K7", Ent::Unit(7));
        assert_eq!(t.get("K999"), Some(&Ent::Committee(999)));
        assert_eq!(t.get("K7"), Some(&Ent::Unit(7)));
        assert_eq!(t.get("K1000"), None);
        assert_eq!(t.get(""), None);
        assert_eq!(Table::default().get("K1"), None);
    }

    #[test]
    fn added_ids_are_found_beside_and_after_folding_into_the_base() {
        let mut t = IdTable::with_capacity(4);
        t.insert("K0", Ent::Committee(0));
        let before = t.clone();
        t.add(&[("N0", Ent::Need(0))]);
        assert_eq!(t.get("N0"), Some(&Ent::Need(0)));
        assert_eq!(t.get("K0"), Some(&Ent::Committee(0)));
        // The earlier version is untouched.
        assert_eq!(before.get("N0"), None);
        let many: Vec<String> = (1..=MAX_EXTRA as u32 + 1)
            .map(|i| format!("N{i}"))
            .collect();
        let rows: Vec<(&str, Ent)> = many
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), Ent::Need(i as u32 + 1)))
            .collect();
        t.add(&rows);
        assert!(t.extra.is_empty());
        assert_eq!(t.get("N0"), Some(&Ent::Need(0)));
        assert_eq!(
            t.get(&many[MAX_EXTRA]),
            Some(&Ent::Need(MAX_EXTRA as u32 + 1))
        );
        assert_eq!(before.get("N1"), None);
    }
}
