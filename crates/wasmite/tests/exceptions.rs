//! Exception handling: `throw`, `throw_ref` and `try_table` across frames, modules and the
//! host; an exception that escapes reaches the host as a typed error, and a host function
//! throws one for Wasm code to catch.

use wasmite::{
    Config, Error, ExceptionValue, Externals, Features, FuncInstance, FuncRef, ImportsBuilder,
    Module, ModuleImportResolver, ModuleInstance, ModuleRef, NopExternals, RuntimeArgs,
    RuntimeValue, Signature, TagRef, Trap, TrapKind, Value, ValueType, WasmException,
};

/// Functions that throw and catch through deep recursion, through a host function, and
/// with `throw_ref`.
const PROGRAM: &str = r#"(module
  (import "host" "fail" (tag $host_fail (param i32)))
  (import "host" "call_back" (func $call_back (param i32) (result i32)))
  (tag $found (export "found") (param i64 f64))
  (tag $empty)
  ;; Recurses `depth` times, then throws $found with the depth left (0) and 2.5.
  (func $dive (param $depth i32)
    (if (i32.eqz (local.get $depth))
      (then (throw $found (i64.const 0) (f64.const 2.5))))
    (call $dive (i32.sub (local.get $depth) (i32.const 1))))
  ;; Catches what `$dive` throws from `depth` frames down; returns its i64 plus 1.
  (func (export "dive_and_catch") (param $depth i32) (result i64)
    (block $caught (result i64 f64)
      (try_table (catch $found $caught)
        (call $dive (local.get $depth)))
      (return (i64.const -1)))
    (drop)
    (i64.add (i64.const 1)))
  ;; Lets it escape.
  (func (export "dive") (param $depth i32) (call $dive (local.get $depth)))
  ;; Calls the host, which throws $host_fail; returns its value, or -1.
  (func (export "catch_host") (param $x i32) (result i32)
    (block $caught (result i32)
      (try_table (result i32) (catch $host_fail $caught)
        (call $call_back (local.get $x)))
      (return))
    (i32.add (i32.const 1000)))
  ;; Catches with catch_all_ref and throws the same exception again.
  (func (export "rethrow") (param $depth i32)
    (block $caught (result exnref)
      (try_table (catch_all_ref $caught)
        (call $dive (local.get $depth)))
      (return))
    (throw_ref))
  (func (export "throw_null") (throw_ref (ref.null exn)))
  ;; A trap is not an exception: catch_all lets it through.
  (func (export "trap_through") (result i32)
    (block $caught
      (try_table (catch_all $caught) (unreachable)))
    (i32.const 7))
  ;; The catch in a loop: each iteration throws and catches.
  (func (export "count") (param $n i32) (result i32)
    (local $i i32)
    (loop $again
      (block $caught
        (try_table (catch $empty $caught) (throw $empty)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i)))"#;

const CALL_BACK: usize = 0;

/// The host: `call_back(x)` throws `fail` with `x * 2` (or returns `x` when `x` is 0).
struct Host {
    fail: TagRef,
    call_back: FuncRef,
}

impl Host {
    fn new() -> Host {
        let i32_param = Signature::new(&[ValueType::I32][..], None);
        Host {
            fail: TagRef::new(i32_param),
            call_back: FuncInstance::alloc_host(
                Signature::new(&[ValueType::I32][..], Some(ValueType::I32)),
                CALL_BACK,
            ),
        }
    }
}

impl Externals for Host {
    fn invoke_index(
        &mut self,
        index: usize,
        args: RuntimeArgs<'_>,
    ) -> Result<Option<RuntimeValue>, Trap> {
        assert_eq!(index, CALL_BACK);
        let x: i32 = args.nth_checked(0)?;
        if x == 0 {
            return Ok(Some(RuntimeValue::I32(0)));
        }
        let values = vec![ExceptionValue::I32(x * 2)];
        let thrown = WasmException::new(&self.fail, values).expect("the tag's types");
        Err(Trap::host(thrown))
    }
}

impl ModuleImportResolver for Host {
    fn resolve_func(&self, field: &str, _: &Signature) -> Result<FuncRef, Error> {
        assert_eq!(field, "call_back");
        Ok(self.call_back.clone())
    }

    fn resolve_tag(&self, field: &str, _: &Signature) -> Result<TagRef, Error> {
        assert_eq!(field, "fail");
        Ok(self.fail.clone())
    }
}

fn config() -> Config {
    Config::new().features(Features {
        exceptions: true,
        ..Features::wasm2()
    })
}

fn instantiate(host: &Host) -> ModuleRef {
    let module = Module::from_buffer_with_config(wat::parse_str(PROGRAM).unwrap(), &config())
        .expect("the program loads");
    let imports = ImportsBuilder::new().with_resolver("host", host);
    ModuleInstance::new(&module, &imports)
        .unwrap()
        .assert_no_start()
}

fn call(
    instance: &ModuleRef,
    host: &mut Host,
    name: &str,
    arg: i32,
) -> Result<Option<RuntimeValue>, Error> {
    instance.invoke_export(name, &[RuntimeValue::I32(arg)], host)
}

/// The exception an invocation ended with.
fn uncaught(result: Result<Option<RuntimeValue>, Error>) -> WasmException {
    let error = result.expect_err("an uncaught exception");
    let trap = error.as_trap().expect("a trap");
    trap.as_host()
        .and_then(|host| host.downcast_ref::<WasmException>())
        .unwrap_or_else(|| panic!("not an exception: {error}"))
        .clone()
}

#[test]
fn an_exception_thrown_1000_frames_deep_is_caught_at_the_top() {
    let mut host = Host::new();
    let instance = instantiate(&host);
    let result = call(&instance, &mut host, "dive_and_catch", 1000);
    assert_eq!(result.unwrap(), Some(RuntimeValue::I64(1)));
    // The frames it unwound are gone: the same call again, and a deeper one.
    let result = call(&instance, &mut host, "dive_and_catch", 20_000);
    assert_eq!(result.unwrap(), Some(RuntimeValue::I64(1)));
}

#[test]
fn an_exception_nothing_catches_reaches_the_host_with_its_tag_and_values() {
    let mut host = Host::new();
    let instance = instantiate(&host);
    let thrown = uncaught(call(&instance, &mut host, "dive", 50));
    let found = instance.export_tag("found").expect("an exported tag");
    assert!(thrown.tag().ptr_eq(&found));
    assert_eq!(
        thrown.values(),
        [ExceptionValue::I64(0), ExceptionValue::F64(2.5.into())]
    );
    assert!(
        thrown.to_string().contains("uncaught Wasm exception"),
        "{thrown}"
    );
    // throw_ref throws the same exception again.
    let again = uncaught(call(&instance, &mut host, "rethrow", 3));
    assert!(again.tag().ptr_eq(&found));
    assert_eq!(again.values(), thrown.values());
}

#[test]
fn a_host_function_throws_an_exception_that_wasm_code_catches() {
    let mut host = Host::new();
    let instance = instantiate(&host);
    let result = call(&instance, &mut host, "catch_host", 21);
    assert_eq!(result.unwrap(), Some(RuntimeValue::I32(1042)));
    let result = call(&instance, &mut host, "catch_host", 0);
    assert_eq!(result.unwrap(), Some(RuntimeValue::I32(0)));
}

#[test]
fn traps_are_not_exceptions() {
    let mut host = Host::new();
    let instance = instantiate(&host);
    let error = instance
        .invoke_export("trap_through", &[], &mut host)
        .unwrap_err();
    let code = error.as_trap().and_then(Trap::code);
    assert_eq!(code, Some(wasmite::TrapCode::Unreachable), "{error}");
    let error = instance
        .invoke_export("throw_null", &[], &mut NopExternals)
        .unwrap_err();
    let kind = error.as_trap().and_then(Trap::as_host);
    let kind = kind.and_then(|host| host.downcast_ref::<TrapKind>());
    assert_eq!(kind, Some(&TrapKind::NullExceptionReference));
}

#[test]
fn catching_in_a_loop_runs_in_constant_space() {
    let mut host = Host::new();
    let instance = instantiate(&host);
    let result = call(&instance, &mut host, "count", 100_000);
    assert_eq!(result.unwrap(), Some(RuntimeValue::I32(100_000)));
}

#[test]
fn exceptions_are_refused_unless_the_feature_is_on() {
    let error = Module::from_buffer(wat::parse_str(PROGRAM).unwrap()).unwrap_err();
    assert!(error.to_string().contains("exception-handling"), "{error}");
}

#[test]
fn a_host_exception_must_have_its_tags_types() {
    let host = Host::new();
    assert!(WasmException::new(&host.fail, vec![ExceptionValue::I64(1)]).is_none());
    assert!(WasmException::new(&host.fail, vec![]).is_none());
}

#[test]
fn caught_exceptions_are_metered_and_interruptible_code_catches_them_too() {
    let config = config().consume_fuel(true).interruptible(true);
    let module = Module::from_buffer_with_config(wat::parse_str(PROGRAM).unwrap(), &config)
        .expect("the program loads");
    let mut host = Host::new();
    let imports = ImportsBuilder::new().with_resolver("host", &host);
    let instance = ModuleInstance::new(&module, &imports)
        .unwrap()
        .assert_no_start();
    instance.set_fuel(1_000_000);
    let result = call(&instance, &mut host, "count", 1000);
    assert_eq!(result.unwrap(), Some(RuntimeValue::I32(1000)));
    let used = 1_000_000 - instance.fuel();
    // Each iteration pays for its operators, the catch's path included.
    assert!(used >= 8 * 1000, "{used} fuel for 1000 iterations");
    let result = call(&instance, &mut host, "dive_and_catch", 100);
    assert_eq!(result.unwrap(), Some(RuntimeValue::I64(1)));
    let result = call(&instance, &mut host, "catch_host", 4);
    assert_eq!(result.unwrap(), Some(RuntimeValue::I32(1008)));
}

#[test]
fn exnref_globals_and_tables_hold_caught_exceptions() {
    let text = r#"(module
      (tag $t (param i32))
      (global $last (mut exnref) (ref.null exn))
      (table $kept 1 exnref)
      (elem (table $kept) (i32.const 0) exnref (ref.null exn))
      (func (export "catch_and_keep") (param $x i32)
        (block $h (result i32 exnref)
          (try_table (catch_ref $t $h) (throw $t (local.get $x)))
          (unreachable))
        (global.set $last)
        (drop)
        (table.set $kept (i32.const 0) (global.get $last)))
      (func (export "kept_is_null") (result i32) (ref.is_null (table.get $kept (i32.const 0))))
      (func (export "rethrow_kept") (throw_ref (table.get $kept (i32.const 0)))))"#;
    let module = Module::from_buffer_with_config(wat::parse_str(text).unwrap(), &config()).unwrap();
    let instance = ModuleInstance::new(&module, &ImportsBuilder::default())
        .unwrap()
        .assert_no_start();
    let call =
        |name: &str, args: &[RuntimeValue]| instance.invoke_export(name, args, &mut NopExternals);
    assert_eq!(
        call("kept_is_null", &[]).unwrap(),
        Some(RuntimeValue::I32(1))
    );
    call("catch_and_keep", &[RuntimeValue::I32(9)]).unwrap();
    // The table keeps the exception as a Value between invocations.
    assert_eq!(
        call("kept_is_null", &[]).unwrap(),
        Some(RuntimeValue::I32(0))
    );
    let thrown = uncaught(call("rethrow_kept", &[]));
    assert_eq!(thrown.values(), [ExceptionValue::I32(9)]);
}

#[test]
fn nullexnref_holds_only_null_and_passes_as_an_exnref() {
    let text = r#"(module
      (tag $t)
      (global $none (mut nullexnref) (ref.null noexn))
      (global $any (mut exnref) (ref.null noexn))
      (table $nulls 2 nullexnref)
      (table $exns 2 exnref)
      (elem (table $nulls) (i32.const 0) nullexnref (ref.null noexn))
      (elem (table $exns) (i32.const 1) nullexnref (ref.null noexn))
      (func (export "widen") (result exnref) (global.get $none))
      (func (export "is_null") (param nullexnref) (result i32) (ref.is_null (local.get 0)))
      (func (export "caught") (result exnref)
        (block $h (result exnref)
          (try_table (catch_all_ref $h) (throw $t))
          (unreachable)))
      (func (export "throw_null") (throw_ref (ref.null noexn)))
      (func (export "from_table") (result nullexnref) (table.get $nulls (i32.const 1)))
      (func (export "from_exns") (result exnref) (table.get $exns (i32.const 1)))
      (func (export "from_block") (result nullexnref) (block (result nullexnref) (ref.null noexn)))
      ;; Non-nullable forms need exception handling alone.
      (func (param (ref exn) (ref noexn)) (result exnref) (local.get 1)))"#;
    let module = Module::from_buffer_with_config(wat::parse_str(text).unwrap(), &config())
        .expect("nullexnref loads with exception handling on");
    let instance = ModuleInstance::new(&module, &ImportsBuilder::default())
        .unwrap()
        .assert_no_start();
    let func = |name: &str| {
        instance
            .export_by_name(name)
            .unwrap()
            .as_func()
            .unwrap()
            .clone()
    };
    let run = |name: &str, args: &[Value]| {
        let mut results = vec![Value::I32(-1); func(name).signature().result_types().len()];
        FuncInstance::invoke_values(&func(name), args, &mut results, &mut NopExternals)
            .map(|()| results)
    };
    assert_eq!(run("widen", &[]).unwrap(), [Value::ExnRef(None)]);
    assert_eq!(run("from_table", &[]).unwrap(), [Value::ExnRef(None)]);
    assert_eq!(run("from_block", &[]).unwrap(), [Value::ExnRef(None)]);
    assert_eq!(run("from_exns", &[]).unwrap(), [Value::ExnRef(None)]);
    assert_eq!(
        run("is_null", &[Value::ExnRef(None)]).unwrap(),
        [Value::I32(1)]
    );
    // A caught exception is an exnref, never a nullexnref.
    let caught = run("caught", &[]).unwrap();
    assert!(matches!(caught[..], [Value::ExnRef(Some(_))]));
    let refused = run("is_null", &caught).unwrap_err();
    assert_eq!(refused.code(), Some(wasmite::TrapCode::UnexpectedSignature));
    let trap = run("throw_null", &[]).unwrap_err();
    let kind = trap
        .as_host()
        .and_then(|host| host.downcast_ref::<TrapKind>());
    assert_eq!(kind, Some(&TrapKind::NullExceptionReference), "{trap}");

    // Subtyping goes one way only, and the type needs exception handling.
    let narrowing = r#"(module
      (func (param exnref) (result nullexnref) (local.get 0)))"#;
    let error =
        Module::from_buffer_with_config(wat::parse_str(narrowing).unwrap(), &config()).unwrap_err();
    assert!(error.to_string().contains("type mismatch"), "{error}");
    let plain = r#"(module (global nullexnref (ref.null noexn)))"#;
    let error = Module::from_buffer(wat::parse_str(plain).unwrap()).unwrap_err();
    assert!(error.to_string().contains("exception-handling"), "{error}");
}
