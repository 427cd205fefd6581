//! Resource limits: a limiter approves or refuses every growth of the memories and tables
//! of the instances created with it, and caps how many instances, tables and memories
//! they create.

use std::cell::RefCell;
use std::rc::Rc;

use wasmite::{
    ExternVal, GrowthRefused, ImportsBuilder, Limiter, MemoryRef, Module, ModuleInstance,
    ModuleRef, NopExternals, ResourceLimiter, RuntimeValue, StoreLimits, Trap, memory_units::Pages,
};

const GROWER: &str = r#"(module
  (memory (export "mem") 1)
  (table (export "tab") 1 funcref)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "grow_table") (param i32) (result i32) (table.grow (ref.null func) (local.get 0))))"#;

fn module(text: &str) -> Module {
    Module::from_buffer(wat::parse_str(text).unwrap()).unwrap()
}

fn instantiate(module: &Module, limiter: &Limiter) -> Result<ModuleRef, wasmite::Error> {
    ModuleInstance::new_with_limiter(module, &ImportsBuilder::default(), Some(limiter))
        .map(|i| i.assert_no_start())
}

fn call(instance: &ModuleRef, name: &str, n: i32) -> Result<i32, Trap> {
    match instance.invoke_export(name, &[RuntimeValue::I32(n)], &mut NopExternals) {
        Ok(Some(RuntimeValue::I32(v))) => Ok(v),
        Ok(other) => panic!("{name} returned {other:?}"),
        Err(wasmite::Error::Trap(trap)) => Err(trap),
        Err(e) => panic!("{name}: {e}"),
    }
}

#[test]
fn a_refused_memory_grow_returns_minus_one() {
    let limiter = Limiter::new(StoreLimits::new().memory_size(3 << 16));
    let instance = instantiate(&module(GROWER), &limiter).unwrap();
    assert_eq!(
        call(&instance, "grow", 2).unwrap(),
        1,
        "3 pages are allowed"
    );
    assert_eq!(
        call(&instance, "grow", 1).unwrap(),
        -1,
        "a fourth is refused"
    );
    assert_eq!(call(&instance, "grow", 0).unwrap(), 3);
    // The host's own growth asks the limiter too.
    let Some(ExternVal::Memory(memory)) = instance.export_by_name("mem") else {
        panic!()
    };
    assert!(memory.grow(Pages(1)).is_err());
    assert_eq!(memory.current_size(), Pages(3));
}

#[test]
fn a_refused_table_grow_returns_minus_one() {
    let limiter = Limiter::new(StoreLimits::new().table_elements(5));
    let instance = instantiate(&module(GROWER), &limiter).unwrap();
    assert_eq!(call(&instance, "grow_table", 4).unwrap(), 1);
    assert_eq!(call(&instance, "grow_table", 1).unwrap(), -1);
}

#[test]
fn a_limiter_can_make_refusal_trap() {
    let limiter = Limiter::new(
        StoreLimits::new()
            .memory_size(1 << 16)
            .trap_on_refusal(true),
    );
    let instance = instantiate(&module(GROWER), &limiter).unwrap();
    let trap = call(&instance, "grow", 1).unwrap_err();
    assert!(
        trap.as_host()
            .and_then(|e| e.downcast_ref::<GrowthRefused>())
            .is_some(),
        "{trap:?}"
    );
    assert_eq!(trap.to_string(), "growth refused by the resource limits");
    assert!(
        call(&instance, "grow_table", 1).is_ok(),
        "tables are not capped here"
    );
}

#[test]
fn counts_and_initial_sizes_are_capped() {
    let grower = module(GROWER);
    let limiter = Limiter::new(StoreLimits::new().instances(2));
    instantiate(&grower, &limiter).unwrap();
    instantiate(&grower, &limiter).unwrap();
    let error = instantiate(&grower, &limiter).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("the resource limiter allows 2 instances"),
        "{error}"
    );
    assert_eq!(limiter.instances_created(), 2);

    let limiter = Limiter::new(StoreLimits::new().memories(0));
    let error = instantiate(&grower, &limiter).unwrap_err();
    assert!(error.to_string().contains("allows 0 memories"), "{error}");

    let big = module(r#"(module (memory 10))"#);
    let limiter = Limiter::new(StoreLimits::new().memory_size(5 << 16));
    let error = instantiate(&big, &limiter).unwrap_err();
    assert!(
        error.to_string().contains("refused a memory of 10 pages"),
        "{error}"
    );
    let table = module(r#"(module (table 100 funcref))"#);
    let limiter = Limiter::new(StoreLimits::new().table_elements(10));
    let error = instantiate(&table, &limiter).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("refused a table of 100 elements"),
        "{error}"
    );
}

/// One question to a memory limiter: current, desired and maximum bytes.
type Asked = (usize, usize, Option<usize>);

/// A limiter of the embedder's own, which records what it is asked.
struct Recorder(Rc<RefCell<Vec<Asked>>>);

impl ResourceLimiter for Recorder {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> Result<bool, Trap> {
        self.0.borrow_mut().push((current, desired, maximum));
        Ok(desired <= 2 << 16)
    }

    fn table_growing(&mut self, _: u32, _: u32, _: Option<u32>) -> Result<bool, Trap> {
        Ok(true)
    }
}

#[test]
fn an_embedders_limiter_sees_every_growth_even_through_an_import() {
    let asked = Rc::new(RefCell::new(Vec::new()));
    let limiter = Limiter::new(Recorder(asked.clone()));
    let owner = instantiate(&module(r#"(module (memory (export "mem") 1 8))"#), &limiter).unwrap();
    let Some(ExternVal::Memory(memory)) = owner.export_by_name("mem") else {
        panic!()
    };
    // Another instance, created without a limiter, imports the memory and grows it:
    // the memory keeps the limiter of the instance that defined it.
    let user = module(
        r#"(module (import "m" "mem" (memory 1))
             (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#,
    );
    let resolver = Resolver(memory.clone());
    let imports = ImportsBuilder::new().with_resolver("m", &resolver);
    let user = ModuleInstance::new(&user, &imports)
        .unwrap()
        .assert_no_start();
    assert_eq!(call(&user, "grow", 1).unwrap(), 1);
    assert_eq!(call(&user, "grow", 1).unwrap(), -1);
    let page = 1 << 16;
    assert_eq!(
        *asked.borrow(),
        [
            (0, page, Some(8 * page)),
            (page, 2 * page, Some(8 * page)),
            (2 * page, 3 * page, Some(8 * page))
        ]
    );
}

struct Resolver(MemoryRef);

impl wasmite::ModuleImportResolver for Resolver {
    fn resolve_memory(
        &self,
        _: &str,
        _: &wasmite::MemoryDescriptor,
    ) -> Result<MemoryRef, wasmite::Error> {
        Ok(self.0.clone())
    }
}
