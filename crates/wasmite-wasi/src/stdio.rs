//! The guest's standard streams: inherited from the host process, captured into a buffer
//! the embedder reads afterwards, fed from bytes, or closed.

use std::io::{IsTerminal, Read, Write};
use std::sync::{Arc, Mutex, PoisonError};

use crate::abi::{Errno, FileType};
use crate::vfs::WasiFile;

/// Where one of the guest's standard streams goes (or comes from).
#[derive(Clone, Debug, Default)]
pub enum Stdio {
    /// The host process's own stream.
    #[default]
    Inherit,
    /// Output kept in a buffer (for stdout and stderr).
    Capture(OutputBuffer),
    /// Input read from these bytes, then end of file (for stdin).
    Bytes(Arc<[u8]>),
    /// No stream: the descriptor is not open (`EBADF`).
    Closed,
}

/// A captured output stream: the embedder keeps a clone and reads it after the run.
///
/// It holds at most its limit (by default [`OutputBuffer::DEFAULT_LIMIT`]); a write past
/// the limit stores what fits and then fails with `ENOSPC`, so a guest that writes without
/// end cannot exhaust the host's memory.
#[derive(Clone, Debug)]
pub struct OutputBuffer {
    bytes: Arc<Mutex<Vec<u8>>>,
    limit: usize,
}

impl Default for OutputBuffer {
    fn default() -> Self {
        OutputBuffer::with_limit(OutputBuffer::DEFAULT_LIMIT)
    }
}

impl OutputBuffer {
    /// The default limit: 64 MiB.
    pub const DEFAULT_LIMIT: usize = 64 << 20;

    /// An empty buffer with the default limit.
    pub fn new() -> Self {
        OutputBuffer::default()
    }

    /// An empty buffer that holds at most `limit` bytes.
    pub fn with_limit(limit: usize) -> Self {
        OutputBuffer {
            bytes: Arc::default(),
            limit,
        }
    }

    /// What the guest wrote so far.
    pub fn contents(&self) -> Vec<u8> {
        self.bytes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn push(&self, data: &[u8]) -> Result<usize, Errno> {
        let mut bytes = self.bytes.lock().unwrap_or_else(PoisonError::into_inner);
        let room = self.limit.saturating_sub(bytes.len());
        if room == 0 && !data.is_empty() {
            return Err(Errno::NOSPC);
        }
        let n = data.len().min(room);
        bytes.extend_from_slice(&data[..n]);
        Ok(n)
    }
}

/// Which standard stream a [`StdioFile`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stream {
    In,
    Out,
    Err,
}

/// An open standard stream.
pub(crate) struct StdioFile {
    stream: Stream,
    source: Stdio,
    /// How far a `Bytes` input has been read.
    read_pos: usize,
}

impl StdioFile {
    /// The stream's file, or `None` when it is closed.
    pub(crate) fn open(stream: Stream, source: Stdio) -> Option<Self> {
        match source {
            Stdio::Closed => None,
            source => Some(StdioFile {
                stream,
                source,
                read_pos: 0,
            }),
        }
    }

    fn is_inherited_tty(&self) -> bool {
        matches!(self.source, Stdio::Inherit)
            && match self.stream {
                Stream::In => std::io::stdin().is_terminal(),
                Stream::Out => std::io::stdout().is_terminal(),
                Stream::Err => std::io::stderr().is_terminal(),
            }
    }
}

impl WasiFile for StdioFile {
    fn filetype(&self) -> FileType {
        if self.is_inherited_tty() {
            FileType::CharacterDevice
        } else {
            FileType::Unknown
        }
    }

    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Errno> {
        match (&self.source, self.stream) {
            (Stdio::Inherit, Stream::In) => std::io::stdin()
                .read(buf)
                .map_err(|e| crate::host_fs::errno_of(&e)),
            (Stdio::Bytes(bytes), Stream::In) => {
                let rest = bytes.get(self.read_pos..).unwrap_or_default();
                let n = rest.len().min(buf.len());
                buf[..n].copy_from_slice(&rest[..n]);
                self.read_pos += n;
                Ok(n)
            }
            _ => Err(Errno::BADF),
        }
    }

    fn write(&mut self, buf: &[u8]) -> Result<usize, Errno> {
        let host =
            |result: std::io::Result<usize>| result.map_err(|e| crate::host_fs::errno_of(&e));
        match (&self.source, self.stream) {
            (Stdio::Inherit, Stream::Out) => {
                let mut out = std::io::stdout().lock();
                host(
                    out.write_all(buf)
                        .and_then(|()| out.flush())
                        .map(|()| buf.len()),
                )
            }
            (Stdio::Inherit, Stream::Err) => {
                host(std::io::stderr().write_all(buf).map(|()| buf.len()))
            }
            (Stdio::Capture(buffer), Stream::Out | Stream::Err) => buffer.push(buf),
            _ => Err(Errno::BADF),
        }
    }

    fn is_tty(&self) -> bool {
        self.is_inherited_tty()
    }

    fn readable_bytes(&self) -> u64 {
        match &self.source {
            Stdio::Bytes(bytes) => bytes.len().saturating_sub(self.read_pos) as u64,
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_capture_buffer_refuses_more() {
        let buffer = OutputBuffer::with_limit(5);
        let mut out = StdioFile::open(Stream::Out, Stdio::Capture(buffer.clone())).unwrap();
        assert_eq!(out.write(b"abc"), Ok(3));
        assert_eq!(out.write(b"defg"), Ok(2));
        assert_eq!(out.write(b"h"), Err(Errno::NOSPC));
        assert_eq!(buffer.contents(), b"abcde");
    }

    #[test]
    fn byte_input_reads_to_its_end() {
        let mut input = StdioFile::open(Stream::In, Stdio::Bytes(b"hello"[..].into())).unwrap();
        let mut buf = [0; 3];
        assert_eq!(input.read(&mut buf), Ok(3));
        assert_eq!(input.read(&mut buf), Ok(2));
        assert_eq!(input.read(&mut buf), Ok(0));
        assert!(StdioFile::open(Stream::In, Stdio::Closed).is_none());
    }
}
