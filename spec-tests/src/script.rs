//! Running one script: each directive against its expected outcome, with the script's
//! state (modules by name, registrations, the `spectest` module).
//!
//! Outcome kinds map one to one, as in the reference interpreter's `script/run.ml`:
//! `assert_malformed`/`assert_invalid` ↔ `Module::from_buffer` fails (or, for a text module,
//! the text does not encode), `assert_unlinkable` ↔ instantiation fails with an error that is
//! not a trap, `assert_trap` ↔ a trap (during the call, or while instantiating or running the
//! start function for a module), `assert_exhaustion` ↔ a trap during the call.

use std::collections::HashMap;
use std::rc::Rc;

use wasmite::{
    Error, ExternVal, Features, FuncInstance, ImportsBuilder, Module, ModuleInstance, ModuleRef,
    Trap, TrapCode, Value, WasmException,
};
use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::token::Id;
use wast::{QuoteWat, Wast, WastDirective, WastExecute, WastInvoke, WastRet, Wat};

use crate::catch::catching;
use crate::lines::LineIndex;
use crate::report::{Failure, FileReport, Mismatch, MismatchKind};
use crate::skips::{self, Skip};
use crate::spectest::{Spectest, SpectestHost};
use crate::suites::features_for_suite;
use crate::values::{self, Unsupported};

/// Runs the script `text`, reported under `name` (`suite/file.wast`; it is also the key for
/// the skip list).
///
/// The script is parsed once; every directive runs under `catching`, so a panic in the
/// engine fails that directive only.
pub fn run_wast(name: &str, text: &str) -> FileReport {
    run_with_skips(name, text, &skips::for_file(name))
}

/// [`run_wast`] with the skip entries for this script given.
fn run_with_skips(name: &str, text: &str, skips: &[&Skip]) -> FileReport {
    let suite = name.split('/').next().unwrap_or_default();
    let mut report = FileReport::new(name);
    let lines = LineIndex::new(text);
    let location = |offset: usize| {
        let (line, col) = lines.line_col(offset);
        (line, format!("{name}:{line}:{col}"))
    };

    let mut lexer = Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    let parse_failure = |mut report: FileReport, error: wast::Error| {
        report.fail(Failure {
            location: location(error.span().offset()).1,
            directive: "script".to_string(),
            message: format!("does not parse: {}", error.message()),
            cause: "script does not parse".to_string(),
        });
        report
    };
    let buffer = match ParseBuffer::new_with_lexer(lexer) {
        Ok(buffer) => buffer,
        Err(error) => return parse_failure(report, error),
    };
    let wast = match parser::parse::<Wast<'_>>(&buffer) {
        Ok(wast) => wast,
        Err(error) => return parse_failure(report, error),
    };

    let whole_file_skip = skips.iter().find(|skip| skip.lines.is_empty());
    let mut whole_file_skip_needed = false;
    let mut skip_lines_seen: Vec<usize> = Vec::new();
    let mut state = State::new(features_for_suite(suite));

    for directive in wast.directives {
        let (line, location) = location(directive.span().offset());
        let label = describe(&directive);
        let kind = kind(&directive);
        let outcome = catching(|| state.run(directive)).unwrap_or_else(|panic| {
            Err(Fail {
                cause: format!("panic: {}", short(&panic)),
                message: format!("panicked: {panic}"),
            })
        });

        let listed = skips.iter().find(|skip| skip.lines.contains(&line));
        if let Some(skip) = listed {
            skip_lines_seen.push(line);
            match outcome {
                Err(_) => report.skipped += 1,
                Ok(_) => report.fail(Failure {
                    location,
                    directive: label,
                    message: format!(
                        "unexpected pass, remove from skip list (listed because: {})",
                        skip.reason
                    ),
                    cause: "unexpected pass of a listed skip".to_string(),
                }),
            }
            continue;
        }
        match outcome {
            Err(_) if whole_file_skip.is_some() => {
                whole_file_skip_needed = true;
                report.skipped += 1;
            }
            Err(fail) => report.fail(Failure {
                location,
                directive: label,
                message: fail.message,
                cause: format!("{kind}: {}", fail.cause),
            }),
            Ok(check) => {
                report.passed += 1;
                if let Some(check) = check
                    && !check.actual.contains(check.expected.as_str())
                {
                    report.mismatches.push(Mismatch {
                        location,
                        directive: label,
                        kind: check.kind,
                        expected: check.expected,
                        actual: check.actual,
                    });
                }
            }
        }
    }

    if let Some(skip) = whole_file_skip
        && !whole_file_skip_needed
    {
        report.fail(Failure {
            location: name.to_string(),
            directive: "script".to_string(),
            message: format!(
                "unexpected pass, remove the file from the skip list (listed because: {})",
                skip.reason
            ),
            cause: "unexpected pass of a listed skip".to_string(),
        });
    }
    for skip in skips {
        for line in skip
            .lines
            .iter()
            .filter(|line| !skip_lines_seen.contains(line))
        {
            report.fail(Failure {
                location: format!("{name}:{line}"),
                directive: "skip entry".to_string(),
                message: "no directive starts on this line: fix or remove the skip entry"
                    .to_string(),
                cause: "stale skip entry".to_string(),
            });
        }
    }
    report
}

/// Why a directive failed.
struct Fail {
    /// Usually `expected X, got Y`.
    message: String,
    /// A short class shared by similar failures.
    cause: String,
}

impl Fail {
    fn new(expected: impl AsRef<str>, got: impl AsRef<str>, cause: impl Into<String>) -> Self {
        Fail {
            message: format!("expected {}, got {}", expected.as_ref(), got.as_ref()),
            cause: cause.into(),
        }
    }

    fn unsupported(feature: &str) -> Self {
        Fail {
            message: format!("unsupported by the engine or the runner: {feature}"),
            cause: format!("unsupported {feature}"),
        }
    }
}

impl From<Unsupported> for Fail {
    fn from(unsupported: Unsupported) -> Self {
        Fail::unsupported(unsupported.0)
    }
}

/// An error message to compare with the spec's expected text.
struct MessageCheck {
    kind: MismatchKind,
    expected: String,
    actual: String,
}

/// A passing directive may carry a message to check.
type Outcome = Result<Option<MessageCheck>, Fail>;

/// What an execution (`invoke`, `get`, or instantiating a module) produced.
enum Exec {
    Values(Vec<Value>),
    Trap(String),
    /// An exception that nothing caught (exception handling), as the host sees it.
    Exception(String),
}

/// Why instantiation failed.
enum InstantiateError {
    /// Linking: an import is missing or has the wrong type.
    Link(String),
    /// A trap while initialising segments or running the start function.
    Trap(String),
}

impl InstantiateError {
    fn into_fail(self) -> Fail {
        match self {
            InstantiateError::Link(e) => Fail::new(
                "successful instantiation",
                format!("link error \"{e}\""),
                format!("link error: {}", short(&e)),
            ),
            InstantiateError::Trap(t) => Fail::new(
                "successful instantiation",
                format!("trap \"{t}\""),
                format!("trap: {}", short(&t)),
            ),
        }
    }
}

/// Why a module text could not be turned into bytes.
enum EncodeError {
    /// Something the runner does not handle (components).
    Unsupported(&'static str),
    /// The text is malformed (or fails `wast`'s name resolution).
    Text(String),
}

fn encode(module: &mut QuoteWat<'_>) -> Result<Vec<u8>, EncodeError> {
    match module {
        QuoteWat::Wat(Wat::Component(_)) | QuoteWat::QuoteComponent(..) => {
            Err(EncodeError::Unsupported("component model"))
        }
        _ => module.encode().map_err(|e| EncodeError::Text(e.message())),
    }
}

fn encode_wat(module: &mut Wat<'_>) -> Result<Vec<u8>, Fail> {
    match module {
        Wat::Component(_) => Err(Fail::unsupported("component model")),
        Wat::Module(_) => module.encode().map_err(|e| {
            Fail::new(
                "a module",
                format!("text that does not encode: {}", e.message()),
                "text does not encode",
            )
        }),
    }
}

/// Decodes and validates a module that should be valid.
fn load(bytes: &[u8], features: &Features) -> Result<Module, Fail> {
    Module::from_buffer_with_features(bytes, features).map_err(|e| {
        let e = e.to_string();
        Fail::new(
            "a valid module",
            format!("error \"{e}\""),
            format!("module rejected: {}", short(&e)),
        )
    })
}

/// A script's state.
struct State {
    /// The proposals modules may use.
    features: Features,
    spectest: Spectest,
    host: SpectestHost,
    /// Instances registered under a module name for later imports.
    registered: HashMap<String, ModuleRef>,
    /// Instances by `$id`.
    instances: HashMap<String, ModuleRef>,
    /// The most recent instance, used by directives that name none.
    current: Option<ModuleRef>,
    /// Every instance the script created, as the spec's store holds them.
    store: Vec<ModuleRef>,
    /// `module definition`s, in order, and their `$id`s.
    definitions: Vec<Rc<Module>>,
    definition_names: HashMap<String, usize>,
}

impl State {
    fn new(features: Features) -> Self {
        State {
            features,
            spectest: Spectest::new(),
            host: SpectestHost,
            registered: HashMap::new(),
            instances: HashMap::new(),
            current: None,
            store: Vec::new(),
            definitions: Vec::new(),
            definition_names: HashMap::new(),
        }
    }

    fn run(&mut self, directive: WastDirective<'_>) -> Outcome {
        match directive {
            WastDirective::Module(module) => self.module(module).map(|()| None),
            WastDirective::ModuleDefinition(mut module) => {
                let name = module.name().map(|id| id.name());
                let bytes = encode(&mut module).map_err(Self::encode_fail)?;
                let compiled = load(&bytes, &self.features)?;
                self.definitions.push(Rc::new(compiled));
                if let Some(name) = name {
                    self.definition_names
                        .insert(name.to_string(), self.definitions.len() - 1);
                }
                Ok(None)
            }
            WastDirective::ModuleInstance {
                instance, module, ..
            } => self.module_instance(instance, module).map(|()| None),
            WastDirective::AssertMalformed {
                module, message, ..
            } => self.assert_rejected(module, message, false),
            WastDirective::AssertInvalid {
                module, message, ..
            } => self.assert_rejected(module, message, true),
            WastDirective::AssertMalformedCustom { module, .. }
            | WastDirective::AssertInvalidCustom { module, .. } => {
                self.assert_custom_ignored(module).map(|()| None)
            }
            WastDirective::Register { name, module, .. } => {
                let instance = self.instance(module)?;
                self.registered.insert(name.to_string(), instance);
                Ok(None)
            }
            WastDirective::Invoke(call) => match self.invoke(&call)? {
                Exec::Values(_) => Ok(None),
                Exec::Trap(t) | Exec::Exception(t) => Err(Fail::new(
                    "success",
                    format!("trap \"{t}\""),
                    format!("trap: {}", short(&t)),
                )),
            },
            WastDirective::AssertReturn { exec, results, .. } => {
                self.assert_return(exec, &results).map(|()| None)
            }
            WastDirective::AssertTrap { exec, message, .. } => {
                let kind = match exec {
                    WastExecute::Wat(_) => MismatchKind::Uninstantiable,
                    WastExecute::Invoke(_) | WastExecute::Get { .. } => MismatchKind::Trap,
                };
                match self.execute(exec)? {
                    Exec::Trap(actual) => Ok(Some(MessageCheck {
                        kind,
                        expected: message.to_string(),
                        actual,
                    })),
                    Exec::Values(values) => Err(Fail::new(
                        format!("trap \"{message}\""),
                        format!("success {}", values::show_values(&values)),
                        "no trap",
                    )),
                    Exec::Exception(thrown) => Err(Fail::new(
                        format!("trap \"{message}\""),
                        format!("\"{thrown}\""),
                        "an exception, not a trap",
                    )),
                }
            }
            WastDirective::AssertExhaustion { call, message, .. } => match self.invoke(&call)? {
                Exec::Trap(actual) => Ok(Some(MessageCheck {
                    kind: MismatchKind::Trap,
                    expected: message.to_string(),
                    actual,
                })),
                Exec::Values(values) => Err(Fail::new(
                    format!("exhaustion \"{message}\""),
                    format!("success {}", values::show_values(&values)),
                    "no exhaustion",
                )),
                Exec::Exception(thrown) => Err(Fail::new(
                    format!("exhaustion \"{message}\""),
                    format!("\"{thrown}\""),
                    "an exception, not exhaustion",
                )),
            },
            WastDirective::AssertUnlinkable {
                module, message, ..
            } => self.assert_unlinkable(module, message).map(|()| None),
            WastDirective::AssertException { exec, .. } => match self.execute(exec)? {
                Exec::Exception(_) => Ok(None),
                Exec::Values(values) => Err(Fail::new(
                    "an exception",
                    format!("success {}", values::show_values(&values)),
                    "no exception",
                )),
                Exec::Trap(t) => Err(Fail::new(
                    "an exception",
                    format!("trap \"{t}\""),
                    format!("trap: {}", short(&t)),
                )),
            },
            WastDirective::AssertSuspension { .. } => Err(Fail::unsupported("stack switching")),
            WastDirective::Thread(_) | WastDirective::Wait { .. } => {
                Err(Fail::unsupported("threads"))
            }
        }
    }

    fn encode_fail(error: EncodeError) -> Fail {
        match error {
            EncodeError::Unsupported(feature) => Fail::unsupported(feature),
            EncodeError::Text(e) => Fail::new(
                "a module",
                format!("text that does not encode: {e}"),
                "text does not encode",
            ),
        }
    }

    /// Instantiates `module` against `spectest` and the registered instances, then runs its
    /// start function.
    fn instantiate(&mut self, module: &Module) -> Result<ModuleRef, InstantiateError> {
        let not_started = {
            let mut imports = ImportsBuilder::new().with_resolver("spectest", &self.spectest);
            for (name, instance) in &self.registered {
                imports = imports.with_resolver(name.as_str(), instance);
            }
            ModuleInstance::new(module, &imports)
        };
        match not_started {
            // The spec's store owns every instance for the whole script, including one
            // whose start function traps: what it wrote into imported tables stays
            // callable, which the suite checks. Wasmite has no store (a function refers to
            // its instance weakly, see ARCHITECTURE.md), so the script keeps them all.
            Ok(not_started) => {
                self.store.push(not_started.not_started_instance().clone());
                not_started
                    .run_start(&mut self.host)
                    .map_err(|trap| InstantiateError::Trap(trap.to_string()))
            }
            Err(Error::Trap(trap)) => Err(InstantiateError::Trap(segment_trap_message(&trap))),
            Err(e) => Err(InstantiateError::Link(e.to_string())),
        }
    }

    /// The instance named `id`, or the current one.
    fn instance(&self, id: Option<Id<'_>>) -> Result<ModuleRef, Fail> {
        let found = match id {
            Some(id) => self.instances.get(id.name()),
            None => self.current.as_ref(),
        };
        found.cloned().ok_or_else(|| {
            let which = id.map_or("current module".to_string(), |id| {
                format!("module ${}", id.name())
            });
            Fail {
                message: format!("no {which}: none was defined, or its module directive failed"),
                cause: "no module (an earlier module directive failed)".to_string(),
            }
        })
    }

    fn module(&mut self, mut module: QuoteWat<'_>) -> Result<(), Fail> {
        let name = module.name().map(|id| id.name());
        // Until this module is ready, later directives must not silently use an older one.
        self.current = None;
        if let Some(name) = name {
            self.instances.remove(name);
        }
        let bytes = encode(&mut module).map_err(Self::encode_fail)?;
        let compiled = load(&bytes, &self.features)?;
        let instance = self
            .instantiate(&compiled)
            .map_err(InstantiateError::into_fail)?;
        if let Some(name) = name {
            self.instances.insert(name.to_string(), instance.clone());
        }
        self.current = Some(instance);
        Ok(())
    }

    fn module_instance(
        &mut self,
        instance: Option<Id<'_>>,
        module: Option<Id<'_>>,
    ) -> Result<(), Fail> {
        self.current = None;
        let index = match module {
            Some(id) => self.definition_names.get(id.name()).copied(),
            None => self.definitions.len().checked_sub(1),
        };
        let definition = index
            .map(|i| Rc::clone(&self.definitions[i]))
            .ok_or_else(|| Fail {
                message: "no such module definition".to_string(),
                cause: "no module definition (an earlier directive failed)".to_string(),
            })?;
        let created = self
            .instantiate(&definition)
            .map_err(InstantiateError::into_fail)?;
        if let Some(id) = instance {
            self.instances
                .insert(id.name().to_string(), created.clone());
        }
        self.current = Some(created);
        Ok(())
    }

    fn assert_rejected(
        &mut self,
        mut module: QuoteWat<'_>,
        message: &str,
        invalid: bool,
    ) -> Outcome {
        let bytes = match encode(&mut module) {
            Ok(bytes) => bytes,
            Err(EncodeError::Unsupported(feature)) => return Err(Fail::unsupported(feature)),
            // The text itself is malformed (or names something that does not exist): the
            // module is rejected before it reaches the engine.
            Err(EncodeError::Text(_)) => return Ok(None),
        };
        match Module::from_buffer_with_features(&bytes, &self.features) {
            Err(e) => Ok(invalid.then(|| MessageCheck {
                kind: MismatchKind::Invalid,
                expected: message.to_string(),
                actual: e.to_string(),
            })),
            Ok(_) => {
                let what = if invalid { "invalid" } else { "malformed" };
                Err(Fail::new(
                    format!("{what} module \"{message}\""),
                    "a valid module",
                    format!("{what} module accepted"),
                ))
            }
        }
    }

    /// `assert_malformed_custom` / `assert_invalid_custom`: errors in custom sections
    /// (annotations) must not make a module fail to load, so the module must load.
    fn assert_custom_ignored(&self, mut module: QuoteWat<'_>) -> Result<(), Fail> {
        match encode(&mut module) {
            Ok(bytes) => load(&bytes, &self.features).map(drop),
            Err(EncodeError::Unsupported(feature)) => Err(Fail::unsupported(feature)),
            Err(EncodeError::Text(_)) => Ok(()),
        }
    }

    fn assert_unlinkable(&mut self, mut module: Wat<'_>, message: &str) -> Result<(), Fail> {
        let bytes = encode_wat(&mut module)?;
        let compiled = load(&bytes, &self.features)?;
        match self.instantiate(&compiled) {
            Err(InstantiateError::Link(_)) => Ok(()),
            Err(InstantiateError::Trap(t)) => Err(Fail::new(
                format!("link error \"{message}\""),
                format!("trap \"{t}\""),
                "trap instead of link error",
            )),
            Ok(_) => Err(Fail::new(
                format!("link error \"{message}\""),
                "successful instantiation",
                "module linked",
            )),
        }
    }

    fn assert_return(
        &mut self,
        exec: WastExecute<'_>,
        expected: &[WastRet<'_>],
    ) -> Result<(), Fail> {
        let values = match self.execute(exec)? {
            Exec::Values(values) => values,
            Exec::Trap(t) | Exec::Exception(t) => {
                return Err(Fail::new(
                    values::show_expected(expected),
                    format!("trap \"{t}\""),
                    format!("trap: {}", short(&t)),
                ));
            }
        };
        let mut all_match = values.len() == expected.len();
        for (expected, actual) in expected.iter().zip(&values) {
            all_match &= values::matches(expected, actual)?;
        }
        if all_match {
            Ok(())
        } else {
            let cause = if values.len() == expected.len() {
                "wrong result"
            } else {
                "wrong number of results"
            };
            Err(Fail::new(
                values::show_expected(expected),
                values::show_values(&values),
                cause,
            ))
        }
    }

    fn execute(&mut self, exec: WastExecute<'_>) -> Result<Exec, Fail> {
        match exec {
            WastExecute::Invoke(call) => self.invoke(&call),
            WastExecute::Get { module, global, .. } => {
                let instance = self.instance(module)?;
                match instance.export_by_name(global) {
                    Some(ExternVal::Global(global)) => Ok(Exec::Values(vec![global.get_value()])),
                    Some(_) => Err(Fail::new(
                        format!("global export \"{global}\""),
                        "an export of another kind",
                        "export of another kind",
                    )),
                    None => Err(Fail::new(
                        format!("global export \"{global}\""),
                        "none",
                        "no such export",
                    )),
                }
            }
            WastExecute::Wat(mut module) => {
                let bytes = encode_wat(&mut module)?;
                let compiled = load(&bytes, &self.features)?;
                // A module that traps while instantiating is partially initialised (Wasm
                // 2.0): its segment writes to imported memories and tables stay, but the
                // instance is never made current nor registered.
                match self.instantiate(&compiled) {
                    Ok(_) => Ok(Exec::Values(Vec::new())),
                    Err(InstantiateError::Trap(t)) => Ok(Exec::Trap(t)),
                    Err(link @ InstantiateError::Link(_)) => Err(link.into_fail()),
                }
            }
        }
    }

    fn invoke(&mut self, call: &WastInvoke<'_>) -> Result<Exec, Fail> {
        let instance = self.instance(call.module)?;
        let func = match instance.export_by_name(call.name) {
            Some(ExternVal::Func(func)) => func,
            Some(_) => {
                return Err(Fail::new(
                    format!("function export \"{}\"", call.name),
                    "an export of another kind",
                    "export of another kind",
                ));
            }
            None => {
                return Err(Fail::new(
                    format!("function export \"{}\"", call.name),
                    "none",
                    "no such export",
                ));
            }
        };
        let args = call
            .args
            .iter()
            .map(values::argument)
            .collect::<Result<Vec<_>, _>>()?;
        let mut results: Vec<Value> = func
            .signature()
            .result_types()
            .iter()
            .map(|&ty| Value::default_of(ty))
            .collect();
        match FuncInstance::invoke_values(&func, &args, &mut results, &mut self.host) {
            Ok(()) => Ok(Exec::Values(results)),
            Err(trap) if trap.as_host().is_some_and(|e| e.is::<WasmException>()) => {
                Ok(Exec::Exception(trap.to_string()))
            }
            Err(trap) => Ok(Exec::Trap(trap.to_string())),
        }
    }
}

/// The spec's wording of a trap that initialising an instance's segments gave.
///
/// Wasmite's trap codes are the seed API's nine, whose `TableAccessOutOfBounds` has the
/// message of `call_indirect` past the table ("undefined element"); an element segment
/// that does not fit carries the same code, and the spec calls that trap "out of bounds
/// table access".
fn segment_trap_message(trap: &Trap) -> String {
    match trap {
        Trap::Code(TrapCode::TableAccessOutOfBounds) => "out of bounds table access".to_string(),
        other => other.to_string(),
    }
}

/// The directive's keyword, for failure causes.
fn kind(directive: &WastDirective<'_>) -> &'static str {
    match directive {
        WastDirective::Module(_) => "module",
        WastDirective::ModuleDefinition(_) => "module definition",
        WastDirective::ModuleInstance { .. } => "module instance",
        WastDirective::AssertMalformed { .. } => "assert_malformed",
        WastDirective::AssertInvalid { .. } => "assert_invalid",
        WastDirective::AssertMalformedCustom { .. } => "assert_malformed_custom",
        WastDirective::AssertInvalidCustom { .. } => "assert_invalid_custom",
        WastDirective::Register { .. } => "register",
        WastDirective::Invoke(_) => "invoke",
        WastDirective::AssertTrap { .. } => "assert_trap",
        WastDirective::AssertReturn { .. } => "assert_return",
        WastDirective::AssertExhaustion { .. } => "assert_exhaustion",
        WastDirective::AssertUnlinkable { .. } => "assert_unlinkable",
        WastDirective::AssertException { .. } => "assert_exception",
        WastDirective::AssertSuspension { .. } => "assert_suspension",
        WastDirective::Thread(_) => "thread",
        WastDirective::Wait { .. } => "wait",
    }
}

/// The directive as printed in failures, e.g. `assert_return (invoke $M "f")`.
fn describe(directive: &WastDirective<'_>) -> String {
    let keyword = kind(directive);
    match directive {
        WastDirective::Module(module) | WastDirective::ModuleDefinition(module) => {
            match module.name() {
                Some(id) => format!("{keyword} ${}", id.name()),
                None => keyword.to_string(),
            }
        }
        WastDirective::Register { name, .. } => format!("{keyword} \"{name}\""),
        WastDirective::Invoke(call) => describe_call(call),
        WastDirective::AssertExhaustion { call, .. } => {
            format!("{keyword} ({})", describe_call(call))
        }
        WastDirective::AssertReturn { exec, .. } | WastDirective::AssertTrap { exec, .. } => {
            let exec = match exec {
                WastExecute::Invoke(call) => describe_call(call),
                WastExecute::Get { module, global, .. } => match module {
                    Some(id) => format!("get ${} \"{global}\"", id.name()),
                    None => format!("get \"{global}\""),
                },
                WastExecute::Wat(_) => "module".to_string(),
            };
            format!("{keyword} ({exec})")
        }
        _ => keyword.to_string(),
    }
}

fn describe_call(call: &WastInvoke<'_>) -> String {
    match call.module {
        Some(id) => format!("invoke ${} \"{}\"", id.name(), call.name),
        None => format!("invoke \"{}\"", call.name),
    }
}

/// An engine message shortened for grouping failures by cause: without the byte offset
/// and at most 80 characters.
fn short(message: &str) -> String {
    let message = message.split(" (at offset").next().unwrap_or(message);
    let message = message.lines().next().unwrap_or_default();
    match message.char_indices().nth(80) {
        Some((end, _)) => format!("{}...", &message[..end]),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_drops_offsets_and_long_tails() {
        assert_eq!(short("type mismatch (at offset 0x1f)"), "type mismatch");
        assert_eq!(short(&"x".repeat(100)), format!("{}...", "x".repeat(80)));
    }

    /// Passes without an engine: the quoted text does not even parse.
    const PASSING: &str = r#"(assert_malformed (module quote "(func") "unexpected token")"#;
    /// Fails without an engine: there is no module to invoke.
    const FAILING: &str = r#"(invoke "nothing")"#;

    fn skip(lines: &'static [usize]) -> Skip {
        Skip {
            file: "local/t.wast",
            lines,
            reason: "testing",
        }
    }

    #[test]
    fn listed_failures_are_skipped_and_listed_passes_fail() {
        let text = format!("{PASSING}\n{FAILING}\n{PASSING}\n");
        let report = run_with_skips("local/t.wast", &text, &[&skip(&[2, 3])]);
        assert_eq!((report.passed, report.failed, report.skipped), (1, 1, 1));
        assert!(
            report.failures[0].message.contains("unexpected pass"),
            "{:?}",
            report.failures
        );
        assert_eq!(report.failures[0].location, "local/t.wast:3:2");
    }

    #[test]
    fn whole_file_skips_must_still_be_needed() {
        let text = format!("{PASSING}\n{FAILING}\n");
        let report = run_with_skips("local/t.wast", &text, &[&skip(&[])]);
        assert_eq!((report.passed, report.failed, report.skipped), (1, 0, 1));

        let report = run_with_skips("local/t.wast", PASSING, &[&skip(&[])]);
        assert_eq!((report.passed, report.failed, report.skipped), (1, 1, 0));
        assert!(report.failures[0].message.contains("unexpected pass"));
    }

    #[test]
    fn skip_lines_without_a_directive_are_reported() {
        let report = run_with_skips("local/t.wast", PASSING, &[&skip(&[7])]);
        assert_eq!((report.passed, report.failed), (1, 1));
        assert_eq!(report.failures[0].cause, "stale skip entry");
    }

    #[test]
    fn failures_name_their_directive_and_cause() {
        let report = run_wast("local/t.wast", FAILING);
        assert_eq!(report.failed, 1);
        let failure = &report.failures[0];
        assert_eq!(failure.directive, r#"invoke "nothing""#);
        assert_eq!(
            failure.cause,
            "invoke: no module (an earlier module directive failed)"
        );
    }

    #[test]
    fn unparsable_scripts_are_one_failure() {
        let report = run_wast("local/bad.wast", "(module\n  (func (i32.add)");
        assert_eq!((report.passed, report.failed), (0, 1));
        assert!(report.failures[0].location.starts_with("local/bad.wast:"));
    }
}
