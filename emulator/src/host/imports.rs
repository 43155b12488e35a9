//! The one list of the host calls (imports) the emulator implements. Linking, the names
//! `host_calls()` counts, the imports left to `stub_missing`, and the coverage table
//! ([`IMPLEMENTED`], which the README's table must match) all come from the `host_imports!` table
//! below; add a host call there and nowhere else.

use super::guest::proxy_call;
use super::state::HostState;
use super::{
    buffers, callouts, contexts, headers, logging, metrics, properties, shared_data, stream_control, time, wasi,
};
use crate::abi::{LogLevel, Status};
use wasmi::{Caller, Linker, Val, ValType};

const PROXY_WASM_MODULE: &str = "env";
const WASI_MODULE: &str = "wasi_snapshot_preview1";

/// `prefix` and the names joined with ", ": a coverage row's first column.
macro_rules! coverage_row_label {
    ($prefix:literal; $first:ident $(, $more:ident)*) => {
        concat!($prefix, stringify!($first) $(, ", ", stringify!($more))*)
    };
}

/// Each entry is one row of the coverage table: an import, or several that behave alike, each
/// written `area::name(arguments)` where `area` is the file whose function `name` implements the
/// import `name`, then `=>` what the emulator does (WASI rows are labelled `wasi name`). Generates
/// `define`, `IMPLEMENTED_IMPORTS` and `IMPLEMENTED`.
macro_rules! host_imports {
    (
        proxy_wasm {
            $( $($proxy_area:ident::$proxy_name:ident($($proxy_arg:ident),*)),+ => $proxy_behaviour:literal; )*
        }
        wasi {
            $( $($wasi_area:ident::$wasi_name:ident($($wasi_arg:ident),*)),+ => $wasi_behaviour:literal; )*
        }
    ) => {
        /// Links every implemented import. Proxy-wasm calls run in `proxy_call`'s frame (refused
        /// during `_initialize`, counted under their name); WASI calls answer errno values.
        pub(crate) fn define(linker: &mut Linker<HostState>) -> Result<(), wasmi::Error> {
            $($(
                linker.func_wrap(
                    PROXY_WASM_MODULE,
                    stringify!($proxy_name),
                    |mut caller: Caller<'_, HostState>, $($proxy_arg),*| {
                        proxy_call(&mut caller, stringify!($proxy_name), |guest| {
                            $proxy_area::$proxy_name(guest, $($proxy_arg),*)
                        })
                    },
                )?;
            )+)*
            $($(
                linker.func_wrap(
                    WASI_MODULE,
                    stringify!($wasi_name),
                    |mut caller: Caller<'_, HostState>, $($wasi_arg),*| {
                        $wasi_area::$wasi_name(&mut caller, $($wasi_arg),*)
                    },
                )?;
            )+)*
            Ok(())
        }

        /// (module, name) of every import `define` links.
        const IMPLEMENTED_IMPORTS: &[(&str, &str)] = &[
            $($((PROXY_WASM_MODULE, stringify!($proxy_name)),)+)*
            $($((WASI_MODULE, stringify!($wasi_name)),)+)*
        ];

        /// Host calls the emulator implements, with what they do: the rows of the README's
        /// coverage table.
        pub const IMPLEMENTED: &[(&str, &str)] = &[
            $((coverage_row_label!(""; $($proxy_name),+), $proxy_behaviour),)*
            $((coverage_row_label!("wasi "; $($wasi_name),+), $wasi_behaviour),)*
        ];
    };
}

host_imports! {
    proxy_wasm {
        logging::proxy_log(level, ptr, len)
            => "captured; `logs()`; below the configured level dropped, as in Envoy";
        logging::proxy_get_log_level(ptr)
            => "the level set with `log_level` (default Info, Envoy's default)";
        time::proxy_get_current_time_nanoseconds(ptr)
            => "the emulated clock: starts at the real time, moves with `advance`";
        time::proxy_set_tick_period_milliseconds(period)
            => "per root context; `advance` fires due ticks, `tick` fires one now";
        buffers::proxy_get_buffer_bytes(kind, start, max, ptr_ptr, size_ptr)
            => "plugin and VM configuration, request/response bodies (in their callbacks), callout bodies";
        buffers::proxy_set_buffer_bytes(kind, start, size, ptr, len)
            => "request/response bodies in their callbacks";
        headers::proxy_get_header_map_pairs(map, ptr_ptr, size_ptr)
            => "request/response headers and trailers, callout response headers and trailers";
        headers::proxy_set_header_map_pairs(map, ptr, len)
            => "request/response headers and trailers";
        headers::proxy_get_header_map_value(map, key_ptr, key_len, ptr_ptr, size_ptr)
            => "first value, as Envoy; names case-insensitive";
        headers::proxy_replace_header_map_value(map, key_ptr, key_len, ptr, len)
            => "replaces every value, or adds";
        headers::proxy_remove_header_map_value(map, key_ptr, key_len)
            => "removes every value";
        headers::proxy_add_header_map_value(map, key_ptr, key_len, ptr, len)
            => "appends";
        properties::proxy_get_property(path_ptr, path_len, ptr_ptr, size_ptr)
            => "per-request and per-VM properties set by the test; `plugin_name`, `plugin_root_id`, `plugin_vm_id`";
        properties::proxy_set_property(path_ptr, path_len, ptr, len)
            => "stored for the request (or the VM from a root context)";
        shared_data::proxy_get_shared_data(key_ptr, key_len, ptr_ptr, size_ptr, cas_ptr)
            => "shared across emulators given the same `SharedData`";
        shared_data::proxy_set_shared_data(key_ptr, key_len, ptr, len, cas)
            => "with Envoy's CAS rule (0 always writes)";
        shared_data::proxy_register_shared_queue(name_ptr, name_len, id_ptr)
            => "per VM id";
        shared_data::proxy_resolve_shared_queue(vm_ptr, vm_len, name_ptr, name_len, id_ptr)
            => "per VM id";
        shared_data::proxy_enqueue_shared_queue(id, ptr, len)
            => "the owner's `proxy_on_queue_ready` runs after the current call returns";
        shared_data::proxy_dequeue_shared_queue(id, ptr_ptr, size_ptr)
            => "`Empty` when drained";
        stream_control::proxy_continue_stream(stream)
            => "resumes a paused request or response";
        stream_control::proxy_close_stream(stream)
            => "resets the request";
        stream_control::proxy_send_local_response(
            status_code, details_ptr, details_len, body_ptr, body_len, headers_ptr, headers_len, grpc_status
        ) => "recorded as the request's local reply";
        callouts::proxy_http_call(
            upstream_ptr, upstream_len, headers_ptr, headers_len, body_ptr, body_len, trailers_ptr, trailers_len,
            timeout_ms, token_ptr
        ) => "recorded as a pending call; Envoy's checks: known cluster, `:method`, `:path`, `:authority`; `advance` past its timeout answers 504 as Envoy's router does";
        contexts::proxy_set_effective_context(context)
            => "switches the context later host calls act on";
        contexts::proxy_done()
            => "accepted";
        metrics::proxy_define_metric(kind, name_ptr, name_len, id_ptr)
            => "counters, gauges, histograms; `metric(name)`";
        metrics::proxy_increment_metric(id, offset)
            => "counters refuse negative steps, as in Envoy";
        metrics::proxy_record_metric(id, value)
            => "gauges set, histograms record, counters add";
        metrics::proxy_get_metric(id, ptr)
            => "counters and gauges";
    }
    wasi {
        wasi::random_get(ptr, len)
            => "deterministic bytes from `random_seed` (Envoy: real random bytes)";
        wasi::fd_write(fd, iovs, count, written_ptr)
            => "stdout and stderr captured as Info and Error logs";
        wasi::clock_time_get(clock, precision, ptr)
            => "the emulated clock";
        wasi::environ_get(pointers, bytes),
        wasi::environ_sizes_get(count_ptr, size_ptr)
            => "the variables `Builder::env` sets (Envoy: `vm_config.environment_variables`)";
        wasi::args_get(pointers, bytes),
        wasi::args_sizes_get(count_ptr, size_ptr)
            => "empty";
        wasi::proc_exit(code)
            => "traps with the exit code";
    }
}

/// Host calls in the ABI that the emulator answers with `Unimplemented` (and records, see
/// `unimplemented_calls()`): none of Sieve's filters uses them.
pub const NOT_IMPLEMENTED: &[(&str, &str)] = &[
    ("proxy_grpc_call, proxy_grpc_stream, proxy_grpc_send, proxy_grpc_cancel, proxy_grpc_close", "gRPC callouts"),
    ("proxy_get_status", "gRPC status of a callout"),
    ("proxy_call_foreign_function", "Envoy's foreign functions (e.g. compress, expression evaluation)"),
    ("proxy_on_new_connection and the other network-filter callbacks", "TCP filters: the emulator drives HTTP"),
    ("any other import", "answered with `Unimplemented` when its result is an i32, or a no-op"),
];

/// Defines every import of `module` the linker does not know yet as a stub that records the call
/// and answers `Unimplemented` (12) when it returns an i32.
pub(crate) fn stub_missing(linker: &mut Linker<HostState>, module: &wasmi::Module) -> Result<(), String> {
    let known: Vec<(String, String)> =
        IMPLEMENTED_IMPORTS.iter().map(|(m, n)| (m.to_string(), n.to_string())).collect();
    for import in module.imports() {
        let (module_name, name) = (import.module().to_string(), import.name().to_string());
        if known.contains(&(module_name.clone(), name.clone())) {
            continue;
        }
        let wasmi::ExternType::Func(ty) = import.ty() else {
            return Err(format!("the module imports {module_name}.{name}, which is not a function; the emulator provides only functions"));
        };
        let ty = ty.clone();
        let label = format!("{module_name}.{name}");
        let returns_status = ty.results().first() == Some(&ValType::I32);
        linker
            .func_new(
                &module_name,
                &name,
                ty,
                move |mut caller: Caller<'_, HostState>, _params: &[Val], results: &mut [Val]| {
                    let state = caller.data_mut();
                    if !state.unimplemented.contains(&label) {
                        state.unimplemented.push(label.clone());
                    }
                    state.log(LogLevel::Warn, format!("emulator: {label} is not emulated; answered Unimplemented"));
                    for (index, result) in results.iter_mut().enumerate() {
                        *result = match result.ty() {
                            ValType::I32 if index == 0 && returns_status => Val::I32(Status::Unimplemented as i32),
                            ValType::I64 => Val::I64(0),
                            ValType::F32 => Val::F32(0f32.into()),
                            ValType::F64 => Val::F64(0f64.into()),
                            _ => Val::I32(0),
                        };
                    }
                    Ok(())
                },
            )
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}
