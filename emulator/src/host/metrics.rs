//! Metrics: counters, gauges and histograms the module defines, read with `metric(name)`.

use super::guest::{check, CallOutcome, Guest};
use super::state::HostState;
use crate::abi::{MetricKind, Status};

/// A defined metric.
#[derive(Debug, Clone)]
pub(crate) struct Metric {
    pub name: String,
    pub kind: MetricKind,
    pub value: i64,
    /// Histograms: every recorded value.
    pub samples: Vec<u64>,
}

/// Metric ids are positions in `metrics`, plus one (0 is no metric).
fn metric_mut(state: &mut HostState, id: i32) -> Result<&mut Metric, Status> {
    state.metrics.get_mut((id as u32 as usize).wrapping_sub(1)).ok_or(Status::NotFound)
}

pub(super) fn proxy_define_metric(
    guest: &mut Guest<'_, '_>,
    kind: i32,
    name_ptr: i32,
    name_len: i32,
    id_ptr: i32,
) -> CallOutcome {
    let kind = check!(MetricKind::from_i32(kind).ok_or(Status::BadArgument));
    let name = check!(guest.read_string(name_ptr, name_len));
    let metrics = &mut guest.state().metrics;
    let index = match metrics.iter().position(|m| m.name == name && m.kind == kind) {
        Some(index) => index,
        None => {
            metrics.push(Metric { name, kind, value: 0, samples: Vec::new() });
            metrics.len() - 1
        }
    };
    Ok(guest.write_u32(id_ptr, index as u32 + 1))
}

pub(super) fn proxy_increment_metric(guest: &mut Guest<'_, '_>, id: i32, offset: i64) -> CallOutcome {
    let metric = check!(metric_mut(guest.state(), id));
    match metric.kind {
        MetricKind::Counter if offset < 0 => return Ok(Err(Status::BadArgument)),
        MetricKind::Histogram => return Ok(Err(Status::BadArgument)),
        _ => metric.value = metric.value.saturating_add(offset),
    }
    Ok(Ok(()))
}

pub(super) fn proxy_record_metric(guest: &mut Guest<'_, '_>, id: i32, value: i64) -> CallOutcome {
    let metric = check!(metric_mut(guest.state(), id));
    match metric.kind {
        MetricKind::Counter => metric.value = metric.value.saturating_add(value),
        MetricKind::Gauge => metric.value = value,
        MetricKind::Histogram => metric.samples.push(value as u64),
    }
    Ok(Ok(()))
}

pub(super) fn proxy_get_metric(guest: &mut Guest<'_, '_>, id: i32, ptr: i32) -> CallOutcome {
    let metric = check!(metric_mut(guest.state(), id));
    if metric.kind == MetricKind::Histogram {
        return Ok(Err(Status::BadArgument));
    }
    let value = metric.value;
    Ok(guest.write(ptr, &value.to_le_bytes()))
}
