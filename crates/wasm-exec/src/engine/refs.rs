//! The instructions on references, tables and segments (Wasm 2.0), on `v128` globals,
//! and on memories other than memory 0 (multi-memory), which the drivers leave to the
//! engine (`Flow::Exit`): the runtime keeps the objects that reference handles name (and
//! `v128` globals as values), and carries them out through its engine hooks.

use crate::dispatch::Host;
use crate::isa::{Instr, Slot};
use wasm_core::{Trap, TrapCode, V128};
use wasm_runtime::ModuleInstance;
use wasm_runtime::engine;

/// Whether the engine carries out `instr` here.
pub(super) fn is_ref_instr(instr: &Instr) -> bool {
    matches!(
        instr,
        Instr::GlobalGetRef { .. }
            | Instr::GlobalSetRef { .. }
            | Instr::GlobalGetV128 { .. }
            | Instr::GlobalSetV128 { .. }
            | Instr::RefFunc { .. }
            | Instr::TableGet { .. }
            | Instr::TableSet { .. }
            | Instr::TableSize { .. }
            | Instr::TableGrow { .. }
            | Instr::TableFill { .. }
            | Instr::TableCopy { .. }
            | Instr::TableInit { .. }
            | Instr::ElemDrop { .. }
            | Instr::MemoryInit { .. }
            | Instr::DataDrop { .. }
            | Instr::SelectMemory { .. }
            | Instr::MemoryCopyAcross { .. }
    )
}

/// The frame's slots, from `bp`.
struct Slots<'a> {
    vals: &'a mut [u64],
    bp: usize,
}

impl Slots<'_> {
    fn get(&self, slot: Slot) -> Result<u64, Trap> {
        self.vals
            .get(self.bp + slot as usize)
            .copied()
            .ok_or(Trap::Code(TrapCode::Unreachable))
    }

    fn get32(&self, slot: Slot, k: u32) -> Result<u32, Trap> {
        Ok(self.get(slot + k)? as u32)
    }

    fn set(&mut self, slot: Slot, bits: u64) -> Result<(), Trap> {
        let cell = self
            .vals
            .get_mut(self.bp + slot as usize)
            .ok_or(Trap::Code(TrapCode::Unreachable))?;
        *cell = bits;
        Ok(())
    }
}

/// Carries out `instr` (one of [`is_ref_instr`]) for a frame of `instance` whose slots
/// start at `bp`; `host` lends the execution's reference table and memory 0, into whose
/// borrowed bytes `memory.init` writes.
pub(super) fn run(
    instr: Instr,
    vals: &mut [u64],
    bp: usize,
    instance: &ModuleInstance,
    host: &mut Host<'_>,
) -> Result<(), Trap> {
    let mut slots = Slots { vals, bp };
    let table = |index: u32| {
        engine::tables(instance)
            .get(index as usize)
            .ok_or(Trap::Code(TrapCode::TableAccessOutOfBounds))
    };
    let global = |index: u32| {
        engine::globals(instance)
            .get(index as usize)
            .ok_or(Trap::Code(TrapCode::Unreachable))
    };
    match instr {
        Instr::GlobalGetRef { dst, index } => {
            let cell = engine::global_cell(host.refs(), global(index)?);
            slots.set(dst, cell)?;
        }
        Instr::GlobalSetRef { src, index } => {
            engine::set_global_cell(host.refs(), global(index)?, slots.get(src)?);
        }
        Instr::GlobalGetV128 { dst, index } => {
            let [low, high] = engine::global_v128(global(index)?).to_cells();
            slots.set(dst, low)?;
            slots.set(dst + 1, high)?;
        }
        Instr::GlobalSetV128 { src, index } => {
            let value = V128::from_cells([slots.get(src)?, slots.get(src + 1)?]);
            engine::set_global_v128(global(index)?, value);
        }
        Instr::RefFunc { dst, index } => {
            slots.set(dst, engine::ref_func(host.refs(), instance, index))?
        }
        Instr::TableGet {
            dst,
            elem,
            table: t,
        } => {
            let cell = engine::table_get(host.refs(), table(t)?, slots.get32(elem, 0)?)?;
            slots.set(dst, cell)?;
        }
        Instr::TableSet {
            elem,
            value,
            table: t,
        } => {
            let (at, value) = (slots.get32(elem, 0)?, slots.get(value)?);
            engine::table_set(host.refs(), table(t)?, at, value)?;
        }
        Instr::TableSize { dst, table: t } => {
            slots.set(dst, u64::from(table(t)?.current_size()))?;
        }
        Instr::TableGrow { base, table: t } => {
            let table = table(t)?;
            let (init, by) = (slots.get(base)?, slots.get(base + 1)?);
            // A 64-bit table's (memory64) delta is an i64, and -1 its failure; its other
            // indices are checked below 2^32 before the instruction (`CheckIndex64`).
            let (by, failed) = match table.is_64() {
                false => (Some(by as u32), u64::from(u32::MAX)),
                true => (u32::try_from(by).ok(), u64::MAX),
            };
            // A table has fewer than 2^32 - 1 entries: an old size of u32::MAX is a
            // failure.
            let old = match by {
                Some(by) => engine::table_grow(host.refs(), table, by, init)?,
                None => u32::MAX,
            };
            slots.set(
                base,
                if old == u32::MAX {
                    failed
                } else {
                    u64::from(old)
                },
            )?;
        }
        Instr::TableFill { base, table: t } => {
            let (at, value, n) = (
                slots.get32(base, 0)?,
                slots.get(base + 1)?,
                slots.get32(base, 2)?,
            );
            engine::table_fill(host.refs(), table(t)?, at, value, n)?;
        }
        Instr::TableCopy { base, dst, src } => {
            let (to, from, n) = (
                slots.get32(base, 0)?,
                slots.get32(base, 1)?,
                slots.get32(base, 2)?,
            );
            engine::table_copy(table(dst)?, to, table(src)?, from, n)?;
        }
        Instr::TableInit { base, table, elem } => {
            let (to, from, n) = (
                slots.get32(base, 0)?,
                slots.get32(base, 1)?,
                slots.get32(base, 2)?,
            );
            engine::table_init(instance, table, elem, to, from, n)?;
        }
        Instr::ElemDrop { elem } => engine::elem_drop(instance, elem),
        Instr::MemoryInit { base, data } => {
            let (to, from, n) = (
                slots.get32(base, 0)?,
                slots.get32(base, 1)?,
                slots.get32(base, 2)?,
            );
            let bytes = engine::data_bytes(instance, data, from, n)
                .ok_or(TrapCode::MemoryAccessOutOfBounds)?;
            let memory = host.bytes();
            let end = u64::from(to) + u64::from(n);
            if end > memory.len() as u64 {
                return Err(TrapCode::MemoryAccessOutOfBounds.into());
            }
            memory[to as usize..end as usize].copy_from_slice(bytes);
        }
        Instr::DataDrop { data } => engine::data_drop(instance, data),
        Instr::SelectMemory { memory } => host.select_memory(memory)?,
        Instr::MemoryCopyAcross { base, memories } => {
            let (to, from, n) = (
                slots.get32(base, 0)?,
                slots.get32(base, 1)?,
                slots.get32(base, 2)?,
            );
            let memory = |index: u32| {
                engine::memories(instance)
                    .get(index as usize)
                    .ok_or(Trap::Code(TrapCode::MemoryAccessOutOfBounds))
            };
            let (dst, src) = (memory(memories & 0xffff)?, memory(memories >> 16)?);
            // The borrowed memory may be either: given back for the copy.
            host.release_memory();
            let copied = wasm_runtime::MemoryInstance::transfer(
                src,
                from as usize,
                dst,
                to as usize,
                n as usize,
            );
            host.borrow_memory()?;
            copied.map_err(|_| TrapCode::MemoryAccessOutOfBounds)?;
        }
        _ => return Err(TrapCode::Unreachable.into()),
    }
    Ok(())
}
