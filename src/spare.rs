//! Buffers of dropped trees and maps, kept per thread for the next use.
//!
//! A service parses each request's template afresh and builds the request
//! body's objects at every render, and a malloc and a free cost more than
//! most of what they hold. A dropped syntax tree's buffers (reference tails,
//! blocks, the copy of the source) and a dropped map's (its entries and hash
//! table) wait here, emptied, and the next parse or body takes them back.
//! Each shelf is bounded in count and in the size of what it keeps, so a
//! thread holds a few tens of kilobytes at most.

use std::cell::RefCell;
use std::thread::LocalKey;

/// The buffers of one kind a thread keeps.
pub(crate) type Shelf<T> = RefCell<Vec<T>>;

/// A buffer from `shelf`, if it holds one. During the thread's teardown
/// (or a re-entrant drop) there is none.
pub(crate) fn take<T: 'static>(shelf: &'static LocalKey<Shelf<T>>) -> Option<T> {
    shelf
        .try_with(|s| s.try_borrow_mut().ok().and_then(|mut s| s.pop()))
        .ok()
        .flatten()
}

/// Put the emptied `item` on `shelf`, unless `max` are there already: then
/// it is freed, outside the shelf's borrow.
pub(crate) fn give<T: 'static>(shelf: &'static LocalKey<Shelf<T>>, item: T, max: usize) {
    let mut item = Some(item);
    let _ = shelf.try_with(|s| {
        if let Ok(mut s) = s.try_borrow_mut() {
            if s.len() < max {
                s.extend(item.take());
            }
        }
    });
    drop(item);
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        static NUMBERS: Shelf<Vec<u32>> = const { RefCell::new(Vec::new()) };
    }

    #[test]
    fn a_shelf_gives_back_what_it_was_given_up_to_its_bound() {
        assert_eq!(take(&NUMBERS), None);
        for i in 0..3 {
            give(&NUMBERS, Vec::with_capacity(i + 1), 2);
        }
        let caps: Vec<usize> = std::iter::from_fn(|| take(&NUMBERS))
            .map(|v| v.capacity())
            .collect();
        assert_eq!(caps.len(), 2, "the third was freed");
        assert!(caps.iter().all(|c| *c >= 1));
        // Borrowed (a drop that runs while the shelf is in use): nothing.
        NUMBERS.with(|s| {
            let _held = s.borrow_mut();
            assert_eq!(take(&NUMBERS), None);
            give(&NUMBERS, Vec::new(), 2);
        });
        assert_eq!(take(&NUMBERS), None);
    }
}
