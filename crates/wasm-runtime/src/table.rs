//! Table instances (spec 4.2.7).

use crate::memory::ResizableLimits;
use crate::{Error, FuncRef};
use core::cell::RefCell;
use core::ops::Deref;
use std::rc::Rc;

/// A shared handle to a [`TableInstance`].
#[derive(Clone, Debug)]
pub struct TableRef(Rc<TableInstance>);

impl Deref for TableRef {
    type Target = TableInstance;
    fn deref(&self) -> &TableInstance {
        &self.0
    }
}

impl TableRef {
    /// Whether two handles name the same table.
    pub fn ptr_eq(&self, other: &TableRef) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// A table of function references (`None` is the null reference).
pub struct TableInstance {
    elements: RefCell<Vec<Option<FuncRef>>>,
    initial: u32,
    maximum: Option<u32>,
}

#[cold]
fn out_of_bounds(offset: u32, size: usize) -> Error {
    Error::Table(format!(
        "out of bounds table access: index {offset}, table size {size}"
    ))
}

/// The seed's form: the limits it was allocated with and the current length.
impl core::fmt::Debug for TableInstance {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let limits = ResizableLimits {
            initial: self.initial,
            maximum: self.maximum,
        };
        f.debug_struct("TableInstance")
            .field("limits", &limits)
            .field("buffer.len", &self.elements.borrow().len())
            .finish()
    }
}

impl TableInstance {
    /// Allocates a table of `initial` null entries that may grow up to `maximum`.
    ///
    /// A maximum below `initial` is an [`Error::Instantiation`], as in the seed, whose
    /// tables checked their limits the way instantiation does; failing to allocate the
    /// entries is an [`Error::Table`].
    pub fn alloc(initial: u32, maximum: Option<u32>) -> Result<TableRef, Error> {
        if let Some(maximum) = maximum.filter(|&m| m < initial) {
            return Err(Error::Instantiation(format!(
                "maximum limit {maximum} is less than minimum {initial}"
            )));
        }
        let mut elements = Vec::new();
        elements
            .try_reserve_exact(initial as usize)
            .map_err(|_| Error::Table(format!("cannot allocate a table of {initial} elements")))?;
        elements.resize(initial as usize, None);
        Ok(TableRef(Rc::new(TableInstance {
            elements: RefCell::new(elements),
            initial,
            maximum,
        })))
    }

    /// The size the table was created with.
    pub fn initial_size(&self) -> u32 {
        self.initial
    }

    /// The maximum size, if any.
    pub fn maximum_size(&self) -> Option<u32> {
        self.maximum
    }

    /// The current number of entries.
    pub fn current_size(&self) -> u32 {
        self.elements.borrow().len() as u32
    }

    /// Grows the table by `by` null entries.
    pub fn grow(&self, by: u32) -> Result<(), Error> {
        let mut elements = self.elements.borrow_mut();
        let old = elements.len() as u32;
        let limit = self.maximum.unwrap_or(u32::MAX);
        let new = match old.checked_add(by) {
            Some(new) if new <= limit => new,
            _ => {
                return Err(Error::Table(format!(
                    "cannot grow table by {by} from {old} elements (maximum {limit})"
                )));
            }
        };
        elements
            .try_reserve_exact(by as usize)
            .map_err(|_| Error::Table(format!("cannot allocate a table of {new} elements")))?;
        elements.resize(new as usize, None);
        Ok(())
    }

    /// The entry at `offset`.
    pub fn get(&self, offset: u32) -> Result<Option<FuncRef>, Error> {
        let elements = self.elements.borrow();
        match elements.get(offset as usize) {
            Some(entry) => Ok(entry.clone()),
            None => Err(out_of_bounds(offset, elements.len())),
        }
    }

    /// Sets the entry at `offset`.
    pub fn set(&self, offset: u32, value: Option<FuncRef>) -> Result<(), Error> {
        let mut elements = self.elements.borrow_mut();
        let size = elements.len();
        match elements.get_mut(offset as usize) {
            Some(entry) => {
                *entry = value;
                Ok(())
            }
            None => Err(out_of_bounds(offset, size)),
        }
    }

    /// Runs `f` on the entry at `index` without cloning it; `None` when out of bounds.
    /// This is the engine's `call_indirect` path.
    pub(crate) fn with_entry<R>(
        &self,
        index: u32,
        f: impl FnOnce(&Option<FuncRef>) -> R,
    ) -> Option<R> {
        self.elements.borrow().get(index as usize).map(f)
    }

    /// Writes `items` starting at `offset`, all or nothing.
    pub(crate) fn init(&self, offset: u32, items: &[Option<FuncRef>]) -> Result<(), Error> {
        let mut elements = self.elements.borrow_mut();
        let size = elements.len();
        let start = offset as usize;
        match start.checked_add(items.len()) {
            Some(end) if end <= size => {
                elements[start..end].clone_from_slice(items);
                Ok(())
            }
            _ => Err(out_of_bounds(offset, size)),
        }
    }

    pub(crate) fn matches(&self, min: u64, max: Option<u64>) -> bool {
        u64::from(self.current_size()) >= min
            && match max {
                None => true,
                Some(max) => self.maximum.is_some_and(|m| u64::from(m) <= max),
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_within_maximum_and_checks_bounds() {
        let table = TableInstance::alloc(1, Some(3)).unwrap();
        assert!(table.get(0).unwrap().is_none());
        assert!(table.get(1).is_err());
        table.grow(2).unwrap();
        assert_eq!(table.current_size(), 3);
        assert!(table.grow(1).is_err());
        assert!(table.set(3, None).is_err());
        assert!(matches!(
            TableInstance::alloc(2, Some(1)),
            Err(Error::Instantiation(_))
        ));
        assert_eq!(
            format!("{:?}", *table),
            "TableInstance { limits: ResizableLimits { initial: 1, maximum: Some(3) }, \
             buffer.len: 3 }"
        );
    }
}
