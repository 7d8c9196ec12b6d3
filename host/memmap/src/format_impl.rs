//! The `format` interface: numpy's `repr`/`str` of a selection, printed by the host with the
//! `arrayprint` crate (the code the SDK's `repr` and the CLI's `show` use), so every plugin
//! language prints exactly as numpy does.
//!
//! Both the elements read and the text made are bounded by the embedder's per-call transfer
//! limit before anything is read or formatted: the elements numpy's summarisation keeps are
//! counted first (a `threshold` of 2**63 would otherwise print a whole 64 GiB map), and the text
//! is bounded from the widest text one element can print as under the options (`precision`
//! decides it for floats). Every argument arrayprint would panic on (a `kept` list of the wrong
//! length, an element of another type, a precision past `i32`) is ruled out here, and a panic that
//! got through anyway traps the plugin instead of unwinding into the embedder.

use std::ops::Range;

use wasm_memmap_arrayprint::{self as print, DtypeInfo, FloatMode, Legacy, PrintOptions, Selection, Sign};
use wasm_memmap_numpy_core::{self as numpy, DType, Kind, KindClass};
use wasmtime::component::Resource;

use crate::WasmMemmap;
use crate::elements;
use crate::error::{Error, HostError, Limit};
use crate::generated::format::{self, Host, Style};
use crate::generated::types::{Dtype, Index, Slice};
use crate::handle::Memmap;
use crate::layout::{self, Layout};
use crate::meter::Meter;

/// The longest `class-name` accepted, in bytes: far more than any Python class name people
/// write, and short enough that a name cannot make the text large on its own.
pub(crate) const MAX_CLASS_NAME: usize = 256;

/// numpy's Dragon4 writes into a buffer of 16384 characters (a longer result is its
/// `RuntimeError: Float formatting result too large`), so a precision past it never prints more
/// digits; arrayprint caps its digits the same way. Precisions are clamped to it, which also keeps
/// them in the `i32` arrayprint computes with.
const MAX_PRECISION: usize = 16_384;

/// Checks `class-name` as numpy's `repr` would write it, `type(a).__name__`: a Python
/// identifier (a letter or `_`, then letters, digits or `_`) of at most [`MAX_CLASS_NAME`] bytes.
fn check_class_name(name: &str) -> Result<(), Error> {
    if name.len() > MAX_CLASS_NAME {
        return Err(Error::invalid(format!(
            "class-name is {} bytes long, longer than the {MAX_CLASS_NAME} bytes allowed; a class name is a Python identifier such as 'memmap'",
            name.len()
        )));
    }
    let mut chars = name.chars();
    let starts = chars.next().is_some_and(|c| c == '_' || c.is_alphabetic());
    if !starts || !chars.all(|c| c == '_' || c.is_alphanumeric()) {
        return Err(Error::invalid(format!(
            "class-name {name:?} is not a Python identifier; numpy's repr starts with the class's name, such as 'memmap' or 'array'"
        )));
    }
    Ok(())
}

/// The WIT's print options as arrayprint's, numbers converted without loss.
fn print_options(options: &format::PrintOptions) -> Result<PrintOptions, Error> {
    let size = |v: u64, what: &str| {
        usize::try_from(v).map_err(|_| Error::invalid(format!("{what} {v} does not fit in this host's address space")))
    };
    Ok(PrintOptions {
        precision: size(u64::from(options.precision), "precision")?.min(MAX_PRECISION),
        threshold: size(options.threshold, "threshold")?,
        edgeitems: size(u64::from(options.edgeitems), "edgeitems")?,
        linewidth: size(u64::from(options.linewidth), "linewidth")?,
        suppress: options.suppress,
        floatmode: match options.floatmode {
            format::FloatMode::Fixed => FloatMode::Fixed,
            format::FloatMode::Unique => FloatMode::Unique,
            format::FloatMode::Maxprec => FloatMode::MaxPrec,
            format::FloatMode::MaxprecEqual => FloatMode::MaxPrecEqual,
        },
        sign: match options.sign {
            format::Sign::Minus => Sign::Minus,
            format::Sign::Plus => Sign::Plus,
            format::Sign::Space => Sign::Space,
        },
        legacy: match options.legacy {
            format::Legacy::None => Legacy::None,
            format::Legacy::V21 => Legacy::V2_1,
        },
    })
}

/// The most characters one element of `kind` prints as under `options`, its separator and line
/// break included. Floats: a positional value has at most 16 digits before the point (larger
/// values switch to scientific notation) and `precision` after it, except the shortest-unique
/// digits of a tiny value with `suppress` (up to 1074 fraction digits of a subnormal float64,
/// cut at numpy's 16384 characters).
fn word_bound(kind: Kind, options: &PrintOptions) -> u64 {
    let precision = u64::try_from(options.precision).unwrap_or(u64::MAX);
    let float = match options.floatmode {
        FloatMode::Unique if options.suppress => 1_100,
        FloatMode::Unique => 40,
        _ => precision.saturating_add(40),
    };
    let word = match kind.class() {
        KindClass::Bool => 5,
        KindClass::Int | KindClass::UInt => 21,
        KindClass::Float => float,
        KindClass::Complex => float.saturating_mul(2).saturating_add(4),
    };
    word.saturating_add(4)
}

/// The most bytes of text `repr`/`str` can make from `kept` elements of an array of `ndim` axes:
/// each element's word, plus, should every element sit on a line of its own (a `linewidth` of
/// 1), that line's indentation and the brackets and blank lines between blocks; plus the
/// `shape=`/`dtype=` suffixes.
fn text_bound(kept: u64, kind: Kind, ndim: usize, class_name: &str, options: &PrintOptions) -> u64 {
    let ndim = u64::try_from(ndim).unwrap_or(u64::MAX);
    let prefix = u64::try_from(class_name.len()).unwrap_or(u64::MAX).saturating_add(2);
    let per_element = word_bound(kind, options).saturating_add(prefix).saturating_add(ndim.saturating_mul(3));
    kept.saturating_mul(per_element).saturating_add(prefix).saturating_add(ndim.saturating_mul(24)).saturating_add(256)
}

/// The shape as `usize`s, as arrayprint takes it.
fn shape_usize(shape: &[u64]) -> Result<Vec<usize>, Error> {
    shape
        .iter()
        .map(|&d| usize::try_from(d).map_err(|_| Error::overflow(format!("axis length {d} is too large to print"))))
        .collect()
}

impl WasmMemmap<'_> {
    /// The elements numpy shows of an array of `shape` and `kind` under `options`, and an upper
    /// bound on the text printing them makes (with `class_name`), once both are checked against the
    /// per-call transfer limit: nothing is read or formatted before this.
    fn plan_print(
        &self,
        shape: &[usize],
        kind: Kind,
        class_name: &str,
        options: &PrintOptions,
    ) -> Result<(Selection, u64), Error> {
        let selection = Selection::new(shape, options);
        let kept = selection.len();
        let itemsize = kind.itemsize();
        let text = |kept| text_bound(kept, kind, shape.len(), class_name, options);
        let max = self.ctx.limits.max_transfer_bytes;
        let summary = format!(
            "(numpy's summarisation, with threshold {} and edgeitems {}, keeps that many)",
            options.threshold, options.edgeitems
        );
        let kept = kept.and_then(|k| u64::try_from(k).ok());
        let bytes = kept.and_then(|k| k.checked_mul(u64::try_from(itemsize).ok()?));
        let Some((kept, bytes)) = kept.zip(bytes).filter(|&(_, bytes)| bytes <= max) else {
            let shown = kept.map_or_else(|| "more than 2**64".to_string(), |k| k.to_string());
            return Err(Error::limit_exceeded(
                Limit::TransferBytes,
                format!(
                    "printing this array would read {shown} elements {summary}, over the limit of {max} bytes per call; lower threshold or edgeitems"
                ),
            ));
        };
        let text = text(kept);
        if text > max {
            return Err(Error::limit_exceeded(
                Limit::TransferBytes,
                format!(
                    "printing this array could make up to {text} bytes of text from its {kept} elements ({bytes} bytes) {summary}, over the limit of {max} bytes per call; lower threshold, edgeitems or precision"
                ),
            ));
        }
        Ok((selection, text))
    }

    /// Checks the text made against the transfer limit (it is within the bound checked before,
    /// unless that bound is wrong).
    fn check_text(&self, text: &str) -> Result<(), Error> {
        let max = self.ctx.limits.max_transfer_bytes;
        let len = u64::try_from(text.len()).unwrap_or(u64::MAX);
        if len > max {
            return Err(Error::limit_exceeded(
                Limit::TransferBytes,
                format!(
                    "the printed text of {len} bytes is over the limit of {max} bytes per call; lower threshold, edgeitems or precision"
                ),
            ));
        }
        Ok(())
    }
}

/// `a[r0, r1, ...]` for one block of kept ranges.
fn block_index(block: &[Range<usize>]) -> Vec<Index> {
    let end = |v: usize| i64::try_from(v).unwrap_or(i64::MAX);
    block
        .iter()
        .map(|r| Index::Slice(Slice { start: Some(end(r.start)), stop: Some(end(r.end)), step: None }))
        .collect()
}

/// Decodes elements of `kind` in the host's byte order into the values arrayprint takes.
fn decode(kind: Kind, bytes: &[u8]) -> Result<Vec<print::Scalar>, Error> {
    let order = DType::native(kind).byte_order();
    bytes
        .chunks_exact(kind.itemsize())
        .map(|chunk| {
            numpy::Scalar::decode(kind, chunk, order)
                .map(print::Scalar::from)
                .ok_or_else(|| Error::overflow("a short element"))
        })
        .collect()
}

/// The elements of `layout` that `selection` keeps, read block by block in C order of the kept
/// array.
fn read_kept(
    map: &crate::backing::Backing,
    layout: &Layout,
    dtype: Dtype,
    selection: &Selection,
    meter: &mut Meter<'_>,
) -> Result<Vec<print::Scalar>, Error> {
    let kind = DType::from(dtype).kind();
    selection.gather(|block| {
        let sub = layout.view(&block_index(block))?;
        decode(kind, &elements::read_bytes(map, &sub, dtype, meter)?)
    })
}

/// arrayprint's text for `style`; a panic (which the checks before rule out) is a trap, not an
/// unwind through wasmtime into the embedder.
fn render(
    style: Style,
    class_name: &str,
    shape: &[usize],
    kept: &[print::Scalar],
    dtype: &DtypeInfo,
    options: &PrintOptions,
) -> Result<String, HostError> {
    let made = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match style {
        Style::Repr => print::repr(class_name, shape, kept, dtype, options),
        Style::Str => print::str(shape, kept, dtype, options),
    }));
    made.map_err(|_| HostError::trap(wasmtime::Error::msg("the host's array printer failed")))
}

impl Host for WasmMemmap<'_> {
    fn format_memmap(
        &mut self,
        array: Resource<Memmap>,
        index: Vec<Index>,
        style: Style,
        class_name: String,
        options: format::PrintOptions,
    ) -> Result<String, HostError> {
        check_class_name(&class_name)?;
        let options = print_options(&options)?;
        let handle = self.table.get(&array)?;
        handle.map().check_open()?;
        let layout = handle.layout().view(&index)?;
        let dtype = handle.origin().dtype;
        let kind = DType::from(dtype).kind();
        let shape = shape_usize(layout.shape())?;
        let (selection, text) = self.plan_print(&shape, kind, &class_name, &options)?;
        let mut meter = self.ctx.meter();
        let kept = read_kept(handle.map(), &layout, dtype, &selection, &mut meter)?;
        // Formatting is charged as the text it may make, before it is made.
        meter.charge_stretch(1, text)?;
        meter.finish()?;
        let text = render(style, &class_name, &shape, &kept, &DtypeInfo::from(DType::from(dtype)), &options)?;
        self.check_text(&text)?;
        Ok(text)
    }

    fn format_bytes(
        &mut self,
        dtype: Dtype,
        shape: Vec<u64>,
        data: Vec<u8>,
        style: Style,
        class_name: String,
        options: format::PrintOptions,
    ) -> Result<String, HostError> {
        layout::check_ndim(shape.len())?;
        check_class_name(&class_name)?;
        let options = print_options(&options)?;
        // The data are in the plugin's byte order, whatever `dtype` says.
        let dtype = DType::from(dtype);
        let native = DType::native(dtype.kind());
        let kind = dtype.kind();
        let count = layout::element_count(&shape);
        let needed = count.and_then(|c| c.checked_mul(kind.itemsize_u64()));
        let given = u64::try_from(data.len()).unwrap_or(u64::MAX);
        if needed != Some(given) {
            let count = count.map_or_else(|| "more than 2**64".to_string(), |c| c.to_string());
            let needed = needed.map_or_else(|| "more than 2**64".to_string(), |n| n.to_string());
            return Err(Error::mismatch(format!(
                "{given} bytes were given but shape {} holds {count} elements of {}, {needed} bytes",
                layout::shape_str(&shape),
                kind.name()
            ))
            .into());
        }
        let shape = shape_usize(&shape)?;
        let (selection, text) = self.plan_print(&shape, kind, &class_name, &options)?;
        let mut meter = self.ctx.meter();
        meter.charge_stretch(1, text)?;
        meter.finish()?;
        // C-order strides in elements; every kept index is inside the shape, whose elements
        // `data` holds, so the offsets are in bounds (checked anyway).
        let mut strides = vec![1usize; shape.len()];
        for axis in (0..shape.len().saturating_sub(1)).rev() {
            strides[axis] = strides[axis + 1].saturating_mul(shape[axis + 1]);
        }
        let item = kind.itemsize();
        let mut kept = Vec::new();
        for at in selection.indices() {
            let flat = at.iter().zip(&strides).try_fold(0usize, |acc, (&i, &s)| acc.checked_add(i.checked_mul(s)?));
            let bytes = flat
                .and_then(|f| f.checked_mul(item))
                .and_then(|start| data.get(start..start.checked_add(item)?))
                .ok_or_else(|| Error::overflow("an element outside the data"))?;
            kept.extend(decode(kind, bytes)?);
        }
        let text = render(style, &class_name, &shape, &kept, &DtypeInfo::from(native), &options)?;
        self.check_text(&text)?;
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_names_are_bounded_python_identifiers() {
        for good in ["memmap", "array", "_private", "Ünïcode", "a1", &"x".repeat(MAX_CLASS_NAME)] {
            assert_eq!(check_class_name(good), Ok(()), "{good}");
        }
        for bad in ["", "1abc", "a b", "a(", "memmap([1])", "a.b", &"x".repeat(MAX_CLASS_NAME + 1)] {
            let err = check_class_name(bad).expect_err(bad);
            assert_eq!(err.code(), crate::ErrorCode::InvalidArgument, "{bad}");
        }
    }

    /// The bound is above what numpy prints for the widest values of every kind, under options
    /// that make text long.
    #[test]
    fn the_text_bound_covers_the_widest_elements() {
        let options = PrintOptions { linewidth: 1, ..PrintOptions::default() };
        let cases: [(Kind, &[print::Scalar]); 5] = [
            (Kind::Int64, &[print::Scalar::Int(i128::from(i64::MIN)), print::Scalar::Int(1)]),
            (
                Kind::Float64,
                &[
                    print::Scalar::Float(-1.234_567_891_234_5e-300, print::FloatKind::F64),
                    print::Scalar::Float(1e300, print::FloatKind::F64),
                ],
            ),
            (
                Kind::Float64,
                &[
                    print::Scalar::Float(5e-324, print::FloatKind::F64),
                    print::Scalar::Float(-1e-300, print::FloatKind::F64),
                ],
            ),
            (Kind::Bool, &[print::Scalar::Bool(false), print::Scalar::Bool(true)]),
            (
                Kind::Complex128,
                &[
                    print::Scalar::Complex(-1e-300, 1e300, print::FloatKind::F64),
                    print::Scalar::Complex(1.0, -0.5, print::FloatKind::F64),
                ],
            ),
        ];
        for floatmode in [FloatMode::Fixed, FloatMode::Unique, FloatMode::MaxPrec, FloatMode::MaxPrecEqual] {
            for suppress in [false, true] {
                let options = PrintOptions { floatmode, suppress, precision: 30, ..options.clone() };
                for (kind, values) in &cases {
                    let shape = [1, values.len(), 1];
                    let text = print::repr("memmap", &shape, values, &DtypeInfo::from(DType::native(*kind)), &options);
                    let bound = text_bound(2, *kind, 3, "memmap", &options);
                    assert!(
                        u64::try_from(text.len()).unwrap_or(u64::MAX) <= bound,
                        "{kind:?} {floatmode:?} {suppress}: {text}"
                    );
                }
            }
        }
    }
}
