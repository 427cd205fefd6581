//! Open findings the targets step around, so that fuzzing can go on finding other
//! things while they wait for a fix: Wasmite's (F*) and the oracles' (W*). Each check
//! names its finding in `README.md` ("Findings"); delete the check when the finding is
//! fixed, and the targets cover the case again.

/// Oracle bug W1 (wasmi 2.0.0, not Wasmite): a `select` whose condition is computed by
/// the instruction just before it, `i32.eqz` or `i32.eq` (wasmi treats `i32.eq x 0` as
/// `i32.eqz`), always yields its first operand: wasmi fuses the comparison into the
/// `select` and loses the negation. `(select (i32.const 1) (i32.const 2) (i32.eqz
/// (local.get 0)))` gives 1 for every argument. `exec_diff` skips modules with the
/// pattern (wasm-smith emits it in its trap-avoiding code) until wasmi is fixed.
pub fn has_wasmi_eqz_select(bytes: &[u8]) -> bool {
    use wasmparser::{Operator, Parser, Payload};
    for payload in Parser::new(0).parse_all(bytes) {
        let Ok(Payload::CodeSectionEntry(body)) = payload else {
            continue;
        };
        let Ok(mut reader) = body.get_operators_reader() else {
            return true;
        };
        let mut previous_is_eq = false;
        while !reader.eof() {
            let Ok(operator) = reader.read() else {
                return true;
            };
            if previous_is_eq && matches!(operator, Operator::Select | Operator::TypedSelect { .. })
            {
                return true;
            }
            previous_is_eq = matches!(operator, Operator::I32Eqz | Operator::I32Eq);
        }
    }
    false
}

/// Oracle bug W2 (wasmi 2.0.0, not Wasmite): wasmi panics ("internal error: entered
/// unreachable code" in `choose_store_op_vt`) translating a store with an offset above
/// 65535 whose address and value are both the value of one local it has just written:
/// `(local.set 0 (i32.add (local.get 0) (i32.const 1)))
/// (i32.store offset=77023 (local.get 0) (local.get 0))`, or the address given by
/// `local.tee 0`. `exec_diff` skips modules where a store with such an offset follows
/// `local.get x` (or `local.tee x`) and `local.get x` until wasmi is fixed.
pub fn has_wasmi_same_local_store(bytes: &[u8]) -> bool {
    use wasmparser::{Operator, Parser, Payload};
    for payload in Parser::new(0).parse_all(bytes) {
        let Ok(Payload::CodeSectionEntry(body)) = payload else {
            continue;
        };
        let Ok(mut reader) = body.get_operators_reader() else {
            return true;
        };
        // The locals read by the last two operators (`None` if not a read).
        let mut last_two: [Option<u32>; 2] = [None, None];
        while !reader.eof() {
            let Ok(operator) = reader.read() else {
                return true;
            };
            let big_offset = store_offset(&operator).is_some_and(|offset| offset > 0xffff);
            if big_offset && last_two[0].is_some() && last_two[0] == last_two[1] {
                return true;
            }
            let read = match operator {
                Operator::LocalGet { local_index } | Operator::LocalTee { local_index } => {
                    Some(local_index)
                }
                _ => None,
            };
            last_two = [last_two[1], read];
        }
    }
    false
}

/// Oracle bug W3 (wasmi 2.0.0, not Wasmite): wasmi panics while *running*
/// `v128.store8_lane` or `v128.store16_lane` on memory 0 with an offset above 65535 and
/// the address in a local ("failed to decode `OpCode` or op-handler: encountered invalid
/// bit pattern", in its `v128_store_lane8_ss` handler):
/// `(v128.store8_lane offset=65536 0 (local.get 0) (local.get 1))`. `exec_diff` skips
/// modules with such a store (wherever its address comes from) until wasmi is fixed.
pub fn has_wasmi_store_lane_big_offset(bytes: &[u8]) -> bool {
    use wasmparser::{Operator, Parser, Payload};
    for payload in Parser::new(0).parse_all(bytes) {
        let Ok(Payload::CodeSectionEntry(body)) = payload else {
            continue;
        };
        let Ok(mut reader) = body.get_operators_reader() else {
            return true;
        };
        while !reader.eof() {
            let Ok(operator) = reader.read() else {
                return true;
            };
            if let Operator::V128Store8Lane { memarg, .. }
            | Operator::V128Store16Lane { memarg, .. } = operator
                && memarg.target == wasmparser::MemArgTarget::Memory(0)
                && memarg.offset > 0xffff
            {
                return true;
            }
        }
    }
    false
}

/// The offset of a store operator.
fn store_offset(operator: &wasmparser::Operator<'_>) -> Option<u64> {
    use wasmparser::Operator as O;
    match operator {
        O::I32Store { memarg }
        | O::I64Store { memarg }
        | O::F32Store { memarg }
        | O::F64Store { memarg }
        | O::I32Store8 { memarg }
        | O::I32Store16 { memarg }
        | O::I64Store8 { memarg }
        | O::I64Store16 { memarg }
        | O::I64Store32 { memarg } => Some(memarg.offset),
        _ => None,
    }
}

/// By design (F2's remainder, README): an instantiation that writes a function into an
/// imported table and then traps on a later segment stays alive, kept by that table (the
/// specification keeps such functions callable; without a store the table and the
/// instance form a cycle). `decode_validate` does not instantiate modules where that can
/// happen, so that LeakSanitizer does not report it: an active element segment of at least
/// one item into an imported table, followed by another active segment.
pub fn keeps_failed_instantiation(module: &wasm_core::Module) -> bool {
    use wasm_core::{DataMode, ElementMode};
    let imported = module.num_imported_tables();
    let Some(first_write) = module.elements.iter().position(|segment| {
        matches!(segment.mode, ElementMode::Active { table, .. } if table < imported)
            && !segment.is_empty()
    }) else {
        return false;
    };
    let later_elements = module.elements[first_write + 1..]
        .iter()
        .any(|segment| matches!(segment.mode, ElementMode::Active { .. }));
    let active_data = module
        .data
        .iter()
        .any(|segment| matches!(segment.mode, DataMode::Active { .. }));
    later_elements || active_data
}
