//! The writers' exports: a view written as JSON (`writer`), segments encoded, maps
//! concatenated (`writer::concat`) and composed (`remap`), a debug ID injected (`inject`).
//! They read views and make new ones or new buffers; they never change a view.

use std::os::raw::{c_char, c_int};

use super::view::{shared_view, view_share};
use super::{byte_slice, checked_array, ffi_fn, handle, out_buffer};
use crate::error::{Error, ErrorKind};
use crate::view::View;

ffi_fn! {
    /// The view as source map JSON (ECMA-426), see `writer::to_json`.
    fn lsm_view_to_json(
        view: *const View,
        len_out: *mut usize,
        with_source_contents: c_int,
        with_names: c_int,
    ) -> *mut c_char {
        let options = crate::writer::JsonOptions {
            with_source_contents: with_source_contents != 0,
            with_names: with_names != 0,
            ..Default::default()
        };
        json_buffer(handle(view)?, options, len_out)
    }
}

/// `writer::to_json` as a caller-owned buffer, written in place (no copy of megabytes).
unsafe fn json_buffer(
    view: &View,
    options: crate::writer::JsonOptions<'_>,
    len_out: *mut usize,
) -> crate::error::Result<*mut c_char> {
    let options = crate::writer::JsonOptions {
        room_before: super::BUFFER_HEADER,
        ..options
    };
    let bytes = crate::writer::to_json(view, options)?;
    if let Some(len_out) = len_out.as_mut() {
        *len_out = bytes.len() - super::BUFFER_HEADER;
    }
    Ok(super::owned_buffer(bytes))
}

ffi_fn! {
    /// The view as source map JSON with changes (see `writer::JsonOptions`):
    /// `source_root_mode` 0 keeps `sourceRoot`, 1 drops it, 2 sets it to `source_root`;
    /// `contents[i]` (`content_lens[i]` bytes, NULL: none) is written for source `i` if
    /// it has no contents of its own; `ignore_ids` replaces the ignore list when not NULL;
    /// `sources` (when not NULL: `source_count` names, NULL entries written as null)
    /// replaces the source names.
    fn lsm_view_to_json_rewritten(
        view: *const View,
        len_out: *mut usize,
        with_source_contents: c_int,
        with_names: c_int,
        source_root_mode: c_int,
        source_root: *const c_char,
        source_root_len: usize,
        contents: *const *const c_char,
        content_lens: *const usize,
        content_count: usize,
        ignore_ids: *const u32,
        ignore_count: usize,
        sources: *const *const c_char,
        source_lens: *const usize,
        source_count: usize,
    ) -> *mut c_char {
        let names = optional_strings(sources, source_lens, source_count)?;
        let added = optional_strings(contents, content_lens, content_count)?;
        let ignore_list = match ignore_ids.is_null() {
            true => None,
            false => Some(std::slice::from_raw_parts(checked_array(ignore_ids, ignore_count)?, ignore_count)),
        };
        let source_root = match source_root_mode {
            0 => crate::writer::SourceRoot::Keep,
            1 => crate::writer::SourceRoot::Drop,
            2 => crate::writer::SourceRoot::Set(byte_slice(source_root, source_root_len)?),
            _ => return Err(Error::new(ErrorKind::InvalidArgument, "source_root_mode must be 0, 1 or 2")),
        };
        let options = crate::writer::JsonOptions {
            with_source_contents: with_source_contents != 0,
            with_names: with_names != 0,
            source_root,
            added_contents: &added,
            ignore_list,
            sources: (!sources.is_null()).then_some(&names[..]),
            room_before: 0,
        };
        json_buffer(handle(view)?, options, len_out)
    }
}

ffi_fn! {
    /// The `scopes` text (ECMA-426's scopes proposal) of scopes given as `count` u32
    /// words (`scopes::words`), checked first (`Scopes::from_words`).
    fn lsm_scopes_encode(words: *const u32, count: usize, len_out: *mut usize) -> *mut c_char {
        let words = std::slice::from_raw_parts(checked_array(words, count)?, count);
        let scopes = crate::scopes::Scopes::from_words(words)?;
        let text = crate::scopes::encode(&scopes)?;
        Ok(out_buffer(Some(text.as_bytes()), len_out))
    }
}

ffi_fn! {
    /// A `mappings` string for `count` segments of six u32 (see `writer::encode_segments`).
    fn lsm_mappings_encode(records: *const u32, count: usize, len_out: *mut usize) -> *mut c_char {
        let len = count
            .checked_mul(6)
            .ok_or_else(|| Error::new(ErrorKind::InvalidArgument, "too many segments"))?;
        let records = std::slice::from_raw_parts(checked_array(records, len)?, len);
        let text = crate::writer::encode_segments(records);
        Ok(out_buffer(Some(&text), len_out))
    }
}

ffi_fn! {
    /// The map of `count` parts joined with `\n` (see `writer::concat`): part `i` is
    /// `codes[i]` (`code_lens[i]` bytes), its view `views[i]` (NULL: none) and the name
    /// `names[i]` (`name_lens[i]` bytes) it is a source by when it has no view.
    fn lsm_concat(
        views: *const *const View,
        codes: *const *const c_char,
        code_lens: *const usize,
        names: *const *const c_char,
        name_lens: *const usize,
        count: usize,
        len_out: *mut usize,
    ) -> *mut c_char {
        let arrays = (
            std::slice::from_raw_parts(checked_array(views, count)?, count),
            std::slice::from_raw_parts(checked_array(codes, count)?, count),
            std::slice::from_raw_parts(checked_array(code_lens, count)?, count),
            std::slice::from_raw_parts(checked_array(names, count)?, count),
            std::slice::from_raw_parts(checked_array(name_lens, count)?, count),
        );
        let mut handles = Vec::with_capacity(count);
        for &view in arrays.0 {
            handles.push(match view.is_null() {
                true => None,
                false => Some(view_share(view)?),
            });
        }
        let mut parts = Vec::with_capacity(count);
        for (i, handle) in handles.iter().enumerate() {
            parts.push(crate::writer::ConcatPart {
                code: byte_slice(arrays.1[i], arrays.2[i])?,
                map: handle.as_deref(),
                name: byte_slice(arrays.3[i], arrays.4[i])?,
            });
        }
        let json = crate::writer::concat(&parts)?;
        Ok(out_buffer(Some(&json), len_out))
    }
}

ffi_fn! {
    /// The composed map of a tree of `count` views (see `remap::remap`): `views[0]` is
    /// the last step's map; the sources of every view in turn, `child_count` in all, are
    /// described by `children` (the index of the view that produced the source, or
    /// `LSM_NONE` for an original) and `names`/`name_lens` (the source's resolved name).
    fn lsm_remap(
        views: *const *const View,
        count: usize,
        children: *const u32,
        names: *const *const c_char,
        name_lens: *const usize,
        child_count: usize,
    ) -> *mut View {
        let views = std::slice::from_raw_parts(checked_array(views, count)?, count);
        let children = std::slice::from_raw_parts(checked_array(children, child_count)?, child_count);
        let names = std::slice::from_raw_parts(checked_array(names, child_count)?, child_count);
        let name_lens = std::slice::from_raw_parts(checked_array(name_lens, child_count)?, child_count);
        let mut handles = Vec::with_capacity(count);
        for &view in views {
            handles.push(view_share(view)?);
        }
        let mut nodes = Vec::with_capacity(count);
        // Per view, the source it was loaded for (a view is listed after the one that
        // names it, so this is known when its node is made).
        let mut loaded_for = vec![None; count];
        let mut next = 0usize;
        for (index, handle) in handles.iter().enumerate() {
            let sources = handle.source_count() as usize;
            let end = next.checked_add(sources).filter(|&end| end <= child_count).ok_or_else(|| {
                Error::new(ErrorKind::InvalidArgument, "fewer source descriptions than sources")
            })?;
            let mut node_children = Vec::with_capacity(sources);
            for i in next..end {
                let name = byte_slice(names[i], name_lens[i])?;
                node_children.push(match children[i] {
                    crate::mappings::NONE => crate::remap::Child::Original(name),
                    map => {
                        if let Some(slot) = loaded_for.get_mut(map as usize) {
                            *slot = Some(name);
                        }
                        crate::remap::Child::Map(map as usize)
                    }
                });
            }
            nodes.push(crate::remap::Node { view: handle, children: node_children, loaded_for: loaded_for[index] });
            next = end;
        }
        if next != child_count {
            return Err(Error::new(ErrorKind::InvalidArgument, "more source descriptions than sources"));
        }
        Ok(shared_view(crate::remap::remap(&nodes)?))
    }
}

ffi_fn! {
    /// The map after a debug ID snippet is injected at byte `at` of `code` (see
    /// `inject::injected_map`), as sentry-cli writes it.
    fn lsm_view_injected_map(
        view: *const View,
        code: *const c_char,
        code_len: usize,
        at: usize,
        debug_id: *const c_char,
        debug_id_len: usize,
        with_ignore_list: c_int,
        len_out: *mut usize,
    ) -> *mut c_char {
        let json = crate::inject::injected_map(
            handle(view)?,
            byte_slice(code, code_len)?,
            at,
            byte_slice(debug_id, debug_id_len)?,
            with_ignore_list != 0,
        )?;
        Ok(out_buffer(Some(&json), len_out))
    }
}

/// `count` strings given as pointers and lengths, a NULL pointer meaning none.
unsafe fn optional_strings<'a>(
    pointers: *const *const c_char,
    lens: *const usize,
    count: usize,
) -> crate::error::Result<Vec<Option<&'a [u8]>>> {
    let pointers = std::slice::from_raw_parts(checked_array(pointers, count)?, count);
    let lens = std::slice::from_raw_parts(checked_array(lens, count)?, count);
    let mut strings = Vec::with_capacity(count);
    for (&text, &len) in pointers.iter().zip(lens) {
        strings.push(match text.is_null() {
            true => None,
            false => Some(byte_slice(text, len)?),
        });
    }
    Ok(strings)
}
