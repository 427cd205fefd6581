//! The patterns of the three examples that ship with the seed (`wasmi` 0.13.2:
//! `interpret`, `invoke`, `tictactoe`), in programs of our own that use them the same way:
//! if one of these patterns stops building or behaving against `wasmite`, a program
//! written against the seed does too. Like `seed_conformance.rs`, this file uses only
//! the seed's API and passes against `wasmi` 0.13.2 renamed `wasmite`.

use std::fmt;
use std::fs::File;
use std::io::{Read, Write};
use wasmite::{
    Error as InterpreterError, Externals, FuncInstance, FuncRef, HostError, ImportsBuilder, Module,
    ModuleImportResolver, ModuleInstance, ModuleRef, NopExternals, RuntimeArgs, RuntimeValue,
    Signature, Trap, ValueType,
};

fn wasm(text: &str) -> Vec<u8> {
    wat::parse_str(text).expect("test module text parses")
}

/// Writes `bytes` to a file of its own in the temporary directory, for the examples that
/// read modules from files.
fn write_temp(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("wasmite-{}-{name}", std::process::id()));
    File::create(&path)
        .and_then(|mut file| file.write_all(bytes))
        .expect("write the module file");
    path
}

// ---------------------------------------------------------------------------------------
// `interpret`: read a module from a file, run its start function, call an export with an
// `i32` taken from the command line, print the outcome's `Debug`.

fn load_file(path: &std::path::Path) -> Module {
    let mut file = File::open(path).expect("open the module file");
    let mut buffer = Vec::new();
    file.read_to_end(&mut buffer).expect("read the module file");
    Module::from_buffer(buffer).expect("a valid module")
}

fn interpret(path: &std::path::Path, argument: &str) -> String {
    let module = load_file(path);
    let main = ModuleInstance::new(&module, &ImportsBuilder::default())
        .expect("instantiates")
        .run_start(&mut NopExternals)
        .expect("the start function runs");
    let argument: i32 = argument.parse().expect("an integer argument");
    let outcome = main.invoke_export("_call", &[RuntimeValue::I32(argument)], &mut NopExternals);
    format!("Result: {outcome:?}")
}

#[test]
fn interpret_pattern() {
    let path = write_temp(
        "interpret.wasm",
        &wasm(
            r#"(module
                (global $offset (mut i32) (i32.const 0))
                (func $init (global.set $offset (i32.const 100)))
                (start $init)
                (func (export "_call") (param i32) (result i32)
                  (i32.add (local.get 0) (global.get $offset))))"#,
        ),
    );
    assert_eq!(interpret(&path, "23"), "Result: Ok(Some(I32(123)))");
    assert_eq!(interpret(&path, "-100"), "Result: Ok(Some(I32(0)))");
    std::fs::remove_file(path).ok();
}

// ---------------------------------------------------------------------------------------
// `invoke`: read a module with `parity-wasm`, find an export's parameter types in its
// sections, parse the arguments by type, load it with `from_parity_wasm_module`, call.

/// The parameter types of exported function `name`, found the way a program reading
/// `parity-wasm`'s sections finds them: export, function index less imported functions,
/// function section, type section.
#[cfg(feature = "parity-wasm")]
fn export_params(
    module: &parity_wasm::elements::Module,
    name: &str,
) -> Vec<parity_wasm::elements::ValueType> {
    use parity_wasm::elements::{External, Internal, Type};

    let export = module
        .export_section()
        .and_then(|exports| exports.entries().iter().find(|e| e.field() == name))
        .expect("the export exists");
    let index = match export.internal() {
        Internal::Function(index) => *index as usize,
        _ => panic!("{name} is not a function"),
    };
    let imported = module.import_section().map_or(0, |imports| {
        imports
            .entries()
            .iter()
            .filter(|entry| matches!(entry.external(), External::Function(_)))
            .count()
    });
    let type_index = module
        .function_section()
        .expect("a function section")
        .entries()[index - imported]
        .type_ref() as usize;
    let Type::Function(function_type) =
        &module.type_section().expect("a type section").types()[type_index];
    function_type.params().to_vec()
}

#[cfg(feature = "parity-wasm")]
fn invoke(path: &std::path::Path, name: &str, arguments: &[&str]) -> Option<RuntimeValue> {
    use parity_wasm::elements::ValueType as ParityType;

    let bytes = std::fs::read(path).expect("read the module file");
    let module: parity_wasm::elements::Module =
        parity_wasm::deserialize_buffer(&bytes).expect("parity-wasm reads the module");
    let args: Vec<RuntimeValue> = export_params(&module, name)
        .iter()
        .zip(arguments)
        .map(|(param, text)| match param {
            ParityType::I32 => RuntimeValue::I32(text.parse().expect("an i32")),
            ParityType::I64 => RuntimeValue::I64(text.parse().expect("an i64")),
            ParityType::F32 => RuntimeValue::F32(text.parse::<f32>().expect("an f32").into()),
            ParityType::F64 => RuntimeValue::F64(text.parse::<f64>().expect("an f64").into()),
        })
        .collect();

    let loaded = Module::from_parity_wasm_module(module).expect("a valid module");
    let main = ModuleInstance::new(&loaded, &ImportsBuilder::default())
        .expect("instantiates")
        .run_start(&mut NopExternals)
        .expect("the start function runs");
    main.invoke_export(name, &args, &mut NopExternals)
        .expect("the call succeeds")
}

#[cfg(feature = "parity-wasm")]
#[test]
fn invoke_pattern() {
    use parity_wasm::elements::ValueType as ParityType;

    let path = write_temp(
        "invoke.wasm",
        &wasm(
            r#"(module
                (func $helper (result i32) i32.const 0)
                (func (export "scale") (param i64 f64 f32) (result f64)
                  (f64.mul (f64.convert_i64_s (local.get 0))
                    (f64.add (local.get 1) (f64.promote_f32 (local.get 2))))))"#,
        ),
    );
    assert_eq!(
        invoke(&path, "scale", &["3", "1.5", "0.25"]),
        Some(RuntimeValue::F64(5.25f64.into()))
    );
    std::fs::remove_file(path).ok();

    // Imported functions come first in the index space.
    let importing = wasm(
        r#"(module (import "env" "f" (func (param i32)))
            (func (export "g") (param f32 i64)))"#,
    );
    let module: parity_wasm::elements::Module =
        parity_wasm::deserialize_buffer(&importing).unwrap();
    assert_eq!(
        export_params(&module, "g"),
        [ParityType::F32, ParityType::I64]
    );
    let loaded = Module::from_parity_wasm_module(module).expect("a valid module");
    assert!(ModuleInstance::new(&loaded, &ImportsBuilder::default()).is_err());
}

// ---------------------------------------------------------------------------------------
// `tictactoe`: a game whose rules live in the host. The host's error type wraps the
// interpreter's error and is a `HostError`, so host functions fail with `?` on the game's
// own results; players are modules that import the game's functions from "env".

/// The bank's refusals, or an error of the interpreter.
#[derive(Debug)]
enum BankError {
    Overdrawn,
    NotYourTurn,
    Interpreter(InterpreterError),
}

impl fmt::Display for BankError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }
}

impl From<InterpreterError> for BankError {
    fn from(error: InterpreterError) -> Self {
        BankError::Interpreter(error)
    }
}

impl HostError for BankError {}

/// A shared pot that players take coins from in turns; taking the last coin wins.
struct Pot {
    coins: i32,
    turn: usize,
}

impl Pot {
    fn take(&mut self, player: usize, coins: i32) -> Result<(), BankError> {
        if player != self.turn {
            return Err(BankError::NotYourTurn);
        }
        if !(1..=3).contains(&coins) || coins > self.coins {
            return Err(BankError::Overdrawn);
        }
        self.coins -= coins;
        Ok(())
    }
}

/// One player's view of the pot during its turn.
struct Turn<'a> {
    player: usize,
    pot: &'a mut Pot,
}

const TAKE: usize = 0;
const LEFT: usize = 1;

impl Externals for Turn<'_> {
    fn invoke_index(
        &mut self,
        index: usize,
        args: RuntimeArgs<'_>,
    ) -> Result<Option<RuntimeValue>, Trap> {
        match index {
            TAKE => {
                let coins: i32 = args.nth(0);
                self.pot.take(self.player, coins)?;
                Ok(None)
            }
            LEFT => Ok(Some(self.pot.coins.into())),
            _ => panic!("no host function {index}"),
        }
    }
}

struct Bank;

impl ModuleImportResolver for Bank {
    fn resolve_func(
        &self,
        field: &str,
        _signature: &Signature,
    ) -> Result<FuncRef, InterpreterError> {
        match field {
            "take" => Ok(FuncInstance::alloc_host(
                Signature::new(&[ValueType::I32][..], None),
                TAKE,
            )),
            "left" => Ok(FuncInstance::alloc_host(
                Signature::new(&[][..], Some(ValueType::I32)),
                LEFT,
            )),
            _ => Err(InterpreterError::Function(format!(
                "the bank has no function {field}"
            ))),
        }
    }
}

fn player(text: &str) -> Result<ModuleRef, BankError> {
    let module = Module::from_buffer(wasm(text))?;
    let mut imports = ImportsBuilder::new();
    imports.push_resolver("env", &Bank);
    Ok(ModuleInstance::new(&module, &imports)?.assert_no_start())
}

/// Plays until the pot is empty; the winner is the player who took the last coin.
fn play(players: [&ModuleRef; 2], pot: &mut Pot) -> Result<usize, BankError> {
    loop {
        let player = pot.turn;
        {
            let mut turn = Turn { player, pot };
            players[player].invoke_export("turn", &[], &mut turn)?;
        }
        if pot.coins == 0 {
            return Ok(player);
        }
        pot.turn = 1 - player;
    }
}

/// Takes the coins that leave a multiple of four, or one.
const CLEVER: &str = r#"
(module
  (import "env" "take" (func $take (param i32)))
  (import "env" "left" (func $left (result i32)))
  (func (export "turn")
    (local $n i32)
    (local.set $n (i32.rem_u (call $left) (i32.const 4)))
    (call $take (select (local.get $n) (i32.const 1) (local.get $n)))))
"#;

/// Always takes one coin.
const TIMID: &str = r#"
(module
  (import "env" "take" (func $take (param i32)))
  (func (export "turn") (call $take (i32.const 1))))
"#;

/// Takes more than the rules allow.
const GREEDY: &str = r#"
(module
  (import "env" "take" (func $take (param i32)))
  (func (export "turn") (call $take (i32.const 5))))
"#;

#[test]
fn tictactoe_pattern() {
    let clever = player(CLEVER).unwrap();
    let timid = player(TIMID).unwrap();
    let mut pot = Pot { coins: 10, turn: 0 };
    assert_eq!(play([&clever, &timid], &mut pot).unwrap(), 0);

    // A refusal of the game comes back through the interpreter as the game's own error.
    let greedy = player(GREEDY).unwrap();
    let mut pot = Pot { coins: 10, turn: 0 };
    match play([&greedy, &timid], &mut pot) {
        Err(BankError::Interpreter(error)) => {
            let host = error.as_host_error().expect("a host error");
            assert!(matches!(
                host.downcast_ref::<BankError>(),
                Some(BankError::Overdrawn)
            ));
        }
        other => panic!("expected the bank's refusal, got {other:?}"),
    }
    // A player importing what the bank does not have fails to link.
    match player(r#"(module (import "env" "steal" (func)))"#) {
        Err(BankError::Interpreter(InterpreterError::Function(message))) => {
            assert!(message.contains("steal"))
        }
        other => panic!("expected a link error, got {other:?}"),
    }
    let mut pot = Pot { coins: 3, turn: 1 };
    assert!(matches!(pot.take(0, 1), Err(BankError::NotYourTurn)));
}
