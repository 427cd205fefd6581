//! Fuel is deterministic: each bench program consumes the same fuel with lazy and eager
//! translation, and the same as recorded here, which the test command checks in the debug
//! build (portable dispatch) and the release build (threaded dispatch): the four ways
//! agree. The figures follow from the cost model (1 per Wasm operator, paid per stretch
//! of straight-line code, plus 1 per element of a bulk operation); a change of the model
//! changes them, and nothing else may.

use wasmite::{
    Config, ImportsBuilder, Module, ModuleInstance, NopExternals, RuntimeValue, Translation,
};

/// (name, program, argument of `run`, fuel the run consumes).
const PROGRAMS: &[(&str, Program, i32, u64)] = &[
    (
        "fib_recursive",
        Program::Text(include_str!("../../bench/programs/fib_recursive.wat")),
        15,
        23675,
    ),
    (
        "fib_iterative",
        Program::Text(include_str!("../../bench/programs/fib_iterative.wat")),
        1000,
        18024,
    ),
    (
        "br_table",
        Program::Text(include_str!("../../bench/programs/br_table.wat")),
        1000,
        33786,
    ),
    (
        "calls_indirect",
        Program::Text(include_str!("../../bench/programs/calls_indirect.wat")),
        1000,
        21522,
    ),
    (
        "memory_copy",
        Program::Text(include_str!("../../bench/programs/memory_copy.wat")),
        1,
        3336481,
    ),
    (
        "bulk_copy",
        Program::Text(include_str!("../../bench/programs/bulk_copy.wat")),
        2,
        6816257,
    ),
    (
        "matmul",
        Program::Text(include_str!("../../bench/programs/matmul.wat")),
        8,
        21216,
    ),
    (
        "sieve",
        Program::Text(include_str!("../../bench/programs/sieve.wat")),
        5000,
        228408,
    ),
    (
        "heapsort",
        Program::Text(include_str!("../../bench/programs/heapsort.wat")),
        300,
        162212,
    ),
    (
        "nbody",
        Program::Text(include_str!("../../bench/programs/nbody.wat")),
        50,
        98859,
    ),
    (
        "mandelbrot",
        Program::Text(include_str!("../../bench/programs/mandelbrot.wat")),
        10,
        95122,
    ),
    (
        "sha256",
        Program::Text(include_str!("../../bench/programs/sha256.wat")),
        500,
        83589,
    ),
    (
        "lz_compress",
        Program::Text(include_str!("../../bench/programs/lz_compress.wat")),
        1000,
        174875,
    ),
    (
        "hash",
        Program::Binary(include_bytes!("../../bench/programs/compiled/hash.wasm")),
        2000,
        128107,
    ),
    (
        "json",
        Program::Binary(include_bytes!("../../bench/programs/compiled/json.wasm")),
        1000,
        566807,
    ),
    (
        "compress",
        Program::Binary(include_bytes!(
            "../../bench/programs/compiled/compress.wasm"
        )),
        500,
        866674,
    ),
    (
        "bignum",
        Program::Binary(include_bytes!("../../bench/programs/compiled/bignum.wasm")),
        100,
        38242,
    ),
    (
        "sort",
        Program::Binary(include_bytes!("../../bench/programs/compiled/sort.wasm")),
        100,
        327141,
    ),
    (
        "vm",
        Program::Binary(include_bytes!("../../bench/programs/compiled/vm.wasm")),
        5,
        65789,
    ),
    (
        "dyn",
        Program::Binary(include_bytes!("../../bench/programs/compiled/dyn.wasm")),
        5,
        322377,
    ),
];

enum Program {
    Text(&'static str),
    Binary(&'static [u8]),
}

/// Runs `program`'s `init` (if any) and `run(arg)`; its result and the fuel it consumed.
fn run(program: &Program, arg: i32, config: Config) -> (Option<RuntimeValue>, u64) {
    let bytes = match program {
        Program::Text(text) => wat::parse_str(text).unwrap(),
        Program::Binary(bytes) => bytes.to_vec(),
    };
    let module = Module::from_buffer_with_config(bytes, &config).unwrap();
    let instance = ModuleInstance::new(&module, &ImportsBuilder::default())
        .unwrap()
        .assert_no_start();
    const TANK: u64 = 1 << 50;
    instance.set_fuel(TANK);
    if instance.export_by_name("init").is_some() {
        instance
            .invoke_export("init", &[], &mut NopExternals)
            .unwrap();
    }
    let result = instance
        .invoke_export("run", &[RuntimeValue::I32(arg)], &mut NopExternals)
        .unwrap();
    (result, TANK - instance.fuel())
}

#[test]
fn every_bench_program_consumes_the_recorded_fuel_in_every_mode() {
    let mut report = String::new();
    let mut wrong = Vec::new();
    for (name, program, arg, expected) in PROGRAMS {
        let (plain, _) = run(program, *arg, Config::new());
        let mut used = Vec::new();
        for translation in [Translation::Lazy, Translation::Eager] {
            let config = Config::new().consume_fuel(true).translation(translation);
            let (result, fuel) = run(program, *arg, config);
            assert_eq!(result, plain, "{name}: metering changed the result");
            used.push(fuel);
        }
        assert_eq!(
            used[0], used[1],
            "{name}: lazy and eager translation disagree"
        );
        report.push_str(&format!("{name}: {}\n", used[0]));
        if used[0] != *expected {
            wrong.push(format!("{name}: consumed {}, recorded {expected}", used[0]));
        }
    }
    assert!(wrong.is_empty(), "{}\nall:\n{report}", wrong.join("\n"));
}
