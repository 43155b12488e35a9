//! What Envoy shares between the VMs of one process: shared data (key → value with a CAS number)
//! and shared queues. Give several emulators the same [`SharedData`] to model several workers.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

/// Shared data and queues of one emulated Envoy process. Cloning shares them.
#[derive(Debug, Clone, Default)]
pub struct SharedData {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Debug, Default)]
struct Inner {
    /// One process, one clock: the workers' clocks start together (set by the first to start).
    clock_start: Option<std::time::SystemTime>,
    entries: BTreeMap<String, (Vec<u8>, u32)>,
    queues: Vec<Queue>,
}

#[derive(Debug)]
struct Queue {
    vm_id: String,
    name: String,
    /// The emulator (by its process-unique number) whose root registered the queue, and that root.
    owner: (u64, u32),
    items: VecDeque<Vec<u8>>,
    /// Items enqueued since the owner was last told.
    unannounced: bool,
}

/// Why a CAS write failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetError {
    CasMismatch,
}

impl SharedData {
    /// Where the clock of every emulator sharing this starts (the first caller's now).
    pub(crate) fn clock_start(&self) -> std::time::SystemTime {
        let mut inner = self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *inner.clock_start.get_or_insert_with(std::time::SystemTime::now)
    }

    pub fn new() -> SharedData {
        SharedData::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A test that panicked while holding the lock leaves usable data behind.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The value and its CAS number.
    pub fn get(&self, key: &str) -> Option<(Vec<u8>, u32)> {
        self.lock().entries.get(key).cloned()
    }

    /// Writes `value`; with `cas != 0` only if the entry's CAS number still equals `cas`
    /// (Envoy's rule: a CAS of 0 always writes).
    pub fn set(&self, key: &str, value: Vec<u8>, cas: u32) -> Result<(), SetError> {
        let mut inner = self.lock();
        let current = inner.entries.get(key).map(|(_, cas)| *cas);
        if cas != 0 && current.is_some_and(|current| current != cas) {
            return Err(SetError::CasMismatch);
        }
        let next = current.unwrap_or(0).wrapping_add(1).max(1);
        inner.entries.insert(key.to_string(), (value, next));
        Ok(())
    }

    /// Every key, sorted (for tests that check what a filter leaves behind).
    pub fn keys(&self) -> Vec<String> {
        self.lock().entries.keys().cloned().collect()
    }

    /// Total bytes of all values.
    pub fn total_bytes(&self) -> usize {
        self.lock().entries.values().map(|(value, _)| value.len()).sum()
    }

    pub(crate) fn register_queue(&self, vm_id: &str, name: &str, owner: (u64, u32)) -> u32 {
        let mut inner = self.lock();
        if let Some(index) = inner.queues.iter().position(|q| q.vm_id == vm_id && q.name == name) {
            if let Some(queue) = inner.queues.get_mut(index) {
                queue.owner = owner;
            }
            return index as u32 + 1;
        }
        inner.queues.push(Queue {
            vm_id: vm_id.to_string(),
            name: name.to_string(),
            owner,
            items: VecDeque::new(),
            unannounced: false,
        });
        inner.queues.len() as u32
    }

    pub(crate) fn resolve_queue(&self, vm_id: &str, name: &str) -> Option<u32> {
        let inner = self.lock();
        inner.queues.iter().position(|q| q.vm_id == vm_id && q.name == name).map(|index| index as u32 + 1)
    }

    pub(crate) fn enqueue(&self, id: u32, value: Vec<u8>) -> bool {
        let mut inner = self.lock();
        let Some(queue) = inner.queues.get_mut((id as usize).wrapping_sub(1)) else { return false };
        queue.items.push_back(value);
        queue.unannounced = true;
        true
    }

    /// `None`: no such queue; `Some(None)`: empty.
    pub(crate) fn dequeue(&self, id: u32) -> Option<Option<Vec<u8>>> {
        let mut inner = self.lock();
        let queue = inner.queues.get_mut((id as usize).wrapping_sub(1))?;
        Some(queue.items.pop_front())
    }

    /// Queues owned by `emulator` with items it has not been told about: (queue id, root id).
    pub(crate) fn take_announcements(&self, emulator: u64) -> Vec<(u32, u32)> {
        let mut inner = self.lock();
        let mut due = Vec::new();
        for (index, queue) in inner.queues.iter_mut().enumerate() {
            if queue.owner.0 == emulator && queue.unannounced {
                queue.unannounced = false;
                due.push((index as u32 + 1, queue.owner.1));
            }
        }
        due
    }
}
