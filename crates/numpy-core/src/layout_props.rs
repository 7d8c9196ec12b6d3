//! Property tests of the index arithmetic in `layout.rs` against a brute-force model.
//!
//! The model keeps an array as the explicit list of its elements' byte offsets (in C order of its
//! shape, as `i128`), and applies an index the way Python does, position by position: `slice`'s
//! `indices()` rules, then `range(start, stop, step)`. For random shapes, orders, item sizes and
//! chains of up to three indices (with integers drawn from the whole `i64` range as well as near
//! the axis lengths), [`Layout::view`] must give the model's shape and, through
//! [`Layout::for_each_stretch`], exactly the model's offsets; where the model refuses, the layout must
//! give the same typed error, and it must never panic. `PROPTEST_CASES` sets the number of cases
//! (default 10,000 here; see the README for a longer run).

use proptest::prelude::*;

use crate::error::{Error, ErrorCode};
use crate::index::{Index, Slice};
use crate::layout::Layout;
use crate::mode::Order;

/// An array in the model: its shape and its elements' byte offsets in C order.
#[derive(Debug, Clone, PartialEq)]
struct Model {
    shape: Vec<u64>,
    offsets: Vec<i128>,
}

impl Model {
    fn contiguous(shape: &[u64], itemsize: u64, order: Order) -> Self {
        let total: u64 = shape.iter().product();
        let mut offsets = Vec::new();
        for linear in 0..total {
            // The multi-index of the `linear`-th element in C order.
            let mut idx = vec![0u64; shape.len()];
            let mut rest = linear;
            for k in (0..shape.len()).rev() {
                idx[k] = rest % shape[k];
                rest /= shape[k];
            }
            let position: u64 = match order {
                Order::C => linear,
                Order::Fortran => {
                    let (mut p, mut scale) = (0, 1);
                    for k in 0..shape.len() {
                        p += idx[k] * scale;
                        scale *= shape[k];
                    }
                    p
                }
            };
            offsets.push(i128::from(position * itemsize));
        }
        Self { shape: shape.to_vec(), offsets }
    }

    /// The element at a multi-index.
    fn at(&self, idx: &[u64]) -> i128 {
        let mut linear = 0u64;
        for (k, &i) in idx.iter().enumerate() {
            linear = linear * self.shape[k] + i;
        }
        self.offsets[usize::try_from(linear).unwrap_or(usize::MAX)]
    }

    /// Python's `a[index]` for basic indexing, or the error code numpy's exception maps to.
    fn view(&self, index: &[Index]) -> Result<Self, ErrorCode> {
        let ellipses = index.iter().filter(|i| matches!(i, Index::Ellipsis)).count();
        if ellipses > 1 {
            return Err(ErrorCode::IndexOutOfBounds);
        }
        let consuming = index.iter().filter(|i| matches!(i, Index::At(_) | Index::Slice(_))).count();
        if consuming > self.shape.len() {
            return Err(ErrorCode::IndexOutOfBounds);
        }
        // Expand `...` (or append it) into full slices.
        let full = Index::Slice(Slice { start: None, stop: None, step: None });
        let mut items = Vec::new();
        let mut expanded = false;
        for i in index {
            if matches!(i, Index::Ellipsis) {
                items.extend(std::iter::repeat_n(full, self.shape.len() - consuming));
                expanded = true;
            } else {
                items.push(*i);
            }
        }
        if !expanded {
            items.extend(std::iter::repeat_n(full, self.shape.len() - consuming));
        }
        if items.len() > 64 {
            return Err(ErrorCode::IndexOutOfBounds);
        }
        // Per result axis: the positions it takes on its source axis (None for a new axis); and per
        // source axis the position fixed by an integer.
        let mut axes: Vec<(Option<usize>, Vec<u64>)> = Vec::new();
        let mut fixed: Vec<Option<u64>> = vec![None; self.shape.len()];
        let mut src = 0;
        for item in items {
            match item {
                Index::NewAxis => axes.push((None, vec![0])),
                Index::At(i) => {
                    let len = i128::from(self.shape[src]);
                    let p = if i < 0 { len + i128::from(i) } else { i128::from(i) };
                    if p < 0 || p >= len {
                        return Err(ErrorCode::IndexOutOfBounds);
                    }
                    fixed[src] = Some(u64::try_from(p).unwrap_or(0));
                    src += 1;
                }
                Index::Slice(s) => {
                    axes.push((Some(src), positions(s, self.shape[src])?));
                    src += 1;
                }
                Index::Ellipsis => unreachable!("expanded above"),
            }
        }
        let shape: Vec<u64> = axes.iter().map(|(_, p)| u64::try_from(p.len()).unwrap_or(u64::MAX)).collect();
        let total: u64 = shape.iter().product();
        let mut offsets = Vec::new();
        for linear in 0..total {
            let mut rest = linear;
            let mut pick = vec![0u64; shape.len()];
            for k in (0..shape.len()).rev() {
                pick[k] = rest % shape[k];
                rest /= shape[k];
            }
            let mut idx: Vec<u64> = fixed.iter().map(|f| f.unwrap_or(0)).collect();
            for (k, (source, taken)) in axes.iter().enumerate() {
                if let Some(source) = source {
                    idx[*source] = taken[usize::try_from(pick[k]).unwrap_or(0)];
                }
            }
            offsets.push(self.at(&idx));
        }
        Ok(Self { shape, offsets })
    }
}

/// The positions `range(*slice.indices(len))` takes, computed step by step.
fn positions(s: Slice, len: u64) -> Result<Vec<u64>, ErrorCode> {
    let step = i128::from(s.step.unwrap_or(1));
    if step == 0 {
        return Err(ErrorCode::InvalidArgument);
    }
    let len = i128::from(len);
    let (lower, upper) = if step < 0 { (-1, len - 1) } else { (0, len) };
    let clamp = |v: Option<i64>, default: i128| match v {
        None => default,
        Some(v) if v < 0 => (i128::from(v) + len).max(lower),
        Some(v) => i128::from(v).min(upper),
    };
    let start = clamp(s.start, if step < 0 { upper } else { lower });
    let stop = clamp(s.stop, if step < 0 { lower } else { upper });
    let mut out = Vec::new();
    let mut p = start;
    while (step > 0 && p < stop) || (step < 0 && p > stop) {
        out.push(u64::try_from(p).unwrap_or(0));
        p += step;
    }
    Ok(out)
}

/// The byte offsets of a layout's elements in C order, as `for_each_stretch` reports them.
fn layout_offsets(layout: &Layout) -> Vec<i128> {
    let c = Layout::contiguous(layout.shape(), layout.itemsize(), Order::C).expect("a small shape");
    let size = usize::try_from(layout.size()).expect("small");
    let mut out = vec![-1i128; size];
    layout
        .for_each_stretch::<Error>(c.strides(), |stretch| {
            for j in 0..stretch.count {
                let array = i128::from(stretch.array_offset) + i128::from(j) * i128::from(stretch.array_stride);
                let buffer = i128::from(stretch.buffer_offset) + i128::from(j) * i128::from(stretch.buffer_stride);
                let slot = usize::try_from(buffer / i128::from(layout.itemsize())).expect("in the buffer");
                out[slot] = array;
            }
            Ok(())
        })
        .expect("stretches of a valid view");
    out
}

/// An integer that is sometimes near an axis length and sometimes anything at all.
fn hostile_int() -> impl Strategy<Value = i64> {
    prop_oneof![4 => -8i64..8, 1 => any::<i64>(), 1 => Just(i64::MIN), 1 => Just(i64::MAX)]
}

fn index_item() -> impl Strategy<Value = Index> {
    let opt = || proptest::option::weighted(0.7, hostile_int());
    prop_oneof![
        3 => hostile_int().prop_map(Index::At),
        5 => (opt(), opt(), opt()).prop_map(|(start, stop, step)| Index::Slice(Slice { start, stop, step })),
        1 => Just(Index::Ellipsis),
        1 => Just(Index::NewAxis),
    ]
}

fn order() -> impl Strategy<Value = Order> {
    prop_oneof![Just(Order::C), Just(Order::Fortran)]
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    /// A chain of views selects exactly the elements Python's rules select, at the same offsets,
    /// or fails with the same kind of error.
    #[test]
    fn view_chains_match_the_model(
        shape in proptest::collection::vec(0u64..5, 0..4),
        itemsize in prop_oneof![Just(1u64), Just(2), Just(4), Just(8), Just(16)],
        order in order(),
        chain in proptest::collection::vec(proptest::collection::vec(index_item(), 0..5), 1..4),
    ) {
        let mut layout = Layout::contiguous(&shape, itemsize, order).expect("a small shape");
        let mut model = Model::contiguous(&shape, itemsize, order);
        prop_assert_eq!(layout_offsets(&layout), model.offsets.clone());
        for index in &chain {
            match (layout.view(index), model.view(index)) {
                (Ok(l), Ok(m)) => {
                    prop_assert_eq!(l.shape(), m.shape.as_slice(), "index {:?}", index);
                    prop_assert_eq!(layout_offsets(&l), m.offsets.clone(), "index {:?}", index);
                    layout = l;
                    model = m;
                }
                (Err(e), Err(code)) => {
                    prop_assert_eq!(e.code(), code, "index {:?}: {}", index, e.message());
                    break;
                }
                (l, m) => prop_assert!(false, "index {:?} on {:?}: layout {:?}, model {:?}", index, model.shape, l, m),
            }
        }
    }

    /// Shapes, item sizes and indices drawn from the whole integer range never panic: they give
    /// a layout whose elements all lie inside the array's bytes, or a typed error.
    #[test]
    fn hostile_numbers_give_typed_errors(
        shape in proptest::collection::vec(prop_oneof![3 => 0u64..4, 1 => any::<u64>()], 0..6),
        itemsize in prop_oneof![Just(1u64), Just(8), Just(16)],
        order in order(),
        index in proptest::collection::vec(index_item(), 0..8),
    ) {
        match Layout::contiguous(&shape, itemsize, order) {
            Err(e) => prop_assert!(matches!(e.code(), ErrorCode::Overflow | ErrorCode::InvalidArgument), "{}", e.message()),
            Ok(layout) => {
                let bytes = layout.size().checked_mul(itemsize).expect("checked by contiguous");
                match layout.view(&index) {
                    Ok(view) => {
                        if let Some((lo, hi)) = view.extent() {
                            prop_assert!(lo <= hi && hi <= bytes, "view {:?} reaches {}..{} of {} bytes", index, lo, hi, bytes);
                        }
                    }
                    Err(e) => prop_assert!(
                        matches!(e.code(), ErrorCode::IndexOutOfBounds | ErrorCode::InvalidArgument | ErrorCode::Overflow),
                        "{:?}", e
                    ),
                }
            }
        }
    }
}
