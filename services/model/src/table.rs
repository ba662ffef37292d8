//! Copy-on-write tables: one [`Bundle`](crate::Bundle) table as a shared list, so a new
//! version of the network is a clone of 17 pointers and a write copies only the tables it
//! changes.
//!
//! A [`Table`] reads like a `Vec` (it dereferences to one) and writes like one: mutable access
//! goes through [`Arc::make_mut`], which copies the rows first when another version still
//! shares them. On the wire it is a plain list.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

/// The rows of one table, shared between versions until one of them changes (see the module
/// doc).
pub struct Table<T>(Arc<Vec<T>>);

impl<T> Table<T> {
    /// An empty table.
    pub fn new() -> Self {
        Table(Arc::new(Vec::new()))
    }

    /// Whether another table (another version) shares these rows: then writing copies them.
    pub fn is_shared(&self) -> bool {
        Arc::strong_count(&self.0) > 1
    }

    /// Whether two tables share their rows (a clone not written to since).
    pub fn ptr_eq(a: &Self, b: &Self) -> bool {
        Arc::ptr_eq(&a.0, &b.0)
    }
}

impl<T: Clone> Table<T> {
    /// The rows as an owned list (copied when shared).
    pub fn into_vec(self) -> Vec<T> {
        Arc::unwrap_or_clone(self.0)
    }
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table::new()
    }
}

impl<T> Clone for Table<T> {
    /// Cheap: the rows are shared until one side writes.
    fn clone(&self) -> Self {
        Table(self.0.clone())
    }
}

impl<T> Deref for Table<T> {
    type Target = Vec<T>;
    fn deref(&self) -> &Vec<T> {
        &self.0
    }
}

impl<T: Clone> DerefMut for Table<T> {
    /// Copies the rows first when another version shares them.
    fn deref_mut(&mut self) -> &mut Vec<T> {
        Arc::make_mut(&mut self.0)
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Table<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<T: PartialEq> PartialEq for Table<T> {
    fn eq(&self, other: &Self) -> bool {
        // Element by element even when shared: rows with NaN hours are unequal to themselves,
        // as in a `Vec`.
        *self.0 == *other.0
    }
}

impl<T: PartialEq> PartialEq<Vec<T>> for Table<T> {
    fn eq(&self, other: &Vec<T>) -> bool {
        *self.0 == *other
    }
}

impl<T> From<Vec<T>> for Table<T> {
    fn from(rows: Vec<T>) -> Self {
        Table(Arc::new(rows))
    }
}

impl<T: Clone> From<&[T]> for Table<T> {
    fn from(rows: &[T]) -> Self {
        Table(Arc::new(rows.to_vec()))
    }
}

impl<T: Clone> From<Table<T>> for Vec<T> {
    fn from(t: Table<T>) -> Self {
        t.into_vec()
    }
}

impl<T> FromIterator<T> for Table<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Table(Arc::new(iter.into_iter().collect()))
    }
}

impl<T: Clone> IntoIterator for Table<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.into_vec().into_iter()
    }
}

impl<'a, T> IntoIterator for &'a Table<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<'a, T: Clone> IntoIterator for &'a mut Table<T> {
    type Item = &'a mut T;
    type IntoIter = std::slice::IterMut<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        Arc::make_mut(&mut self.0).iter_mut()
    }
}

impl<T: Clone> Extend<T> for Table<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        Arc::make_mut(&mut self.0).extend(iter)
    }
}

impl<T: Serialize> Serialize for Table<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.as_slice().serialize(s)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Table<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<T>::deserialize(d).map(Table::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clone_shares_rows_until_one_side_writes() {
        let a: Table<u32> = vec![1, 2, 3].into();
        let mut b = a.clone();
        assert!(Table::ptr_eq(&a, &b));
        b.push(4);
        assert!(!Table::ptr_eq(&a, &b));
        assert_eq!(*a, vec![1, 2, 3]);
        assert_eq!(*b, vec![1, 2, 3, 4]);
        // Reading never copies.
        let c = b.clone();
        assert_eq!(c.len(), 4);
        assert!(Table::ptr_eq(&b, &c));
    }

    #[test]
    fn it_is_a_plain_list_on_the_wire() {
        let t: Table<u32> = vec![7, 8].into();
        assert_eq!(serde_json::to_string(&t).expect("json"), "[7,8]");
        let back: Table<u32> = serde_json::from_str("[7,8]").expect("json");
        assert_eq!(back, t);
        assert_eq!(back.into_iter().collect::<Vec<_>>(), vec![7, 8]);
    }

    #[test]
    fn nan_rows_stay_unequal_even_when_shared() {
        let a: Table<f64> = vec![f64::NAN].into();
        let b = a.clone();
        assert!(a != b);
    }
}
