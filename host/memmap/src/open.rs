//! `np.memmap(path, dtype, mode, offset, shape, order)`: opening, sizing and mapping a file exactly
//! as numpy's `numpy/_core/memmap.py` does, beneath a granted directory.

use std::os::unix::fs::{FileExt, FileTypeExt};
use std::path::Path;
use std::sync::Arc;

use cap_std::fs::{OpenOptions, OpenOptionsExt};
use wasm_memmap_numpy_core::{self as numpy, DType, Extent, MemmapArgs, Mode, Order, npy};

use crate::backing::Backing;
use crate::ctx::MemmapCtx;
use crate::error::Error;
use crate::generated::types::{self, Dtype};
use crate::grants;
use crate::handle::{FileOrigin, Memmap};
use crate::layout;
use crate::map::MappedFile;
use crate::map::{MappedRegion, MmapAccess};

/// The arguments of `memmap.open`.
pub(crate) struct OpenArgs {
    pub path: String,
    pub dtype: Dtype,
    pub mode: types::Mode,
    pub shape: Option<Vec<u64>>,
    pub offset: u64,
    pub order: types::Order,
}

/// Opens and maps a file for a guest.
///
/// # Errors
/// numpy's errors, with numpy's messages, and the grant's refusals.
pub(crate) fn open(ctx: &mut MemmapCtx, args: OpenArgs) -> Result<Memmap, Error> {
    // Guest lists and strings are bounded before anything is copied or formatted from them.
    grants::check_path(&args.path)?;
    if let Some(shape) = &args.shape {
        layout::check_ndim(shape.len())?;
    }
    let OpenArgs { path, dtype, mode, shape, offset, order } = args;
    let args = MemmapArgs { dtype: dtype.into(), mode: mode.into(), shape, offset, order: order.into() };
    open_with_header(ctx, path, args, None)
}

/// Opens a `.npy` file, like `np.load(path, mmap_mode=mode)` (numpy's `open_memmap(path, mode)`):
/// dtype, shape and order come from the file's header, the array starts after it.
///
/// # Errors
/// The header's errors (numpy's messages, see [`npy`]), mode `w+` (which needs a dtype and shape:
/// [`create_npy`]), and those of [`open`].
pub(crate) fn open_npy(ctx: &mut MemmapCtx, path: String, mode: types::Mode) -> Result<Memmap, Error> {
    grants::check_path(&path)?;
    let mode = Mode::from(mode);
    if mode == Mode::Write {
        return Err(Error::invalid(
            "mode 'w+' makes a new .npy file, which needs a dtype and a shape: use create-npy \
             (numpy's open_memmap(path, mode='w+', dtype=..., shape=...))",
        ));
    }
    let file = open_file(ctx, &path, Mode::ReadOnly, |_| Ok(()))?.file;
    let header = npy::read_header(&file).map_err(|e| match e {
        npy::ReadError::Io(e) => Error::from_io(&e, &path),
        npy::ReadError::Header(h) => numpy::Error::from(h).into(),
    })?;
    drop(file);
    let order = if header.fortran_order { Order::Fortran } else { Order::C };
    // `open`'s checks, without its conversions from the WIT's types.
    layout::check_ndim(header.shape.len())?;
    let args = MemmapArgs { dtype: header.dtype, mode, shape: Some(header.shape), offset: header.data_offset, order };
    open_with_header(ctx, path, args, None)
}

/// Creates (or truncates) a `.npy` file, like `np.lib.format.open_memmap(path, mode='w+', dtype,
/// shape, fortran_order)`: writes numpy's header and maps the zeroed data after it. Like numpy's,
/// the array reports mode `r+`.
///
/// # Errors
/// As [`open`] with mode `w+`.
pub(crate) fn create_npy(
    ctx: &mut MemmapCtx,
    path: String,
    dtype: Dtype,
    shape: Vec<u64>,
    order: types::Order,
) -> Result<Memmap, Error> {
    // Before the header formats the shape: a 64-axis header is 1.5 KB, a guest's list may be 100 MB.
    grants::check_path(&path)?;
    layout::check_ndim(shape.len())?;
    let (dtype, order) = (DType::from(dtype), Order::from(order));
    let header = npy::header_bytes(&dtype, order == Order::Fortran, &shape);
    let offset = u64::try_from(header.len()).map_err(|_| Error::overflow("the .npy header is too long"))?;
    let args = MemmapArgs { dtype, mode: Mode::Write, shape: Some(shape), offset, order };
    open_with_header(ctx, path, args, Some(&header))
}

/// [`open`], writing `header` at the start of the file (mode `w+` only) before the data are mapped.
fn open_with_header(
    ctx: &mut MemmapCtx,
    path: String,
    args: MemmapArgs,
    header: Option<&[u8]>,
) -> Result<Memmap, Error> {
    // Everything that can be checked without the file is checked before it is opened (numpy's
    // rules, in numpy's order), so a bad argument never truncates a file in mode `w+` (numpy
    // truncates first).
    let sized = args.check()?;
    let MemmapArgs { dtype, mode, offset, order, .. } = args;
    ctx.check_new_handle()?;
    ctx.check_new_open_map(&path)?;
    if let Some(sized) = &sized {
        ctx.check_new_map(sized.nbytes())?;
        if mode == Mode::CopyOnWrite {
            ctx.check_copy_on_write(sized.nbytes())?;
        }
        if mode == Mode::Write {
            ctx.check_file_size(&path, sized.file_len_to_write(), Mode::Write.as_str())?;
        }
    }

    // Mode `w+` replaces the file: what it adds is its new size less the old one, checked against
    // the plugin's total before the file is truncated.
    let total_check = |previous_len: u64| match &sized {
        Some(sized) => {
            let wanted = sized.file_len_to_write();
            ctx.check_total_file_bytes(&path, wanted.saturating_sub(previous_len), wanted, Mode::Write.as_str())
        }
        None => Ok(()),
    };
    let OpenedFile { file, len: file_len, previous_len, created_in } = open_file(ctx, &path, mode, total_check)?;

    let sized = match sized {
        Some(sized) => sized,
        None => {
            let sized = Extent::from_file_len(file_len, offset, dtype, order)?;
            ctx.check_new_map(sized.nbytes())?;
            if mode == Mode::CopyOnWrite {
                ctx.check_copy_on_write(sized.nbytes())?;
            }
            sized
        }
    };
    let (nbytes, end, layout) = (sized.nbytes(), sized.end(), sized.layout()?);

    let kind = match mode {
        Mode::ReadOnly => MmapAccess::Read,
        Mode::ReadWrite | Mode::Write => MmapAccess::Write,
        Mode::CopyOnWrite => MmapAccess::Copy,
    };
    let writes = mode.writes_file();
    // Whether the open changed the file outside the mapping (its size, its header, its existence),
    // which the next flush must sync (see `MappedFile::needs_sync`).
    let mut changed = mode == Mode::Write;
    if writes {
        // numpy grows a short file (never shrinks it) and keeps at least one byte, so that even an
        // empty array has a file to map (numpy gh-27723).
        let wanted = sized.file_len_to_write();
        if file_len < wanted {
            ctx.check_file_size(&path, wanted, mode.as_str())?;
            // `w+` was checked against the total before the truncation, `r+` is checked here.
            let added = wanted - if mode == Mode::Write { previous_len.min(wanted) } else { file_len };
            if mode == Mode::ReadWrite {
                ctx.check_total_file_bytes(&path, added, wanted, Mode::ReadWrite.as_str())?;
            }
            file.set_len(wanted).map_err(|e| Error::from_io(&e, &path))?;
            ctx.stats.file_grown(added);
            changed = true;
        }
        if let Some(header) = header {
            file.write_all_at(header, 0).map_err(|e| Error::from_io(&e, &path))?;
            changed = true;
        }
    } else {
        sized.check_file_len(mode, file_len)?;
    }

    let raw = if nbytes == 0 {
        None
    } else {
        let len = usize::try_from(nbytes)
            .map_err(|_| Error::overflow(format!("{nbytes} bytes do not fit in this host's address space")))?;
        Some(MappedRegion::new(&file, offset, len, kind).map_err(|e| Error::from_io(&e, &path))?)
    };
    let map = Arc::new(MappedFile::new(raw, kind, file, end, ctx.stats(), path.clone()));
    if changed {
        map.needs_sync(created_in);
    }
    let map = Backing::File(map);
    ctx.track(&map);
    // numpy's open_memmap maps a new .npy file with mode 'r+' after writing its header.
    let mode = if header.is_some() { Mode::ReadWrite } else { mode };
    let opened = FileOrigin { path, dtype: dtype.into(), mode: mode.into(), offset, order: order.into() };
    Ok(Memmap::new(map, Arc::new(opened), layout))
}

/// A file [`open_file`] opened.
struct OpenedFile {
    file: std::fs::File,
    /// Its length once open (0 after `w+` truncated it).
    len: u64,
    /// Its length before the open (0 when there was no file).
    previous_len: u64,
    /// For a file `w+` created: the directory holding its new name, to sync at the next flush.
    created_in: Option<std::fs::File>,
}

/// Opens `path` beneath the grants for `mode` (`O_RDONLY`, `O_RDWR`, or `O_RDWR|O_CREAT|O_TRUNC`
/// for `w+`, as numpy does) and checks it is a regular file. In mode `w+`, `before_truncate` is
/// called with the file's present length (0 when there is none) before it is opened, and can still
/// refuse.
fn open_file(
    ctx: &MemmapCtx,
    path: &str,
    mode: Mode,
    before_truncate: impl FnOnce(u64) -> Result<(), Error>,
) -> Result<OpenedFile, Error> {
    let resolved = grants::resolve(&ctx.grants, path)?;
    let grant = resolved.grant;
    let writes = mode.writes_file();
    if writes && !grant.writable() {
        return Err(grants::read_only_error(path, grant, mode.as_str()));
    }
    if writes {
        // A chunk or the zarr.json of an array given a write region is written through its
        // region's check only.
        crate::zarr::regioned::check_file_write(ctx, path)?;
    }
    // Refuse anything but a regular file before opening it: opening a device or a FIFO can itself
    // do something (a tape rewinds, a terminal becomes the controlling one). The check after the
    // open below stays, for a file swapped between the two.
    let existing = grant.dir().metadata(&resolved.rest);
    if let Ok(meta) = &existing {
        if meta.is_dir() {
            return Err(Error::from_io(&std::io::Error::from_raw_os_error(libc::EISDIR), path));
        }
        if !meta.is_file() {
            return Err(Error::invalid(format!("'{path}' is not a regular file and cannot be memory-mapped")));
        }
    }
    let previous_len = existing.as_ref().map_or(0, cap_std::fs::Metadata::len);
    // The directory that will hold a name `w+` creates, opened beneath the grant like the file.
    let mut created_in = None;
    if mode == Mode::Write {
        before_truncate(previous_len)?;
        if existing.as_ref().is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound) {
            let parent = resolved.rest.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            // Read access, not cap-std's `open_dir` (`O_PATH`, on which `fsync` fails with EBADF).
            let mut options = OpenOptions::new();
            options.read(true).custom_flags(libc::O_DIRECTORY | libc::O_NOCTTY);
            let dir = grant.dir().open_with(parent, &options).map_err(|e| {
                if grants::is_escape(&e) { grants::escape_error(path, grant) } else { Error::from_io(&e, path) }
            })?;
            created_in = Some(dir.into_std());
        }
    }
    let mut options = OpenOptions::new();
    options.read(true);
    if writes {
        options.write(true);
    }
    if mode == Mode::Write {
        options.create(true).truncate(true);
    }
    // O_NONBLOCK: opening a FIFO must not hang the host; it is refused below as not a regular file.
    options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    let file = grant.dir().open_with(&resolved.rest, &options).map_err(|e| {
        if grants::is_escape(&e) { grants::escape_error(path, grant) } else { Error::from_io(&e, path) }
    })?;
    let file = file.into_std();
    let meta = file.metadata().map_err(|e| Error::from_io(&e, path))?;
    if meta.is_dir() {
        return Err(Error::from_io(&std::io::Error::from_raw_os_error(libc::EISDIR), path));
    }
    let ft = meta.file_type();
    if !meta.is_file() || ft.is_fifo() || ft.is_socket() || ft.is_block_device() || ft.is_char_device() {
        return Err(Error::invalid(format!("'{path}' is not a regular file and cannot be memory-mapped")));
    }
    Ok(OpenedFile { file, len: meta.len(), previous_len, created_in })
}
