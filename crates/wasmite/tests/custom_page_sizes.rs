//! Memories of one-byte pages (custom-page-sizes): `memory.size` and `memory.grow` count
//! bytes, the host can provide such a memory for an import, and an import matches only a
//! memory of the same page size.

use wasmite::{
    Config, Error, Features, ImportsBuilder, MemoryDescriptor, MemoryInstance, MemoryRef,
    MemoryType, Module, ModuleImportResolver, ModuleInstance, ModuleRef, NopExternals,
    RuntimeValue, memory_units::Pages,
};

const BYTES: &str = r#"(module
  (import "host" "memory" (memory 3 10 (pagesize 1)))
  (func (export "size") (result i32) (memory.size))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0))))"#;

fn module(text: &str) -> Module {
    let config = Config::new().features(Features {
        custom_page_sizes: true,
        ..Features::wasm2()
    });
    Module::from_buffer_with_config(wat::parse_str(text).unwrap(), &config).unwrap()
}

/// Provides one memory for every memory import.
struct Host(MemoryRef);

impl ModuleImportResolver for Host {
    fn resolve_memory(&self, _: &str, _: &MemoryDescriptor) -> Result<MemoryRef, Error> {
        Ok(self.0.clone())
    }
}

fn instantiate(module: &Module, memory: &MemoryRef) -> Result<ModuleRef, Error> {
    let host = Host(memory.clone());
    let imports = ImportsBuilder::new().with_resolver("host", &host);
    Ok(ModuleInstance::new(module, &imports)?.assert_no_start())
}

fn one_byte_pages(min: u64, max: Option<u64>) -> MemoryRef {
    MemoryInstance::alloc_with_type(&MemoryType {
        limits: wasmite::Limits { min, max },
        memory64: false,
        shared: false,
        page_size_log2: Some(0),
    })
    .unwrap()
}

fn call(instance: &ModuleRef, name: &str, args: &[RuntimeValue]) -> Option<RuntimeValue> {
    instance
        .invoke_export(name, args, &mut NopExternals)
        .unwrap()
}

#[test]
fn size_and_growth_count_bytes() {
    use RuntimeValue::I32;
    let memory = one_byte_pages(3, Some(10));
    memory.set(2, &[42]).unwrap();
    let instance = instantiate(&module(BYTES), &memory).unwrap();
    assert_eq!(call(&instance, "size", &[]), Some(I32(3)));
    assert_eq!(call(&instance, "load", &[I32(2)]), Some(I32(42)));
    assert!(
        instance
            .invoke_export("load", &[I32(3)], &mut NopExternals)
            .is_err()
    );
    assert_eq!(call(&instance, "grow", &[I32(7)]), Some(I32(3)));
    assert_eq!(call(&instance, "grow", &[I32(1)]), Some(I32(-1)));
    assert_eq!(call(&instance, "size", &[]), Some(I32(10)));
    assert_eq!(call(&instance, "load", &[I32(9)]), Some(I32(0)));
    // The host sees the same memory in its own pages and in 64 KiB pages.
    assert_eq!((memory.size(), memory.page_size()), (10, 1));
    assert_eq!(memory.current_size(), Pages(0));
    assert_eq!(memory.direct_access().len(), 10);
}

#[test]
fn an_import_matches_only_a_memory_of_its_page_size() {
    let default_pages = MemoryInstance::alloc(Pages(1), Some(Pages(1))).unwrap();
    let error = instantiate(&module(BYTES), &default_pages).unwrap_err();
    assert!(error.to_string().contains("incompatible"), "{error}");
    // A declared page size of 64 KiB is the default one.
    let large = module(r#"(module (import "host" "memory" (memory 1 (pagesize 65536))))"#);
    instantiate(&large, &default_pages).unwrap();
    let error = instantiate(&large, &one_byte_pages(65536, None)).unwrap_err();
    assert!(error.to_string().contains("incompatible"), "{error}");
}

#[test]
fn a_memory_of_one_byte_pages_grows_to_4_gib_less_one_byte() {
    let memory = one_byte_pages(0, None);
    assert_eq!(memory.grow_pages(u64::from(u32::MAX)).unwrap(), 0);
    assert!(memory.grow_pages(1).is_err());
    assert_eq!(memory.size(), u64::from(u32::MAX));
    // In 64 KiB pages it is one page short of 4 GiB, rounded down; growing by a 64 KiB
    // page is growing by 65536 of its own.
    assert_eq!(memory.current_size(), Pages(65535));
    let small = one_byte_pages(1, None);
    assert_eq!(small.grow(Pages(1)).unwrap(), Pages(0));
    assert_eq!(small.size(), 65537);
}

#[test]
fn custom_page_sizes_are_refused_unless_the_feature_is_on() {
    let text = "(module (memory 1 (pagesize 1)))";
    let error = Module::from_buffer(wat::parse_str(text).unwrap()).unwrap_err();
    assert!(error.to_string().contains("custom-page-sizes"), "{error}");
}
