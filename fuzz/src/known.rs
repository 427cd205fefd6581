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
