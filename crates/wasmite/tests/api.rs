//! The seed API as a user drives it: host functions, linking, resumable calls, memory,
//! limits, errors.

use wasmite::memory_units::Pages;
use wasmite::{
    Error, ExternVal, Externals, FuncInstance, FuncRef, GlobalInstance, HostError, ImportsBuilder,
    MemoryInstance, Module, ModuleImportResolver, ModuleInstance, ModuleRef, NopExternals,
    ResumableError, RuntimeArgs, RuntimeValue, Signature, StackRecycler, Trap, TrapCode, ValueType,
};

fn load(text: &str) -> Module {
    Module::from_buffer(text).expect("module loads")
}

/// Instantiates `module` with its imports of module `name` from `resolver`; returns the
/// instance (which the caller keeps alive, or drops) and its exported function `export`.
fn exported_func(
    module: &Module,
    name: &str,
    resolver: &dyn ModuleImportResolver,
    export: &str,
) -> (ModuleRef, FuncRef) {
    let imports = ImportsBuilder::new().with_resolver(name, resolver);
    let instance = ModuleInstance::new(module, &imports)
        .expect("module instantiates")
        .assert_no_start();
    let func = instance
        .export_by_name(export)
        .and_then(|export| export.as_func().cloned())
        .expect("the export is a function");
    (instance, func)
}

#[derive(Debug)]
struct Refused(i32);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "host refused {}", self.0)
    }
}

impl HostError for Refused {}

/// Host functions: 0 = add(i32, i32) -> i32, 1 = refuse(i32) -> i32 (traps with a host error).
struct Host {
    calls: usize,
}

impl Externals for Host {
    fn invoke_index(
        &mut self,
        index: usize,
        args: RuntimeArgs<'_>,
    ) -> Result<Option<RuntimeValue>, Trap> {
        self.calls += 1;
        match index {
            0 => {
                let (a, b): (i32, i32) = (args.nth_checked(0)?, args.nth_checked(1)?);
                Ok(Some(RuntimeValue::I32(a.wrapping_add(b))))
            }
            1 => Err(Trap::host(Refused(args.nth(0)))),
            _ => Err(Trap::Code(TrapCode::Unreachable)),
        }
    }
}

struct HostResolver;

impl ModuleImportResolver for HostResolver {
    fn resolve_func(&self, field: &str, signature: &Signature) -> Result<FuncRef, Error> {
        let index = match field {
            "add" => 0,
            "refuse" => 1,
            _ => return Err(Error::Instantiation(format!("unknown import: {field}"))),
        };
        Ok(FuncInstance::alloc_host(signature.clone(), index))
    }
}

const HOST_USER: &str = r#"
(module
  (import "host" "add" (func $add (param i32 i32) (result i32)))
  (import "host" "refuse" (func $refuse (param i32) (result i32)))
  (func (export "add_twice") (param i32) (result i32)
    (call $add (call $add (local.get 0) (local.get 0)) (i32.const 1)))
  (func (export "refuse_plus_one") (param i32) (result i32)
    (i32.add (call $refuse (local.get 0)) (i32.const 1)))
  (type $unary (func (param i32) (result i32)))
  (table 1 funcref)
  (elem (i32.const 0) $refuse)
  (func (export "refuse_indirectly_plus_one") (param i32) (result i32)
    (i32.add (call_indirect (type $unary) (local.get 0) (i32.const 0)) (i32.const 1))))
"#;

#[test]
fn host_functions_are_called_with_their_arguments() {
    let module = load(HOST_USER);
    let imports = ImportsBuilder::new().with_resolver("host", &HostResolver);
    let instance = ModuleInstance::new(&module, &imports)
        .unwrap()
        .assert_no_start();
    let mut host = Host { calls: 0 };
    let result = instance
        .invoke_export("add_twice", &[RuntimeValue::I32(20)], &mut host)
        .unwrap();
    assert_eq!(result, Some(RuntimeValue::I32(41)));
    assert_eq!(host.calls, 2);
}

#[test]
fn host_errors_come_back_downcastable() {
    let module = load(HOST_USER);
    let imports = ImportsBuilder::new().with_resolver("host", &HostResolver);
    let instance = ModuleInstance::new(&module, &imports)
        .unwrap()
        .assert_no_start();
    let error = instance
        .invoke_export(
            "refuse_plus_one",
            &[RuntimeValue::I32(7)],
            &mut Host { calls: 0 },
        )
        .unwrap_err();
    let refused = error
        .try_into_host_error()
        .expect("a host error")
        .downcast::<Refused>()
        .expect("a Refused host error");
    assert_eq!(refused.0, 7);
}

/// A host error suspends a resumable call, whether the host function was called directly
/// or through a table; resuming it with the host function's result finishes the call.
#[test]
fn a_host_trap_suspends_a_resumable_call() {
    let module = load(HOST_USER);
    for export in ["refuse_plus_one", "refuse_indirectly_plus_one"] {
        let (_instance, func) = exported_func(&module, "host", &HostResolver, export);
        let mut invocation =
            FuncInstance::invoke_resumable(&func, vec![RuntimeValue::I32(3)]).unwrap();
        let mut host = Host { calls: 0 };
        match invocation.start_execution(&mut host) {
            Err(ResumableError::Trap(trap)) => assert!(trap.as_host().unwrap().is::<Refused>()),
            other => panic!("{export}: expected a host trap, got {other:?}"),
        }
        assert!(invocation.is_resumable(), "{export}");
        assert_eq!(invocation.resumable_value_type(), Some(ValueType::I32));
        assert!(matches!(
            invocation.start_execution(&mut host),
            Err(ResumableError::AlreadyStarted)
        ));
        let result = invocation
            .resume_execution(Some(RuntimeValue::I32(41)), &mut host)
            .unwrap();
        assert_eq!(result, Some(RuntimeValue::I32(42)), "{export}");
        assert!(!invocation.is_resumable());
        // Finished: resuming it says it was already started, as the seed's does.
        assert!(matches!(
            invocation.resume_execution(None, &mut host),
            Err(ResumableError::AlreadyStarted)
        ));
    }
}

/// Only a host error suspends a resumable call: a trap code from the host ends it, and
/// resuming it then says it was already started (the seed's rule).
#[test]
fn a_host_trap_code_ends_a_resumable_call() {
    struct Codes;
    impl ModuleImportResolver for Codes {
        fn resolve_func(&self, _: &str, signature: &Signature) -> Result<FuncRef, Error> {
            Ok(FuncInstance::alloc_host(signature.clone(), 2))
        }
    }
    let module = load(
        r#"(module (import "host" "code" (func $code (result i32)))
            (func (export "f") (result i32) (call $code)))"#,
    );
    let (_instance, f) = exported_func(&module, "host", &Codes, "f");
    let mut invocation = FuncInstance::invoke_resumable(&f, &[][..]).unwrap();
    let mut host = Host { calls: 0 };
    match invocation.start_execution(&mut host) {
        Err(ResumableError::Trap(Trap::Code(TrapCode::Unreachable))) => {}
        other => panic!("expected the host's trap code, got {other:?}"),
    }
    assert!(!invocation.is_resumable());
    assert_eq!(invocation.resumable_value_type(), None);
    assert!(matches!(
        invocation.resume_execution(None, &mut host),
        Err(ResumableError::AlreadyStarted)
    ));
    // A value for a call that is not suspended is refused as a wrong signature.
    assert!(matches!(
        invocation.resume_execution(Some(RuntimeValue::I32(1)), &mut host),
        Err(ResumableError::Trap(Trap::Code(
            TrapCode::UnexpectedSignature
        )))
    ));
    assert_eq!(host.calls, 1);
}

/// A host function called directly hands back what the host returned, as the seed's
/// does; called from Wasm, a result of the wrong type traps.
#[test]
fn a_host_function_called_directly_returns_the_hosts_result() {
    struct Wrong;
    impl Externals for Wrong {
        fn invoke_index(
            &mut self,
            _: usize,
            _: RuntimeArgs<'_>,
        ) -> Result<Option<RuntimeValue>, Trap> {
            Ok(Some(RuntimeValue::I64(5)))
        }
    }
    let func = FuncInstance::alloc_host(Signature::new(&[][..], Some(ValueType::I32)), 0);
    assert_eq!(
        FuncInstance::invoke(&func, &[], &mut Wrong).unwrap(),
        Some(RuntimeValue::I64(5))
    );
    let mut results = [RuntimeValue::I32(0)];
    let trap = FuncInstance::invoke_into(&func, &[], &mut results, &mut Wrong).unwrap_err();
    assert_eq!(trap.code(), Some(TrapCode::UnexpectedSignature));
}

#[test]
fn missing_and_mistyped_imports_fail_to_link() {
    let module = load(HOST_USER);
    let error = ModuleInstance::new(&module, &ImportsBuilder::default()).unwrap_err();
    assert!(
        matches!(&error, Error::Instantiation(m) if m.contains("unknown import")),
        "{error}"
    );

    struct Wrong;
    impl ModuleImportResolver for Wrong {
        fn resolve_func(&self, _: &str, _: &Signature) -> Result<FuncRef, Error> {
            Ok(FuncInstance::alloc_host(Signature::new(&[][..], None), 0))
        }
    }
    let imports = ImportsBuilder::new().with_resolver("host", &Wrong);
    let error = ModuleInstance::new(&module, &imports).unwrap_err();
    assert!(
        error.to_string().contains("incompatible import type"),
        "{error}"
    );
}

const RECURSE: &str = r#"
(module
  (func $down (export "down") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1))))))))
"#;

#[test]
fn recursing_a_million_deep_is_a_stack_overflow_trap() {
    let instance = ModuleInstance::new(&load(RECURSE), &ImportsBuilder::default())
        .unwrap()
        .assert_no_start();
    let error = instance
        .invoke_export("down", &[RuntimeValue::I32(1_000_000)], &mut NopExternals)
        .unwrap_err();
    match error {
        Error::Trap(trap) => {
            assert_eq!(trap.code(), Some(TrapCode::StackOverflow));
            assert_eq!(trap.to_string(), "call stack exhausted");
        }
        other => panic!("expected a trap, got {other}"),
    }
    // The instance stays usable after the trap.
    let ok = instance
        .invoke_export("down", &[RuntimeValue::I32(1000)], &mut NopExternals)
        .unwrap();
    assert_eq!(ok, Some(RuntimeValue::I32(1000)));
}

#[test]
fn stack_limits_are_configurable() {
    let instance = ModuleInstance::new(&load(RECURSE), &ImportsBuilder::default())
        .unwrap()
        .assert_no_start();
    // Frames live on the heap: with a larger limit a million-deep recursion completes.
    let mut big = StackRecycler::with_limits(16 * 1024 * 1024, 1_100_000);
    let result = instance
        .invoke_export_with_stack(
            "down",
            &[RuntimeValue::I32(1_000_000)],
            &mut NopExternals,
            &mut big,
        )
        .unwrap();
    assert_eq!(result, Some(RuntimeValue::I32(1_000_000)));
    // And a small one stops a shallow recursion.
    let mut small = StackRecycler::with_limits(1024, 100);
    let error = instance
        .invoke_export_with_stack(
            "down",
            &[RuntimeValue::I32(200)],
            &mut NopExternals,
            &mut small,
        )
        .unwrap_err();
    assert_eq!(
        error.as_trap().and_then(Trap::code),
        Some(TrapCode::StackOverflow)
    );
}

#[test]
fn garbage_bytes_are_a_validation_error_with_a_message() {
    for bytes in [
        &b""[..],
        b"\0asm",
        b"\0asm\x01\0\0\0\x01",
        b"\x7fELF....",
        b"(module (func (result i32)))",
    ] {
        match Module::from_buffer(bytes) {
            Err(Error::Validation(message)) => assert!(!message.is_empty()),
            other => panic!("{bytes:?}: expected a validation error, got {other:?}"),
        }
    }
    let error = Module::from_buffer("(module (func (result i32) i64.const 1))").unwrap_err();
    assert!(error.to_string().contains("type mismatch"), "{error}");
}

#[test]
fn memories_globals_and_tables_are_shared_with_the_host() {
    let memory = MemoryInstance::alloc(Pages(1), Some(Pages(4))).unwrap();
    let global = GlobalInstance::alloc(RuntimeValue::I32(5), true);
    struct Env(wasmite::MemoryRef, wasmite::GlobalRef);
    impl ModuleImportResolver for Env {
        fn resolve_memory(
            &self,
            _: &str,
            _: &wasmite::MemoryDescriptor,
        ) -> Result<wasmite::MemoryRef, Error> {
            Ok(self.0.clone())
        }
        fn resolve_global(
            &self,
            _: &str,
            _: &wasmite::GlobalDescriptor,
        ) -> Result<wasmite::GlobalRef, Error> {
            Ok(self.1.clone())
        }
    }
    let env = Env(memory.clone(), global.clone());
    let module = load(
        r#"(module
            (import "env" "memory" (memory 1 4))
            (import "env" "counter" (global $c (mut i32)))
            (table (export "table") 2 funcref)
            (elem (i32.const 1) $store)
            (func $store (export "store") (param i32 i32)
              (i32.store (local.get 0) (local.get 1))
              (global.set $c (i32.add (global.get $c) (i32.const 1))))
            (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#,
    );
    let imports = ImportsBuilder::new().with_resolver("env", &env);
    let instance = ModuleInstance::new(&module, &imports)
        .unwrap()
        .assert_no_start();
    instance
        .invoke_export(
            "store",
            &[RuntimeValue::I32(8), RuntimeValue::I32(-2)],
            &mut NopExternals,
        )
        .unwrap();
    assert_eq!(memory.get_value::<i32>(8).unwrap(), -2);
    assert_eq!(global.get(), RuntimeValue::I32(6));
    let grown = instance
        .invoke_export("grow", &[RuntimeValue::I32(3)], &mut NopExternals)
        .unwrap();
    assert_eq!(grown, Some(RuntimeValue::I32(1)));
    assert_eq!(memory.current_size(), Pages(4));
    let refused = instance
        .invoke_export("grow", &[RuntimeValue::I32(1)], &mut NopExternals)
        .unwrap();
    assert_eq!(refused, Some(RuntimeValue::I32(-1)));
    let Some(ExternVal::Table(table)) = instance.export_by_name("table") else {
        panic!("table export")
    };
    assert!(table.get(0).unwrap().is_none());
    assert!(table.get(1).unwrap().is_some());
    // Out-of-bounds stores trap, they do not corrupt anything.
    let error = instance
        .invoke_export(
            "store",
            &[RuntimeValue::I32(4 * 65536 - 2), RuntimeValue::I32(1)],
            &mut NopExternals,
        )
        .unwrap_err();
    assert_eq!(
        error.as_trap().and_then(Trap::code),
        Some(TrapCode::MemoryAccessOutOfBounds)
    );
}

#[test]
fn wrong_argument_types_trap_and_floats_can_be_denied() {
    let module =
        load(r#"(module (func (export "f") (param f32) (result f32) (f32.neg (local.get 0))))"#);
    let instance = ModuleInstance::new(&module, &ImportsBuilder::default())
        .unwrap()
        .assert_no_start();
    let error = instance
        .invoke_export("f", &[RuntimeValue::I32(1)], &mut NopExternals)
        .unwrap_err();
    assert_eq!(
        error.as_trap().and_then(Trap::code),
        Some(TrapCode::UnexpectedSignature)
    );
    // NaN payloads survive a round trip through Wasm.
    let nan = RuntimeValue::F32(wasmite::nan_preserving_float::F32::from_bits(0x7fa0_0001));
    let negated = instance
        .invoke_export("f", &[nan], &mut NopExternals)
        .unwrap()
        .unwrap();
    assert_eq!(negated.to_bits(), 0xffa0_0001);
    assert!(module.deny_floating_point().is_err());
    assert!(load(RECURSE).deny_floating_point().is_ok());
}

#[test]
fn a_start_function_runs_before_the_instance_is_returned() {
    let module = load(
        r#"(module (global $g (export "g") (mut i32) (i32.const 0))
            (func $start (global.set $g (i32.const 9))) (start $start))"#,
    );
    let not_started = ModuleInstance::new(&module, &ImportsBuilder::default()).unwrap();
    assert!(not_started.has_start());
    let instance = not_started.run_start(&mut NopExternals).unwrap();
    let global = instance
        .export_by_name("g")
        .unwrap()
        .as_global()
        .unwrap()
        .clone();
    assert_eq!(global.get(), RuntimeValue::I32(9));
}

/// A host function that calls back into Wasm, which calls the host again, without end.
struct Reenter {
    instance: Option<wasmite::ModuleRef>,
    depth: usize,
}

impl Externals for Reenter {
    fn invoke_index(&mut self, _: usize, _: RuntimeArgs<'_>) -> Result<Option<RuntimeValue>, Trap> {
        self.depth += 1;
        let instance = self.instance.clone().expect("instance set");
        match instance.invoke_export("enter", &[], self) {
            Ok(_) => Ok(None),
            Err(Error::Trap(trap)) => Err(trap),
            Err(other) => panic!("unexpected error {other}"),
        }
    }
}

#[test]
fn endless_host_reentrancy_is_a_stack_overflow_trap() {
    struct Env;
    impl ModuleImportResolver for Env {
        fn resolve_func(&self, _: &str, signature: &Signature) -> Result<FuncRef, Error> {
            Ok(FuncInstance::alloc_host(signature.clone(), 0))
        }
    }
    let module =
        load(r#"(module (import "env" "back" (func $back)) (func (export "enter") (call $back)))"#);
    let imports = ImportsBuilder::new().with_resolver("env", &Env);
    let instance = ModuleInstance::new(&module, &imports)
        .unwrap()
        .assert_no_start();
    let mut host = Reenter {
        instance: Some(instance.clone()),
        depth: 0,
    };
    let error = instance.invoke_export("enter", &[], &mut host).unwrap_err();
    assert_eq!(
        error.as_trap().and_then(Trap::code),
        Some(TrapCode::StackOverflow)
    );
    assert_eq!(host.depth, wasmite::MAX_NESTED_EXECUTIONS as usize);
}

/// Host re-entrancy shares one value-stack budget: an inner execution gets what the outer
/// ones left, so nesting cannot multiply the memory a call may use.
#[test]
fn nested_executions_share_the_stack_budget() {
    struct Env;
    impl ModuleImportResolver for Env {
        fn resolve_func(&self, _: &str, signature: &Signature) -> Result<FuncRef, Error> {
            Ok(FuncInstance::alloc_host(signature.clone(), 0))
        }
    }
    struct Inner(Option<wasmite::ModuleRef>);
    impl Externals for Inner {
        fn invoke_index(
            &mut self,
            _: usize,
            _: RuntimeArgs<'_>,
        ) -> Result<Option<RuntimeValue>, Trap> {
            let instance = self.0.clone().expect("instance set");
            let mut stack = StackRecycler::with_limits(5000, 100_000);
            // 1500 frames of `down` fit in 5000 cells, not in what the outer call left.
            match instance.invoke_export_with_stack(
                "down",
                &[RuntimeValue::I32(1500)],
                &mut NopExternals,
                &mut stack,
            ) {
                Err(Error::Trap(trap)) => Err(trap),
                other => panic!("expected a trap, got {other:?}"),
            }
        }
    }
    let module = load(
        r#"(module (import "env" "host" (func $host))
            (func $down (export "down") (param i32) (result i32)
              (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
                (else (call $down (i32.sub (local.get 0) (i32.const 1))))))
            (func $deep (export "deep") (param i32)
              (if (i32.eqz (local.get 0)) (then (call $host))
                (else (call $deep (i32.sub (local.get 0) (i32.const 1)))))))"#,
    );
    let imports = ImportsBuilder::new().with_resolver("env", &Env);
    let instance = ModuleInstance::new(&module, &imports)
        .unwrap()
        .assert_no_start();
    // Alone, 1500 frames fit in 5000 cells (a parameter and an operand or two each)...
    let mut stack = StackRecycler::with_limits(5000, 100_000);
    let alone = instance.invoke_export_with_stack(
        "down",
        &[RuntimeValue::I32(1500)],
        &mut NopExternals,
        &mut stack,
    );
    assert_eq!(alone.unwrap(), Some(RuntimeValue::I32(0)));
    // ...but not under an outer execution holding 4000 frames (about as many cells).
    let mut host = Inner(Some(instance.clone()));
    let error = instance
        .invoke_export("deep", &[RuntimeValue::I32(4000)], &mut host)
        .unwrap_err();
    assert_eq!(
        error.as_trap().and_then(Trap::code),
        Some(TrapCode::StackOverflow)
    );
}

/// Found by the `decode_validate` fuzzer (LeakSanitizer): an imported table that kept the
/// instances whose functions it holds alive formed a cycle with them (an instance holds
/// its imported tables) and leaked them. Dropping the last `ModuleRef` frees the instance.
#[test]
fn an_instance_writing_into_an_imported_table_is_freed() {
    let table = wasmite::TableInstance::alloc(1, None).unwrap();
    struct Env(wasmite::TableRef);
    impl ModuleImportResolver for Env {
        fn resolve_table(
            &self,
            _: &str,
            _: &wasmite::TableDescriptor,
        ) -> Result<wasmite::TableRef, Error> {
            Ok(self.0.clone())
        }
    }
    let env = Env(table.clone());
    let module = load(
        r#"(module (import "env" "table" (table 1 funcref))
            (func $f (export "f") (result i32) (i32.const 7)) (elem (i32.const 0) $f))"#,
    );
    let (instance, f) = exported_func(&module, "env", &env, "f");
    assert_eq!(
        FuncInstance::invoke(&f, &[], &mut NopExternals).unwrap(),
        Some(RuntimeValue::I32(7))
    );
    drop(instance);
    let error = FuncInstance::invoke(&f, &[], &mut NopExternals).unwrap_err();
    assert!(
        error.as_host().unwrap().is::<wasmite::EngineError>(),
        "{error}"
    );
    assert!(table.get(0).unwrap().is_some());
}

/// An immutable global keeps its value whatever a user does with the public API: the
/// host's setter refuses it (and a value of another type for a mutable one), a module that
/// imports it cannot be written to set it (validation), and a module's own immutable
/// global exported to the host is refused the same way. (The engine's unchecked setter is
/// not reachable through `wasmite`: see the `compile_fail` examples in the crate docs.)
#[test]
fn an_immutable_global_cannot_be_set_through_any_public_path() {
    let constant = GlobalInstance::alloc(RuntimeValue::I32(7), false);
    assert!(matches!(
        constant.set(RuntimeValue::I32(8)),
        Err(Error::Global(_))
    ));
    assert_eq!(constant.get(), RuntimeValue::I32(7));

    struct Env(wasmite::GlobalRef);
    impl ModuleImportResolver for Env {
        fn resolve_global(
            &self,
            _field: &str,
            _descriptor: &wasmite::GlobalDescriptor,
        ) -> Result<wasmite::GlobalRef, Error> {
            Ok(self.0.clone())
        }
    }
    let setter = r#"(module (global $g (import "env" "g") i32)
        (func (export "set") (global.set $g (i32.const 8))))"#;
    let error = Module::from_buffer(setter).expect_err("global.set of an immutable global");
    assert!(error.to_string().contains("immutable"), "{error}");
    // Reading it through Wasm works and sees the value the host cannot change.
    let reader = load(
        r#"(module (global $g (import "env" "g") i32)
            (func (export "get") (result i32) (global.get $g)))"#,
    );
    let env = Env(constant.clone());
    let instance = ModuleInstance::new(&reader, &ImportsBuilder::new().with_resolver("env", &env))
        .expect("links")
        .assert_no_start();
    let get = |instance: &wasmite::ModuleRef| instance.invoke_export("get", &[], &mut NopExternals);
    assert_eq!(get(&instance).unwrap(), Some(RuntimeValue::I32(7)));

    let exporter = load(
        r#"(module (global (export "c") i64 (i64.const 5)) (global (export "m") (mut i64) (i64.const 1)))"#,
    );
    let instance = ModuleInstance::new(&exporter, &ImportsBuilder::default())
        .expect("instantiates")
        .assert_no_start();
    let global = |name| match instance.export_by_name(name) {
        Some(ExternVal::Global(global)) => global,
        other => panic!("{name}: {other:?}"),
    };
    assert!(global("c").set(RuntimeValue::I64(6)).is_err());
    assert_eq!(global("c").get(), RuntimeValue::I64(5));
    assert!(global("m").set(RuntimeValue::I32(6)).is_err());
    global("m")
        .set(RuntimeValue::I64(6))
        .expect("mutable, same type");
    assert_eq!(global("m").get(), RuntimeValue::I64(6));
}

/// A host trap deep in calls between the module's own functions (which the threaded
/// dispatch makes without the engine) suspends the whole call stack: resumed with the
/// host function's result, every caller finishes, and memory 0 written before the trap and
/// after the resumption is all there.
#[test]
fn a_host_trap_deep_in_calls_resumes_every_caller() {
    let module = load(
        r#"(module
          (import "host" "refuse" (func $refuse (param i32) (result i32)))
          (memory (export "memory") 1)
          (func $inner (param i32) (result i32)
            (i32.store (i32.const 0) (local.get 0))
            (i32.mul (call $refuse (local.get 0)) (i32.const 10)))
          (func $middle (param i32) (result i32)
            (i32.add (call $inner (i32.add (local.get 0) (i32.const 1))) (i32.const 3)))
          (func (export "outer") (param i32) (result i32)
            (local $r i32)
            (local.set $r (call $middle (local.get 0)))
            (i32.store (i32.const 4) (local.get $r))
            (i32.add (local.get $r) (i32.load (i32.const 0)))))"#,
    );
    let (instance, outer) = exported_func(&module, "host", &HostResolver, "outer");
    let mut invocation =
        FuncInstance::invoke_resumable(&outer, vec![RuntimeValue::I32(5)]).unwrap();
    let mut host = Host { calls: 0 };
    match invocation.start_execution(&mut host) {
        Err(ResumableError::Trap(trap)) => assert!(trap.as_host().unwrap().is::<Refused>()),
        other => panic!("expected a host trap, got {other:?}"),
    }
    assert!(invocation.is_resumable());
    // refuse(6) "returns" 7: inner = 70, middle = 73, outer = 73 + mem[0] (6).
    let result = invocation
        .resume_execution(Some(RuntimeValue::I32(7)), &mut host)
        .unwrap();
    assert_eq!(result, Some(RuntimeValue::I32(79)));
    let memory = instance.export_by_name("memory").unwrap();
    let memory = memory.as_memory().unwrap();
    assert_eq!(memory.get_value::<i32>(0).unwrap(), 6);
    assert_eq!(memory.get_value::<i32>(4).unwrap(), 73);
}

#[test]
fn fully_lazy_loading_finds_an_invalid_body_at_its_first_call_with_the_same_error() {
    use wasmite::{CompileError, Config, Translation};
    // Function 1 returns an i64 where its type says i32.
    let wat = r#"(module
      (func (export "ok") (result i32) i32.const 7)
      (func (export "bad") (result i32) i64.const 1))"#;
    let eager = Module::from_buffer(wat).expect_err("the default validates every body");
    let config = Config::new().translation(Translation::LazyValidation);
    let module = Module::from_buffer_with_config(wat, &config).expect("bodies wait");
    let instance = ModuleInstance::new(&module, &ImportsBuilder::default())
        .unwrap()
        .assert_no_start();
    assert_eq!(
        instance
            .invoke_export("ok", &[], &mut NopExternals)
            .unwrap(),
        Some(RuntimeValue::I32(7))
    );
    for _ in 0..2 {
        let (_, bad) = exported_func(&module, "x", &NopResolver, "bad");
        let trap = FuncInstance::invoke(&bad, &[], &mut NopExternals).unwrap_err();
        let Trap::Host(error) = trap else {
            panic!("expected a host error, got {trap:?}")
        };
        let Some(CompileError::Invalid(invalid)) = error.downcast_ref::<CompileError>() else {
            panic!("expected a validation error, got {error}")
        };
        assert!(
            eager.to_string().contains(&invalid.to_string()),
            "{eager} / {invalid}"
        );
    }
    // Module-level rules are still checked at load.
    let unknown_export = r#"(module (export "f" (func 3)))"#;
    assert!(Module::from_buffer_with_config(unknown_export, &config).is_err());
}

struct NopResolver;
impl ModuleImportResolver for NopResolver {}
