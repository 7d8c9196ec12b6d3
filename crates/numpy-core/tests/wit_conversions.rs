//! `impl_wit_conversions!` over types shaped like those bindgen makes from the `wasm-memmap:array`
//! WIT: every case converts to this crate's type of the same name and back.

#![allow(missing_docs)]

mod types {
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub enum ScalarKind {
        Bool,
        Int8,
        Int16,
        Int32,
        Int64,
        Uint8,
        Uint16,
        Uint32,
        Uint64,
        Float16,
        Float32,
        Float64,
        Complex64,
        Complex128,
    }
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub enum ByteOrder {
        Little,
        Big,
    }
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub struct Dtype {
        pub kind: ScalarKind,
        pub byte_order: ByteOrder,
    }
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub enum Mode {
        ReadOnly,
        ReadWrite,
        Write,
        CopyOnWrite,
    }
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub enum Order {
        C,
        Fortran,
    }
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub enum Scalar {
        Bool(bool),
        Int8(i8),
        Int16(i16),
        Int32(i32),
        Int64(i64),
        Uint8(u8),
        Uint16(u16),
        Uint32(u32),
        Uint64(u64),
        Float16(u16),
        Float32(f32),
        Float64(f64),
        Complex64((f32, f32)),
        Complex128((f64, f64)),
    }
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub struct Slice {
        pub start: Option<i64>,
        pub stop: Option<i64>,
        pub step: Option<i64>,
    }
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub enum Index {
        At(i64),
        Slice(Slice),
        Ellipsis,
        NewAxis,
    }
}

wasm_memmap_numpy_core::impl_wit_conversions! {
    kind: types::ScalarKind,
    byte_order: types::ByteOrder,
    dtype: types::Dtype,
    mode: types::Mode,
    order: types::Order,
    scalar: types::Scalar,
    slice: types::Slice,
    index: types::Index,
}

use wasm_memmap_numpy_core::half::f16;
use wasm_memmap_numpy_core::num_complex::Complex;
use wasm_memmap_numpy_core::{ByteOrder, DType, Index, Kind, Mode, Order, Scalar, Slice};

#[test]
fn every_kind_converts_both_ways_by_name() {
    for kind in Kind::ALL {
        let wit = types::ScalarKind::from(kind);
        assert_eq!(format!("{wit:?}"), format!("{kind:?}"));
        assert_eq!(Kind::from(wit), kind);
    }
}

#[test]
fn dtypes_modes_and_orders_convert_both_ways() {
    let wit = types::Dtype { kind: types::ScalarKind::Float64, byte_order: types::ByteOrder::Big };
    let d = DType::from(wit);
    assert_eq!(d, DType::new(Kind::Float64, ByteOrder::Big));
    assert_eq!(types::Dtype::from(d), wit);
    // numpy's normalisation on the way in: a one-byte kind has no byte order.
    let u1 = DType::from(types::Dtype { kind: types::ScalarKind::Uint8, byte_order: types::ByteOrder::Big });
    assert_eq!(u1.byte_order(), ByteOrder::Little);
    for mode in [Mode::ReadOnly, Mode::ReadWrite, Mode::Write, Mode::CopyOnWrite] {
        assert_eq!(Mode::from(types::Mode::from(mode)), mode);
    }
    assert_eq!(types::Order::from(Order::Fortran), types::Order::Fortran);
    assert_eq!(Order::from(types::Order::C), Order::C);
}

#[test]
fn scalars_convert_with_half_floats_as_bits_and_complex_as_pairs() {
    let wit = types::Scalar::Float16(0x3c00);
    assert_eq!(Scalar::from(wit), Scalar::Float16(f16::ONE));
    assert_eq!(types::Scalar::from(Scalar::from(wit)), wit);
    let c = types::Scalar::Complex64((1.5, -2.0));
    assert_eq!(Scalar::from(c), Scalar::Complex64(Complex::new(1.5, -2.0)));
    assert_eq!(types::Scalar::from(Scalar::from(c)), c);
}

#[test]
fn indices_convert() {
    let s = types::Slice { start: Some(-1), stop: None, step: Some(-3) };
    assert_eq!(
        Index::from(&types::Index::Slice(s)),
        Index::Slice(Slice { start: Some(-1), stop: None, step: Some(-3) })
    );
    assert_eq!(Index::from(&types::Index::At(2)), Index::At(2));
    assert_eq!(Index::from(&types::Index::Ellipsis), Index::Ellipsis);
    assert_eq!(Index::from(&types::Index::NewAxis), Index::NewAxis);
}
