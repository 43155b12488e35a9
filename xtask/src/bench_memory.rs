//! `cargo xtask bench-memory`: what a module costs Envoy in memory, and why.
//!
//! proxy-wasm's V8 host turns Liftoff off, so TurboFan compiles every function of a module when it
//! loads, whether it ever runs or not. This measures what that leaves in Envoy, split by Envoy's own
//! allocator statistics (`/memory`): what stays allocated (`kept`: the compiled code and the copies
//! of the module the host holds) and what tcmalloc keeps free after the compile (`left over`: the
//! memory TurboFan peaked at, which Envoy does not give back).
//!
//! Two sets of modules, each started in its own Envoy (two workers, one request path, 100 requests,
//! then a second's rest), in interleaved rounds:
//! - synthetic modules: a minimal proxy-wasm module (no host calls) with Wasm code added in
//!   functions of a chosen size, never called: the cost of code by itself, and of large functions;
//! - Sieve's modules beside the empty Rust filter, each with a small valid configuration.
//!
//! Writes bench/MEMORY.md (or DIR/MEMORY.md with `--out DIR`).

use sieve_e2e::{modules, workspace_root, Envoy, EnvoyConfig, EnvoyOptions};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;
use wasm_encoder::{
    BlockType, CodeSection, ConstExpr, ExportKind, ExportSection, Function, FunctionSection, GlobalSection, GlobalType,
    Instruction, MemArg, MemorySection, MemoryType, Module, TypeSection, ValType,
};

const USAGE: &str = "bench-memory [--rounds N] [--out DIR] [--quick]";
/// The key the auth stage's one consumer holds (every request carries it).
const API_KEY: &str = "sieve-demo-key-0123456789abcdef";

#[derive(Debug)]
struct Options {
    rounds: usize,
    out: PathBuf,
    quick: bool,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options { rounds: 3, out: workspace_root().join("bench"), quick: false };
    let mut iter = args.iter();
    while let Some(flag) = iter.next() {
        let mut value = || iter.next().cloned().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--rounds" => options.rounds = value()?.parse().map_err(|e| format!("--rounds: {e}"))?,
            "--out" => options.out = PathBuf::from(value()?),
            "--quick" => {
                options.quick = true;
                options.rounds = 1;
            }
            other => return Err(format!("unknown option {other}; {USAGE}")),
        }
    }
    if options.rounds == 0 {
        return Err("--rounds must be at least 1".into());
    }
    Ok(options)
}

// ---- synthetic modules ----

/// The function types of the synthetic module, by index.
const TYPE_VOID: u32 = 0; // () -> ()
const TYPE_I32_I32: u32 = 1; // (i32) -> i32
const TYPE_2_VOID: u32 = 2; // (i32, i32) -> ()
const TYPE_2_I32: u32 = 3; // (i32, i32) -> i32
const TYPE_3_I32: u32 = 4; // (i32, i32, i32) -> i32
const TYPE_1_VOID: u32 = 5; // (i32) -> ()

/// A proxy-wasm module that answers every callback with "go on" and makes no host call, plus
/// `code_bytes` of never-called code in functions of about `function_bytes` each.
pub(crate) fn synthetic_module(code_bytes: usize, function_bytes: usize) -> Vec<u8> {
    let mut types = TypeSection::new();
    types.ty().function([], []);
    types.ty().function([ValType::I32], [ValType::I32]);
    types.ty().function([ValType::I32, ValType::I32], []);
    types.ty().function([ValType::I32, ValType::I32], [ValType::I32]);
    types.ty().function([ValType::I32, ValType::I32, ValType::I32], [ValType::I32]);
    types.ty().function([ValType::I32], []);

    // The ABI's exports: (name, type, what the body returns).
    let callbacks: [(&str, u32, Option<i32>); 10] = [
        ("proxy_abi_version_0_2_1", TYPE_VOID, None),
        ("proxy_on_memory_allocate", TYPE_I32_I32, None),
        ("proxy_on_context_create", TYPE_2_VOID, None),
        ("proxy_on_vm_start", TYPE_2_I32, Some(1)),
        ("proxy_on_configure", TYPE_2_I32, Some(1)),
        ("proxy_on_request_headers", TYPE_3_I32, Some(0)),
        ("proxy_on_response_headers", TYPE_3_I32, Some(0)),
        ("proxy_on_done", TYPE_I32_I32, Some(1)),
        ("proxy_on_log", TYPE_1_VOID, None),
        ("proxy_on_delete", TYPE_1_VOID, None),
    ];
    let mut functions = FunctionSection::new();
    let mut exports = ExportSection::new();
    let mut code = CodeSection::new();
    for (index, (name, ty, result)) in callbacks.iter().enumerate() {
        functions.function(*ty);
        exports.export(name, ExportKind::Func, index as u32);
        let mut body = Function::new([]);
        if *name == "proxy_on_memory_allocate" {
            // A bump allocator over global 0: enough for a module that keeps nothing.
            body.instruction(&Instruction::GlobalGet(0))
                .instruction(&Instruction::GlobalGet(0))
                .instruction(&Instruction::LocalGet(0))
                .instruction(&Instruction::I32Add)
                .instruction(&Instruction::GlobalSet(0));
        } else if let Some(value) = result {
            body.instruction(&Instruction::I32Const(*value));
        }
        body.instruction(&Instruction::End);
        code.function(&body);
    }
    // The helper the synthetic code calls, then the synthetic functions themselves.
    let helper = callbacks.len() as u32;
    functions.function(TYPE_2_I32);
    let mut body = Function::new([]);
    body.instruction(&Instruction::LocalGet(0))
        .instruction(&Instruction::LocalGet(1))
        .instruction(&Instruction::I32Const(3))
        .instruction(&Instruction::I32ShrU)
        .instruction(&Instruction::I32Add)
        .instruction(&Instruction::End);
    code.function(&body);
    // Functions of about `function_bytes` each until `code_bytes` are written.
    let mut written = 0;
    let mut unit = 0;
    while written < code_bytes {
        functions.function(TYPE_2_I32);
        let mut body = Function::new([]);
        while body.byte_len() < function_bytes.max(1) {
            synthetic_unit(&mut body, unit, helper);
            unit += 1;
        }
        body.instruction(&Instruction::LocalGet(1)).instruction(&Instruction::End);
        written += body.byte_len();
        code.function(&body);
    }
    let mut memories = MemorySection::new();
    memories.memory(MemoryType { minimum: 17, maximum: None, memory64: false, shared: false, page_size_log2: None });
    exports.export("memory", ExportKind::Memory, 0);
    let mut globals = GlobalSection::new();
    globals.global(GlobalType { val_type: ValType::I32, mutable: true, shared: false }, &ConstExpr::i32_const(65536));

    let mut module = Module::new();
    module.section(&types).section(&functions).section(&memories).section(&globals).section(&exports).section(&code);
    module.finish()
}

/// `if a < k { b += load(a + o); store(b + o2, a ^ k) } else { a = helper(a, b * k) }`.
fn synthetic_unit(body: &mut Function, k: i32, helper: u32) {
    // A branch, loads, stores, arithmetic and a call: the mix of compiled Rust.
    let (a, b) = (0, 1);
    let offset = |n: i32| u64::from((n.unsigned_abs() * 4) % 4096);
    let memarg = |n: i32| MemArg { offset: offset(n), align: 2, memory_index: 0 };
    body.instruction(&Instruction::LocalGet(a))
        .instruction(&Instruction::I32Const(k.wrapping_mul(7919) % 100_000))
        .instruction(&Instruction::I32LtU)
        .instruction(&Instruction::If(BlockType::Empty))
        .instruction(&Instruction::LocalGet(b))
        .instruction(&Instruction::LocalGet(a))
        .instruction(&Instruction::I32Load(memarg(k)))
        .instruction(&Instruction::I32Add)
        .instruction(&Instruction::LocalSet(b))
        .instruction(&Instruction::LocalGet(b))
        .instruction(&Instruction::LocalGet(a))
        .instruction(&Instruction::I32Const(k))
        .instruction(&Instruction::I32Xor)
        .instruction(&Instruction::I32Store(memarg(k.wrapping_add(1))))
        .instruction(&Instruction::Else)
        .instruction(&Instruction::LocalGet(a))
        .instruction(&Instruction::LocalGet(b))
        .instruction(&Instruction::I32Const(k | 1))
        .instruction(&Instruction::I32Mul)
        .instruction(&Instruction::Call(helper))
        .instruction(&Instruction::LocalSet(a))
        .instruction(&Instruction::End);
}

/// Bytes of code and the largest function body of a module.
pub(crate) fn code_shape(wasm: &[u8]) -> Result<(usize, usize), String> {
    let mut total = 0;
    let mut largest = 0;
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        if let wasmparser::Payload::CodeSectionEntry(body) = payload.map_err(|e| e.to_string())? {
            let size = body.range().len();
            total += size;
            largest = largest.max(size);
        }
    }
    Ok((total, largest))
}

// ---- measuring ----

/// Envoy's memory with one module loaded.
#[derive(Debug, Clone, Copy, Default)]
struct Memory {
    rss: f64,
    /// tcmalloc: bytes the application holds.
    allocated: f64,
    /// tcmalloc: bytes it took from the system (allocated and free).
    heap: f64,
}

/// The bench's bootstrap (a `/direct` route Envoy answers itself) with the module as its filter.
fn envoy_config(module: &Path, config: &serde_json::Value) -> Result<EnvoyConfig, String> {
    let setup = crate::bench::Setup {
        id: "memory",
        label: "memory",
        filters: vec![crate::bench::wasm_filter_at("memory.probe", module, config)],
        headers: Vec::new(),
        script: None,
    };
    // No request goes upstream: the echo cluster's address is never dialled.
    crate::bench::envoy_config(&setup, ([127, 0, 0, 1], 9).into())
}

fn measure(module: &Path, config: &serde_json::Value) -> Result<Memory, String> {
    let envoy = Envoy::start(
        &envoy_config(module, config)?,
        EnvoyOptions { concurrency: 2, component_log_level: "wasm:warning".into(), ..EnvoyOptions::default() },
    )?;
    for _ in 0..100 {
        let reply = envoy.get("/direct").header("x-probe", "probe").header("x-api-key", API_KEY).try_send()?;
        if reply.status != 200 {
            return Err(format!("{}: a request got {}: {}", module.display(), reply.status, reply.body));
        }
    }
    std::thread::sleep(Duration::from_secs(1));
    let (status, body) = envoy.admin_get("/memory")?;
    if status != 200 {
        return Err(format!("/memory answered {status}"));
    }
    let stats: serde_json::Value = serde_json::from_str(&body).map_err(|e| format!("/memory: {e}"))?;
    let number = |key: &str| -> f64 {
        stats.get(key).and_then(|v| v.as_str().and_then(|s| s.parse().ok()).or(v.as_f64())).unwrap_or(0.0)
    };
    Ok(Memory { rss: envoy.rss_bytes().unwrap_or(0) as f64, allocated: number("allocated"), heap: number("heap_size") })
}

struct Case {
    label: String,
    module: PathBuf,
    config: serde_json::Value,
    /// Code bytes and the largest function.
    shape: (usize, usize),
    samples: Vec<Memory>,
}

fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut values: Vec<f64> = values.collect();
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => 0.0,
        n if n % 2 == 1 => values.get(n / 2).copied().unwrap_or(0.0),
        n => (values.get(n / 2 - 1).copied().unwrap_or(0.0) + values.get(n / 2).copied().unwrap_or(0.0)) / 2.0,
    }
}

impl Case {
    fn new(label: String, module: PathBuf, config: serde_json::Value) -> Result<Case, String> {
        let bytes = std::fs::read(&module).map_err(|e| format!("{}: {e}", module.display()))?;
        Ok(Case { label, shape: code_shape(&bytes)?, module, config, samples: Vec::new() })
    }

    fn rss(&self) -> f64 {
        median(self.samples.iter().map(|m| m.rss))
    }
    fn kept(&self) -> f64 {
        median(self.samples.iter().map(|m| m.allocated))
    }
    fn left_over(&self) -> f64 {
        median(self.samples.iter().map(|m| m.heap - m.allocated))
    }
    fn size(&self) -> u64 {
        std::fs::metadata(&self.module).map(|m| m.len()).unwrap_or(0)
    }
}

/// The synthetic series: (code bytes, function bytes); the first is the base.
fn synthetic_series(quick: bool) -> Vec<(usize, usize)> {
    if quick {
        return vec![(0, 0), (300_000, 4_000), (300_000, 32_000)];
    }
    vec![
        (0, 0),
        (150_000, 4_000),
        (300_000, 4_000),
        (600_000, 4_000),
        (600_000, 1_000),
        (600_000, 8_000),
        (600_000, 16_000),
        (600_000, 32_000),
        (600_000, 64_000),
    ]
}

fn sieve_cases() -> Result<Vec<Case>, String> {
    let dir = modules::release_dir();
    let screen = serde_json::json!({"key": {"header": {"name": "x-probe"}}, "mode": "deny",
        "list": {"keys": ["blocked-probe-1", "blocked-probe-2"]}});
    let auth = serde_json::json!({"providers": [{"api_key": {"keys": [
        {"consumer": "bench-app", "sha256": sieve_auth::apikey::digest_hex(API_KEY)}
    ]}}]});
    let headers = serde_json::json!({"response": [{"op": "set", "name": "x-probe-copy", "value": "%REQ(x-probe)%"}]});
    let chain = serde_json::json!({"stages": [{"headers": headers}, {"auth": auth}, {"screen": screen}]});
    // What `cargo xtask build --chain headers` gives a deployment that needs only that stage.
    let chain_headers =
        modules::build_chain(&["headers"], Some(&workspace_root().join("target/bench/chain-headers")), false)?;
    let headers_only = serde_json::json!({"stages": [{"headers": headers}]});
    let cases = [
        ("empty Rust proxy-wasm filter (bench/empty-filter)", "sieve_bench_empty", serde_json::json!({})),
        ("Sieve headers", "sieve_headers", headers),
        ("Sieve auth (API key)", "sieve_auth", auth),
        ("Sieve screen (inline list)", "sieve_screen", screen),
        ("Sieve chain (the three stages)", "sieve_chain", chain),
    ];
    cases
        .into_iter()
        .map(|(label, module, config)| Case::new(label.into(), dir.join(format!("{module}.wasm")), config))
        .chain([Case::new(
            "Sieve chain built with the headers stage only (`--chain headers`)".into(),
            chain_headers,
            headers_only,
        )])
        .collect()
}

pub(crate) fn bench_memory(args: &[String]) -> Result<(), String> {
    let options = parse(args)?;
    crate::build()?;
    // The empty filter is a crate of its own (outside the workspace), as in `cargo xtask bench`.
    modules::build(
        &[modules::Module::standalone("sieve-bench-empty", workspace_root().join("bench/empty-filter"))],
        false,
    )?;
    let work = workspace_root().join("target/bench/memory");
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let mut synthetic = Vec::new();
    for (code, function) in synthetic_series(options.quick) {
        let path = work.join(format!("synthetic-{code}-{function}.wasm"));
        std::fs::write(&path, synthetic_module(code, function)).map_err(|e| e.to_string())?;
        let label = if code == 0 {
            "base: the ABI's callbacks only".to_string()
        } else {
            format!("+{} KB of code in {} KB functions", code / 1000, function / 1000)
        };
        synthetic.push(Case::new(label, path, serde_json::json!({}))?);
    }
    let mut sieve = sieve_cases()?;
    for round in 0..options.rounds {
        for case in synthetic.iter_mut().chain(sieve.iter_mut()) {
            let memory = measure(&case.module, &case.config)?;
            eprintln!(
                "[round {}/{}] {:<52} RSS {:6.1} MB, allocated {:5.1} MB, heap {:5.1} MB",
                round + 1,
                options.rounds,
                case.label,
                memory.rss / 1e6,
                memory.allocated / 1e6,
                memory.heap / 1e6
            );
            case.samples.push(memory);
        }
    }
    let report = report(&synthetic, &sieve, &options)?;
    std::fs::create_dir_all(&options.out).map_err(|e| e.to_string())?;
    let path = options.out.join("MEMORY.md");
    std::fs::write(&path, report).map_err(|e| format!("{}: {e}", path.display()))?;
    println!("wrote {}", path.display());
    Ok(())
}

fn report(synthetic: &[Case], sieve: &[Case], options: &Options) -> Result<String, String> {
    let version = Envoy::version().unwrap_or_else(|e| e);
    let mut md = String::new();
    let _ = writeln!(md, "# What a module costs Envoy in memory\n");
    let _ = writeln!(
        md,
        "Generated by `cargo xtask bench-memory` on {} ({} round(s), medians; MB = 10⁶ bytes).\n",
        utc_now(),
        options.rounds
    );
    let _ = writeln!(md, "- Envoy: `{}`, `--concurrency 2`", version.trim());
    let _ = writeln!(
        md,
        "- each module in its own Envoy, 100 requests, then 1 s; RSS from /proc, the rest from Envoy's `/memory` (tcmalloc)"
    );
    let _ = writeln!(
        md,
        "- **kept**: tcmalloc's allocated bytes over the row the table compares with; **left over**: its free bytes (heap − allocated) over that row — memory the compile peaked at, which Envoy keeps\n"
    );
    table(
        &mut md,
        "Code by itself: a minimal proxy-wasm module plus never-called code (compared with the base)",
        synthetic,
    );
    table(&mut md, "Sieve's modules (compared with the empty Rust filter)", sieve);
    let _ = writeln!(
        md,
        "Why: proxy-wasm's V8 host turns Liftoff off, so TurboFan compiles every function of a module when it \
loads. The table above shows the two costs that follow — one that grows with the code, one that grows with \
the largest functions — and [ANALYSIS.md](ANALYSIS.md#what-v8-keeps-per-module) what Sieve does about them."
    );
    Ok(md)
}

fn utc_now() -> String {
    std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

fn table(md: &mut String, title: &str, cases: &[Case]) {
    let Some(base) = cases.first() else { return };
    let _ = writeln!(md, "## {title}\n");
    let _ = writeln!(
        md,
        "| module | file | code | largest function | RSS | RSS added | kept | left over |\n|---|---|---|---|---|---|---|---|"
    );
    for case in cases {
        let (code, largest) = case.shape;
        let _ = writeln!(
            md,
            "| {} | {:.1} KiB | {:.1} KiB | {:.1} KiB | {:.1} MB | {:+.1} MB | {:+.1} MB | {:+.1} MB |",
            case.label,
            case.size() as f64 / 1024.0,
            code as f64 / 1024.0,
            largest as f64 / 1024.0,
            case.rss() / 1e6,
            (case.rss() - base.rss()) / 1e6,
            (case.kept() - base.kept()) / 1e6,
            (case.left_over() - base.left_over()) / 1e6,
        );
    }
    let _ = writeln!(md);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_modules_are_valid_and_shaped_as_asked() {
        for (code, function) in [(0, 0), (100_000, 4_000), (100_000, 32_000)] {
            let wasm = synthetic_module(code, function);
            wasmparser::Validator::new().validate_all(&wasm).unwrap();
            let (total, largest) = code_shape(&wasm).unwrap();
            if code == 0 {
                assert!(total < 200, "{total}");
                continue;
            }
            assert!(total >= code && total < code + 2 * function, "{code}/{function}: {total}");
            assert!(largest >= function * 9 / 10 && largest <= function * 11 / 10, "{function}: {largest}");
        }
    }

    #[test]
    fn options() {
        let args = |text: &str| text.split_whitespace().map(String::from).collect::<Vec<_>>();
        let quick = parse(&args("--quick --out /tmp/m")).unwrap();
        assert_eq!((quick.rounds, quick.quick, quick.out), (1, true, PathBuf::from("/tmp/m")));
        assert!(parse(&args("--rounds 0")).is_err());
        assert!(parse(&args("--fast")).unwrap_err().contains(USAGE));
    }

    #[test]
    fn median_of_even_and_odd() {
        assert_eq!(median([3.0, 1.0, 2.0].into_iter()), 2.0);
        assert_eq!(median([4.0, 1.0, 2.0, 3.0].into_iter()), 2.5);
        assert_eq!(median(std::iter::empty()), 0.0);
    }
}
