//! Element types: sizes, numpy names and byte order.

use crate::generated::types::{ByteOrder, Dtype, ScalarKind};
use crate::npy::{DtypeInfo, DtypeKind};

/// Bytes per element, like `np.dtype(kind).itemsize`.
pub(crate) fn itemsize(kind: ScalarKind) -> u64 {
    match kind {
        ScalarKind::Bool | ScalarKind::Int8 | ScalarKind::Uint8 => 1,
        ScalarKind::Int16 | ScalarKind::Uint16 | ScalarKind::Float16 => 2,
        ScalarKind::Int32 | ScalarKind::Uint32 | ScalarKind::Float32 => 4,
        ScalarKind::Int64 | ScalarKind::Uint64 | ScalarKind::Float64 | ScalarKind::Complex64 => 8,
        ScalarKind::Complex128 => 16,
    }
}

/// The size of the numbers whose bytes a byte-order change reverses: the whole element, or each of
/// the two parts of a complex number.
pub(crate) fn swap_unit(kind: ScalarKind) -> usize {
    match kind {
        ScalarKind::Complex64 => 4,
        ScalarKind::Complex128 => 8,
        // Element sizes are at most 16, so this cannot truncate.
        other => usize::from(u8::try_from(itemsize(other)).unwrap_or(u8::MAX)),
    }
}

/// numpy's name for the kind, as in `dtype('float64').name`.
pub(crate) fn name(kind: ScalarKind) -> &'static str {
    match kind {
        ScalarKind::Bool => "bool",
        ScalarKind::Int8 => "int8",
        ScalarKind::Int16 => "int16",
        ScalarKind::Int32 => "int32",
        ScalarKind::Int64 => "int64",
        ScalarKind::Uint8 => "uint8",
        ScalarKind::Uint16 => "uint16",
        ScalarKind::Uint32 => "uint32",
        ScalarKind::Uint64 => "uint64",
        ScalarKind::Float16 => "float16",
        ScalarKind::Float32 => "float32",
        ScalarKind::Float64 => "float64",
        ScalarKind::Complex64 => "complex64",
        ScalarKind::Complex128 => "complex128",
    }
}

/// `dtype` with numpy's normalisation: one-byte kinds have no byte order (numpy's `|`), which this
/// host reports as `little`.
pub(crate) fn normalize(dtype: Dtype) -> Dtype {
    if itemsize(dtype.kind) == 1 { Dtype { kind: dtype.kind, byte_order: ByteOrder::Little } } else { dtype }
}

/// Whether values of `dtype` must have their bytes reversed between the file and this host.
pub(crate) fn needs_swap(dtype: Dtype) -> bool {
    let native = if cfg!(target_endian = "little") { ByteOrder::Little } else { ByteOrder::Big };
    itemsize(dtype.kind) > 1 && dtype.byte_order != native
}

/// `dtype` as the printing and `.npy` code describe it (`np.dtype('<f8')`).
pub(crate) fn to_info(dtype: Dtype) -> DtypeInfo {
    let (kind, size) = match dtype.kind {
        ScalarKind::Bool => (DtypeKind::Bool, 1),
        ScalarKind::Int8 => (DtypeKind::Int, 1),
        ScalarKind::Int16 => (DtypeKind::Int, 2),
        ScalarKind::Int32 => (DtypeKind::Int, 4),
        ScalarKind::Int64 => (DtypeKind::Int, 8),
        ScalarKind::Uint8 => (DtypeKind::UInt, 1),
        ScalarKind::Uint16 => (DtypeKind::UInt, 2),
        ScalarKind::Uint32 => (DtypeKind::UInt, 4),
        ScalarKind::Uint64 => (DtypeKind::UInt, 8),
        ScalarKind::Float16 => (DtypeKind::Float, 2),
        ScalarKind::Float32 => (DtypeKind::Float, 4),
        ScalarKind::Float64 => (DtypeKind::Float, 8),
        ScalarKind::Complex64 => (DtypeKind::Complex, 8),
        ScalarKind::Complex128 => (DtypeKind::Complex, 16),
    };
    // Every (kind, size) above is one numpy has.
    DtypeInfo::new(kind, size).unwrap_or(DtypeInfo::UINT8).with_big_endian(dtype.byte_order == ByteOrder::Big)
}

/// The inverse of [`to_info`].
pub(crate) fn from_info(info: DtypeInfo) -> Dtype {
    const KINDS: [ScalarKind; 14] = [
        ScalarKind::Bool,
        ScalarKind::Int8,
        ScalarKind::Int16,
        ScalarKind::Int32,
        ScalarKind::Int64,
        ScalarKind::Uint8,
        ScalarKind::Uint16,
        ScalarKind::Uint32,
        ScalarKind::Uint64,
        ScalarKind::Float16,
        ScalarKind::Float32,
        ScalarKind::Float64,
        ScalarKind::Complex64,
        ScalarKind::Complex128,
    ];
    let byte_order = if info.big_endian() { ByteOrder::Big } else { ByteOrder::Little };
    let kind = KINDS
        .into_iter()
        .find(|&kind| {
            let probe = to_info(Dtype { kind, byte_order });
            probe.kind() == info.kind() && probe.itemsize() == info.itemsize()
        })
        .unwrap_or(ScalarKind::Uint8);
    normalize(Dtype { kind, byte_order })
}
