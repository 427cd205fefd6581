//! An in-memory filesystem behind the [`vfs`](crate::vfs) traits: for embedders who give a
//! guest files without touching the host's disk, and for tests.
//!
//! It has directories and regular files (no symbolic or hard links: those calls are
//! `ENOTSUP`). Paths resolve below the directory handle they start from: `..` past it and
//! absolute paths are `EPERM`, as on the host filesystem.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::io::SeekFrom;
use std::rc::Rc;
use std::time::SystemTime;

use crate::abi::{Errno, FileType};
use crate::vfs::{DirEntry, Filestat, OpenOptions, Opened, SetTime, WasiDir, WasiFile, unix_nanos};

type NodeRef = Rc<RefCell<Node>>;

struct Node {
    ino: u64,
    times: [u64; 2],
    kind: Kind,
}

enum Kind {
    File(Vec<u8>),
    Dir(BTreeMap<String, NodeRef>),
}

/// A directory of an in-memory filesystem: clone it to keep a handle, preopen it with
/// [`WasiCtxBuilder::preopen`](crate::WasiCtxBuilder::preopen), and read what the guest
/// wrote with [`read_file`](Self::read_file) afterwards.
#[derive(Clone)]
pub struct MemFs {
    node: NodeRef,
    next_ino: Rc<Cell<u64>>,
}

impl Default for MemFs {
    fn default() -> Self {
        MemFs::new()
    }
}

fn now() -> u64 {
    unix_nanos(SystemTime::now())
}

impl MemFs {
    /// An empty filesystem; the value is its root directory.
    pub fn new() -> Self {
        let next_ino = Rc::new(Cell::new(1));
        let node = MemFs::alloc(&next_ino, Kind::Dir(BTreeMap::new()));
        MemFs { node, next_ino }
    }

    fn alloc(next_ino: &Cell<u64>, kind: Kind) -> NodeRef {
        let ino = next_ino.get();
        next_ino.set(ino + 1);
        let t = now();
        Rc::new(RefCell::new(Node {
            ino,
            times: [t, t],
            kind,
        }))
    }

    /// Writes the file `path` (relative to this directory), creating it and its
    /// directories as needed.
    pub fn write_file(&self, path: &str, contents: impl Into<Vec<u8>>) -> Result<(), Errno> {
        let (parent, name) = self.parent_of(path, true)?;
        let file = MemFs::alloc(&self.next_ino, Kind::File(contents.into()));
        match &mut parent.borrow_mut().kind {
            Kind::Dir(entries) => entries.insert(name, file),
            Kind::File(_) => return Err(Errno::NOTDIR),
        };
        Ok(())
    }

    /// The contents of the file `path`, if there is one.
    pub fn read_file(&self, path: &str) -> Option<Vec<u8>> {
        let node = self.resolve(path).ok()?;
        match &node.borrow().kind {
            Kind::File(bytes) => Some(bytes.clone()),
            Kind::Dir(_) => None,
        }
    }

    /// The components of `path`, with `.` and empty ones dropped and `..` applied; `EPERM`
    /// for an absolute path or one that climbs above this directory. The flag tells
    /// whether the path ends with a slash.
    fn components(path: &str) -> Result<(Vec<&str>, bool), Errno> {
        if path.is_empty() {
            return Err(Errno::NOENT);
        }
        if path.starts_with('/') {
            return Err(Errno::PERM);
        }
        let mut parts = Vec::new();
        for part in path.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    parts.pop().ok_or(Errno::PERM)?;
                }
                name => parts.push(name),
            }
        }
        Ok((parts, path.ends_with('/')))
    }

    fn child(dir: &NodeRef, name: &str) -> Result<NodeRef, Errno> {
        match &dir.borrow().kind {
            Kind::Dir(entries) => entries.get(name).cloned().ok_or(Errno::NOENT),
            Kind::File(_) => Err(Errno::NOTDIR),
        }
    }

    fn resolve(&self, path: &str) -> Result<NodeRef, Errno> {
        let (parts, slash) = MemFs::components(path)?;
        let mut node = self.node.clone();
        for part in parts {
            node = MemFs::child(&node, part)?;
        }
        if slash && matches!(node.borrow().kind, Kind::File(_)) {
            return Err(Errno::NOTDIR);
        }
        Ok(node)
    }

    /// The directory holding the last component of `path`, and that component's name
    /// (`create` makes missing directories on the way).
    fn parent_of(&self, path: &str, create: bool) -> Result<(NodeRef, String), Errno> {
        let (mut parts, _) = MemFs::components(path)?;
        let name = parts.pop().ok_or(Errno::INVAL)?.to_owned();
        let mut node = self.node.clone();
        for part in parts {
            node = match MemFs::child(&node, part) {
                Err(Errno::NOENT) if create => {
                    let dir = MemFs::alloc(&self.next_ino, Kind::Dir(BTreeMap::new()));
                    if let Kind::Dir(entries) = &mut node.borrow_mut().kind {
                        entries.insert(part.to_owned(), dir.clone());
                    }
                    dir
                }
                other => other?,
            };
        }
        if !matches!(node.borrow().kind, Kind::Dir(_)) {
            return Err(Errno::NOTDIR);
        }
        Ok((node, name))
    }

    fn entries_of(dir: &NodeRef) -> std::cell::RefMut<'_, BTreeMap<String, NodeRef>> {
        std::cell::RefMut::map(dir.borrow_mut(), |node| match &mut node.kind {
            Kind::Dir(entries) => entries,
            // `parent_of` only returns directories.
            Kind::File(_) => unreachable!("parent_of returned a file"),
        })
    }

    fn stat_of(node: &NodeRef) -> Filestat {
        let node = node.borrow();
        let (filetype, size) = match &node.kind {
            Kind::File(bytes) => (FileType::RegularFile, bytes.len() as u64),
            Kind::Dir(entries) => (FileType::Directory, entries.len() as u64),
        };
        let [atim, mtim] = node.times;
        Filestat {
            dev: 1,
            ino: node.ino,
            filetype,
            nlink: 1,
            size,
            atim,
            mtim,
            ctim: mtim,
        }
    }

    fn set_times_of(node: &NodeRef, atim: Option<SetTime>, mtim: Option<SetTime>) {
        let mut node = node.borrow_mut();
        if let Some(t) = atim {
            node.times[0] = t.unix_nanos();
        }
        if let Some(t) = mtim {
            node.times[1] = t.unix_nanos();
        }
    }
}

impl WasiDir for MemFs {
    fn open(&self, path: &str, options: &OpenOptions) -> Result<Opened, Errno> {
        let node = match self.resolve(path) {
            Ok(_) if options.create && options.exclusive => return Err(Errno::EXIST),
            Ok(node) => node,
            Err(Errno::NOENT) if options.create && !options.directory => {
                let (parent, name) = self.parent_of(path, false)?;
                let file = MemFs::alloc(&self.next_ino, Kind::File(Vec::new()));
                MemFs::entries_of(&parent).insert(name, file.clone());
                file
            }
            Err(e) => return Err(e),
        };
        let is_dir = matches!(node.borrow().kind, Kind::Dir(_));
        if is_dir {
            return Ok(Opened::Dir(Box::new(MemFs {
                node,
                next_ino: self.next_ino.clone(),
            })));
        }
        if options.directory {
            return Err(Errno::NOTDIR);
        }
        if let (true, Kind::File(bytes)) = (options.truncate, &mut node.borrow_mut().kind) {
            bytes.clear();
        }
        Ok(Opened::File(Box::new(MemFile { node, pos: 0 })))
    }

    fn create_dir(&self, path: &str) -> Result<(), Errno> {
        let (parent, name) = self.parent_of(path, false)?;
        let mut entries = MemFs::entries_of(&parent);
        if entries.contains_key(&name) {
            return Err(Errno::EXIST);
        }
        entries.insert(
            name,
            MemFs::alloc(&self.next_ino, Kind::Dir(BTreeMap::new())),
        );
        Ok(())
    }

    fn remove_dir(&self, path: &str) -> Result<(), Errno> {
        let (parent, name) = self.parent_of(path, false)?;
        let mut entries = MemFs::entries_of(&parent);
        let node = entries.get(&name).ok_or(Errno::NOENT)?;
        match &node.borrow().kind {
            Kind::Dir(children) if children.is_empty() => {}
            Kind::Dir(_) => return Err(Errno::NOTEMPTY),
            Kind::File(_) => return Err(Errno::NOTDIR),
        }
        entries.remove(&name);
        Ok(())
    }

    fn unlink_file(&self, path: &str) -> Result<(), Errno> {
        let (parent, name) = self.parent_of(path, false)?;
        if path.ends_with('/') {
            self.resolve(path)?;
        }
        let mut entries = MemFs::entries_of(&parent);
        let node = entries.get(&name).ok_or(Errno::NOENT)?;
        if matches!(node.borrow().kind, Kind::Dir(_)) {
            return Err(Errno::ISDIR);
        }
        entries.remove(&name);
        Ok(())
    }

    fn rename(&self, from: &str, to_dir: &dyn WasiDir, to: &str) -> Result<(), Errno> {
        let to_dir = to_dir.as_any().downcast_ref::<MemFs>().ok_or(Errno::XDEV)?;
        let node = self.resolve(from)?;
        let (from_parent, from_name) = self.parent_of(from, false)?;
        let (to_parent, to_name) = to_dir.parent_of(to, false)?;
        // A directory cannot move below itself.
        if Rc::ptr_eq(&node, &to_parent) || to_dir.resolve(to).is_ok_and(|n| Rc::ptr_eq(&n, &node))
        {
            return if Rc::ptr_eq(&node, &to_parent) {
                Err(Errno::INVAL)
            } else {
                Ok(())
            };
        }
        if let Ok(existing) = MemFs::child(&to_parent, &to_name) {
            match (&node.borrow().kind, &existing.borrow().kind) {
                (Kind::Dir(_), Kind::Dir(children)) if !children.is_empty() => {
                    return Err(Errno::NOTEMPTY);
                }
                (Kind::Dir(_), Kind::File(_)) => return Err(Errno::NOTDIR),
                (Kind::File(_), Kind::Dir(_)) => return Err(Errno::ISDIR),
                _ => {}
            }
        }
        MemFs::entries_of(&from_parent).remove(&from_name);
        MemFs::entries_of(&to_parent).insert(to_name, node);
        Ok(())
    }

    fn hard_link(&self, _from: &str, _to_dir: &dyn WasiDir, _to: &str) -> Result<(), Errno> {
        Err(Errno::NOTSUP)
    }

    fn symlink(&self, _target: &str, _link: &str) -> Result<(), Errno> {
        Err(Errno::NOTSUP)
    }

    fn read_link(&self, path: &str) -> Result<String, Errno> {
        self.resolve(path)?;
        Err(Errno::INVAL)
    }

    fn stat_at(&self, path: &str, _follow: bool) -> Result<Filestat, Errno> {
        Ok(MemFs::stat_of(&self.resolve(path)?))
    }

    fn set_times_at(
        &self,
        path: &str,
        _follow: bool,
        atim: Option<SetTime>,
        mtim: Option<SetTime>,
    ) -> Result<(), Errno> {
        MemFs::set_times_of(&self.resolve(path)?, atim, mtim);
        Ok(())
    }

    fn stat(&self) -> Result<Filestat, Errno> {
        Ok(MemFs::stat_of(&self.node))
    }

    fn set_times(&self, atim: Option<SetTime>, mtim: Option<SetTime>) -> Result<(), Errno> {
        MemFs::set_times_of(&self.node, atim, mtim);
        Ok(())
    }

    fn entries(&self) -> Result<Vec<DirEntry>, Errno> {
        let node = self.node.borrow();
        let Kind::Dir(entries) = &node.kind else {
            return Err(Errno::NOTDIR);
        };
        Ok(entries
            .iter()
            .map(|(name, child)| {
                let stat = MemFs::stat_of(child);
                DirEntry {
                    name: name.clone(),
                    ino: stat.ino,
                    filetype: stat.filetype,
                }
            })
            .collect())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// An open file of a [`MemFs`].
struct MemFile {
    node: NodeRef,
    pos: u64,
}

impl MemFile {
    fn with_bytes<R>(&self, f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
        match &mut self.node.borrow_mut().kind {
            Kind::File(bytes) => f(bytes),
            Kind::Dir(_) => unreachable!("a MemFile is a file"),
        }
    }

    fn write_bytes(&self, buf: &[u8], at: u64) -> Result<usize, Errno> {
        let at = usize::try_from(at).map_err(|_| Errno::FBIG)?;
        let end = at.checked_add(buf.len()).ok_or(Errno::FBIG)?;
        self.with_bytes(|bytes| {
            if bytes.len() < end {
                bytes.resize(end, 0);
            }
            bytes[at..end].copy_from_slice(buf);
        });
        self.node.borrow_mut().times[1] = now();
        Ok(buf.len())
    }

    fn read_bytes(&self, buf: &mut [u8], at: u64) -> usize {
        self.with_bytes(|bytes| {
            let start = usize::try_from(at).unwrap_or(usize::MAX).min(bytes.len());
            let n = (bytes.len() - start).min(buf.len());
            buf[..n].copy_from_slice(&bytes[start..start + n]);
            n
        })
    }
}

impl WasiFile for MemFile {
    fn filetype(&self) -> FileType {
        FileType::RegularFile
    }

    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Errno> {
        let n = self.read_bytes(buf, self.pos);
        self.pos += n as u64;
        Ok(n)
    }

    fn write(&mut self, buf: &[u8]) -> Result<usize, Errno> {
        let n = self.write_bytes(buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }

    fn read_at(&mut self, buf: &mut [u8], offset: u64) -> Result<usize, Errno> {
        Ok(self.read_bytes(buf, offset))
    }

    fn write_at(&mut self, buf: &[u8], offset: u64) -> Result<usize, Errno> {
        self.write_bytes(buf, offset)
    }

    fn seek(&mut self, pos: SeekFrom) -> Result<u64, Errno> {
        let len = self.with_bytes(|bytes| bytes.len() as u64);
        let new = match pos {
            SeekFrom::Start(at) => Some(at),
            SeekFrom::Current(delta) => self.pos.checked_add_signed(delta),
            SeekFrom::End(delta) => len.checked_add_signed(delta),
        };
        self.pos = new.ok_or(Errno::INVAL)?;
        Ok(self.pos)
    }

    fn stat(&self) -> Result<Filestat, Errno> {
        Ok(MemFs::stat_of(&self.node))
    }

    fn set_size(&mut self, size: u64) -> Result<(), Errno> {
        let size = usize::try_from(size).map_err(|_| Errno::FBIG)?;
        self.with_bytes(|bytes| bytes.resize(size, 0));
        Ok(())
    }

    fn set_times(&mut self, atim: Option<SetTime>, mtim: Option<SetTime>) -> Result<(), Errno> {
        MemFs::set_times_of(&self.node, atim, mtim);
        Ok(())
    }

    fn allocate(&mut self, offset: u64, len: u64) -> Result<(), Errno> {
        let end = offset.checked_add(len).ok_or(Errno::FBIG)?;
        if end > self.with_bytes(|bytes| bytes.len() as u64) {
            self.set_size(end)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_below_the_directory() {
        let fs = MemFs::new();
        fs.write_file("a/b.txt", "hi").unwrap();
        let a = match fs.open(
            "a",
            &OpenOptions {
                directory: true,
                ..OpenOptions::default()
            },
        ) {
            Ok(Opened::Dir(dir)) => dir,
            _ => panic!("a is a directory"),
        };
        assert_eq!(a.stat_at("b.txt", true).map(|s| s.size), Ok(2));
        assert_eq!(a.stat_at("../a/b.txt", true).err(), Some(Errno::PERM));
        assert_eq!(a.stat_at("/a/b.txt", true).err(), Some(Errno::PERM));
        assert_eq!(fs.stat_at("a/./b.txt/", true).err(), Some(Errno::NOTDIR));
        assert_eq!(fs.read_file("a/b.txt").as_deref(), Some(&b"hi"[..]));
    }

    #[test]
    fn files_read_write_seek_and_truncate() {
        let fs = MemFs::new();
        let create = OpenOptions {
            create: true,
            write: true,
            ..OpenOptions::default()
        };
        let Ok(Opened::File(mut f)) = fs.open("f", &create) else {
            panic!("created")
        };
        assert_eq!(f.write(b"hello"), Ok(5));
        assert_eq!(f.write_at(b"J", 0), Ok(1));
        assert_eq!(f.seek(SeekFrom::Current(-10)), Err(Errno::INVAL));
        assert_eq!(f.seek(SeekFrom::Start(1)), Ok(1));
        let mut buf = [0; 8];
        assert_eq!(f.read(&mut buf), Ok(4));
        assert_eq!(&buf[..4], b"ello");
        assert_eq!(fs.read_file("f").as_deref(), Some(&b"Jello"[..]));
        let exclusive = OpenOptions {
            exclusive: true,
            ..create
        };
        assert!(matches!(fs.open("f", &exclusive), Err(Errno::EXIST)));
        assert_eq!(fs.remove_dir("f"), Err(Errno::NOTDIR));
        fs.create_dir("d").unwrap();
        assert_eq!(fs.unlink_file("d"), Err(Errno::ISDIR));
        fs.rename("f", &fs, "d/g").unwrap();
        assert_eq!(fs.remove_dir("d"), Err(Errno::NOTEMPTY));
        assert_eq!(fs.read_file("d/g").as_deref(), Some(&b"Jello"[..]));
    }
}
