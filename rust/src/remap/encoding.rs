//! Where the composed map's segments are encoded: here, or, for a big root, on a thread
//! of their own.
//!
//! Encoding a segment (VLQ digits, and the checkpoints built as the text is written) is
//! about a fifth of the walk over the root's segments, and it depends on nothing but the
//! segments before it. On a big map the walk hands the segments over in batches and goes
//! on tracing while another thread encodes them; the text and its checkpoints are the
//! same either way (a test holds them to it).

use std::sync::mpsc::{sync_channel, SyncSender};
use std::thread::{Scope, ScopedJoinHandle};

use crate::error::Result;
use crate::mappings::{Encoder, RawToken};
use crate::threads;

/// Segments handed over at once: few enough hand-overs that they cost nothing next to
/// the encoding, and a batch (96 KiB) stays in the cache of the core that reads it.
const BATCH: usize = 4096;

/// Batches that may wait for the encoder before the walk waits for it (bounds the
/// memory a slow encoder makes the walk use).
const QUEUED: usize = 64;

/// Where the walk puts the output's segments, in order.
pub(super) enum Segments<'scope> {
    /// Encoded as they come.
    Here(Encoder),
    /// Sent to the encoding thread a batch at a time.
    Away {
        batch: Vec<RawToken>,
        to: SyncSender<Vec<RawToken>>,
        thread: ScopedJoinHandle<'scope, Encoder>,
    },
}

impl<'scope> Segments<'scope> {
    #[inline]
    pub(super) fn push(&mut self, token: RawToken) {
        match self {
            Segments::Here(encoder) => encoder.push(&token),
            Segments::Away { batch, to, .. } => {
                batch.push(token);
                if batch.len() == BATCH {
                    let full = std::mem::replace(batch, Vec::with_capacity(BATCH));
                    // The encoder only stops early if it panicked; `finish` reports that.
                    let _ = to.send(full);
                }
            }
        }
    }

    /// Segments for `encoder`, encoded on a new thread of scope `s`.
    pub(super) fn away(
        s: &'scope Scope<'scope, '_>,
        mut encoder: Encoder,
    ) -> Result<Segments<'scope>> {
        let (to, batches) = sync_channel::<Vec<RawToken>>(QUEUED);
        let builder = threads::builder("libsourcemap-encode", None);
        // A panic there is re-raised by `finish`.
        let thread = threads::spawn_scoped(builder, s, move || {
            for batch in batches {
                for token in &batch {
                    encoder.push(token);
                }
            }
            encoder
        })?;
        Ok(Segments::Away {
            batch: Vec::with_capacity(BATCH),
            to,
            thread,
        })
    }

    /// The encoder, every segment pushed: the last batch sent and the thread waited for
    /// when they went away.
    pub(super) fn finish(self) -> Encoder {
        match self {
            Segments::Here(encoder) => encoder,
            Segments::Away { batch, to, thread } => {
                let _ = to.send(batch);
                drop(to); // the thread's loop ends with the last batch
                threads::joined(thread)
            }
        }
    }
}
