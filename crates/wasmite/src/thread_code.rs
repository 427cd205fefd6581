//! Each thread's engine code for the modules it instantiates.
//!
//! A [`Module`](crate::Module) is plain data that threads share: the decoded module and
//! how to load it. The engine's code is bound to one thread (reference-counted without
//! atomics, as the instances that run it are), so each thread keeps its own in this
//! cache: the loading thread the code made at load, another thread code it makes the
//! first time it instantiates the module there.
//!
//! Entries are keyed by the address of the module's shared part and hold a `Weak` to it,
//! which keeps that address from being reused while the entry exists. Dropping the
//! module removes its entry on the dropping thread; on other threads a dead entry goes
//! when that thread next adds one, or when it exits.

use std::any::Any;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Weak};
use wasm_runtime::LoadedModule;

/// One module's code on this thread. The owner is the module's shared part, of any type
/// (this file does not depend on the module's).
struct Entry {
    owner: Weak<dyn Any + Send + Sync>,
    loaded: LoadedModule,
}

thread_local! {
    static CODE: RefCell<HashMap<usize, Entry>> = RefCell::new(HashMap::new());
}

fn key<T>(shared: *const T) -> usize {
    shared as *const () as usize
}

/// This thread's code for `shared`, if it has some.
pub(crate) fn get<T>(shared: &Arc<T>) -> Option<LoadedModule> {
    CODE.with(|code| {
        let code = code.try_borrow().ok()?;
        let entry = code.get(&key(Arc::as_ptr(shared)))?;
        Some(entry.loaded.clone())
    })
}

/// Keeps `loaded` as this thread's code for `shared`, and lets go of the code of modules
/// dropped since.
pub(crate) fn insert<T: Any + Send + Sync>(shared: &Arc<T>, loaded: LoadedModule) {
    let owner: Weak<T> = Arc::downgrade(shared);
    let entry = Entry {
        owner: owner as Weak<dyn Any + Send + Sync>,
        loaded,
    };
    // The entries let go of are dropped after the borrow ends.
    let mut dead = Vec::new();
    CODE.with(|code| {
        if let Ok(mut code) = code.try_borrow_mut() {
            let dead_keys: Vec<usize> = code
                .iter()
                .filter(|(_, entry)| entry.owner.strong_count() == 0)
                .map(|(&key, _)| key)
                .collect();
            dead.extend(dead_keys.into_iter().filter_map(|key| code.remove(&key)));
            code.insert(key(Arc::as_ptr(shared)), entry);
        }
    });
    drop(dead);
}

/// Lets go of this thread's code for the module whose shared part is at `shared` (which
/// is being dropped).
pub(crate) fn remove<T>(shared: *const T) {
    let removed = CODE
        .try_with(|code| {
            code.try_borrow_mut()
                .ok()
                .and_then(|mut code| code.remove(&key(shared)))
        })
        .ok()
        .flatten();
    drop(removed);
}

/// The number of modules this thread keeps code for.
#[cfg(test)]
pub(crate) fn len() -> usize {
    CODE.with(|code| code.borrow().len())
}
