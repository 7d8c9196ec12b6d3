//! `wasm_memmap_sdk::print` against real numpy: hundreds of generated arrays (every supported dtype,
//! 0-d to 3-D, small and summarised, every print option, awkward values) are printed by numpy in one
//! Python run and by us, and every `repr` and `str` must match character for character.

// A test reports failure by panicking.
#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::path::PathBuf;

use wasm_memmap_sdk::print::{self, DtypeInfo, DtypeKind, FloatKind, FloatMode, Legacy, PrintOptions, Scalar, Sign};
use wasm_memmap_tests::numpy;

/// A deterministic generator (64-bit LCG with an output shift), so failures reproduce.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 ^ (self.0 >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        let top53 = u32::try_from(self.next() >> 43).expect("21 bits");
        let low = u32::try_from((self.next() >> 32) & 0xffff_ffff).expect("32 bits");
        (f64::from(top53) * 4_294_967_296.0 + f64::from(low)) / 9_007_199_254_740_992.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Roughly normal, in (-2, 2).
    fn normal(&mut self) -> f64 {
        self.unit() + self.unit() + self.unit() + self.unit() - 2.0
    }
}

/// A float16 bit pattern as its exact value.
fn f16_value(bits: u16) -> f64 {
    let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
    let e = i32::from((bits >> 10) & 0x1f);
    let m = f64::from(bits & 0x3ff);
    match e {
        0x1f if m == 0.0 => sign * f64::INFINITY,
        0x1f => f64::NAN,
        0 => sign * m * 2f64.powi(-24),
        _ => sign * (m + 1024.0) * 2f64.powi(e - 25),
    }
}

/// The float32 nearest to `x` (through its shortest decimal text, which needs no `as` cast).
fn to_f32(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    let y: f32 = x.to_string().parse().expect("a float");
    f64::from(y)
}

#[derive(Clone, Copy, Debug)]
enum Family {
    /// Roughly normal values times a scale.
    Normal(f64),
    /// Magnitudes spread over 10^-12 .. 10^12.
    Wide,
    /// Whole numbers.
    Integers,
    /// Multiples of 1/8: exact binary ties at two decimals.
    Eighths,
    /// Decimal ties `(k + 0.5) * 10^-p`, stored just above or below.
    Ties(i32),
    /// Random bit patterns (all magnitudes, subnormals, some nan/inf).
    Bits,
    /// Normal values with nan, inf, -inf, 0 and -0 mixed in.
    Specials,
    /// Only zeros (some negative).
    Zeros,
    /// Only nan and infinities.
    NonFinite,
    /// Values that print the same to `precision` digits but differ beyond.
    NearEqual,
}

fn raw_float(family: Family, rng: &mut Lcg, kind: FloatKind) -> f64 {
    match family {
        Family::Normal(scale) => rng.normal() * scale,
        Family::Wide => {
            let sign = if rng.below(2) == 0 { 1.0 } else { -1.0 };
            sign * 10f64.powf(rng.unit() * 24.0 - 12.0)
        }
        Family::Integers => f64::from(i32::try_from(rng.below(2001)).expect("small")) - 1000.0,
        Family::Eighths => (f64::from(i32::try_from(rng.below(81)).expect("small")) - 40.0) / 8.0,
        Family::Ties(p) => {
            let k = f64::from(i32::try_from(rng.below(200)).expect("small")) - 100.0;
            (k + 0.5) * 10f64.powi(-p)
        }
        Family::Bits => match kind {
            FloatKind::F64 => f64::from_bits(rng.next()),
            FloatKind::F32 => f64::from(f32::from_bits(u32::try_from(rng.next() >> 32).expect("32 bits"))),
            FloatKind::F16 => f16_value(u16::try_from(rng.next() >> 48).expect("16 bits")),
        },
        Family::Specials => match rng.below(8) {
            0 => f64::NAN,
            1 => f64::INFINITY,
            2 => f64::NEG_INFINITY,
            3 => -0.0,
            4 => 0.0,
            _ => rng.normal() * 10.0,
        },
        Family::Zeros => {
            if rng.below(3) == 0 {
                -0.0
            } else {
                0.0
            }
        }
        Family::NonFinite => match rng.below(3) {
            0 => f64::NAN,
            1 => f64::INFINITY,
            _ => f64::NEG_INFINITY,
        },
        Family::NearEqual => 1.0 + rng.normal() * 1e-9,
    }
}

/// A float of `kind` from `family`. float16 values are sometimes left unrounded on purpose: numpy
/// and `print` must then round them to float16 the same way.
fn float_of(family: Family, rng: &mut Lcg, kind: FloatKind) -> f64 {
    let x = raw_float(family, rng, kind);
    match kind {
        FloatKind::F64 | FloatKind::F16 => x,
        FloatKind::F32 => to_f32(x),
    }
}

#[derive(Clone, Debug)]
struct Case {
    label: String,
    class_name: &'static str,
    shape: Vec<usize>,
    dtype: DtypeInfo,
    values: Vec<Scalar>,
    options: PrintOptions,
}

fn values_for(dtype: DtypeInfo, family: Family, n: usize, rng: &mut Lcg) -> Vec<Scalar> {
    let kind = dtype.float_kind();
    (0..n)
        .map(|_| match dtype.kind() {
            DtypeKind::Bool => Scalar::Bool(rng.below(2) == 1),
            DtypeKind::Int => {
                let bits = u32::try_from(dtype.itemsize() * 8).expect("small");
                let span = 1i128 << bits;
                let v = i128::from(rng.next()) % span - span / 2;
                // small magnitudes too, so that widths vary
                Scalar::Int(if rng.below(2) == 0 { v } else { v % 100 })
            }
            DtypeKind::UInt => {
                let bits = u32::try_from(dtype.itemsize() * 8).expect("small");
                let v = i128::from(rng.next()) % (1i128 << bits);
                Scalar::Int(if rng.below(2) == 0 { v } else { v % 1000 })
            }
            DtypeKind::Float => Scalar::Float(float_of(family, rng, kind), kind),
            DtypeKind::Complex => Scalar::Complex(float_of(family, rng, kind), float_of(family, rng, kind), kind),
        })
        .collect()
}

fn floatmode_name(m: FloatMode) -> &'static str {
    match m {
        FloatMode::Fixed => "fixed",
        FloatMode::Unique => "unique",
        FloatMode::MaxPrec => "maxprec",
        FloatMode::MaxPrecEqual => "maxprec_equal",
    }
}

fn sign_name(s: Sign) -> &'static str {
    match s {
        Sign::Minus => "-",
        Sign::Plus => "+",
        Sign::Space => " ",
    }
}

/// One line of the batch file Python reads (`;`-separated: type strings contain `|`).
fn encode_case(case: &Case) -> String {
    let o = &case.options;
    let shape: Vec<String> = case.shape.iter().map(ToString::to_string).collect();
    let mut values = String::new();
    for v in &case.values {
        match *v {
            Scalar::Bool(b) => write!(values, "{} ", u8::from(b)),
            Scalar::Int(i) => write!(values, "{i} "),
            Scalar::Float(x, _) => write!(values, "{:016x} ", x.to_bits()),
            Scalar::Complex(re, im, _) => {
                write!(values, "{:016x}:{:016x} ", re.to_bits(), im.to_bits())
            }
        }
        .expect("write to a String");
    }
    format!(
        "{};{};{};{};{};{};{};{};{};{};{};{}",
        case.dtype.typestr(),
        shape.join(","),
        case.class_name,
        o.precision,
        o.threshold,
        o.edgeitems,
        o.linewidth,
        u8::from(o.suppress),
        floatmode_name(o.floatmode),
        sign_name(o.sign),
        if o.legacy == Legacy::V2_1 { "2.1" } else { "False" },
        values.trim_end()
    )
}

/// Reads the batch file and prints, per case, the hex of `repr(a)` and of `str(a)`.
const NUMPY_SCRIPT: &str = r#"
import struct

def f(h):
    return struct.unpack('>d', bytes.fromhex(h))[0]

classes = {}
for line in open(sys.argv[1]):
    (typestr, shape, cls, precision, threshold, edgeitems, linewidth, suppress, floatmode, sign,
     legacy, values) = line.rstrip("\n").split(";")
    dt = np.dtype(typestr)
    shape = tuple(int(s) for s in shape.split(',') if s)
    toks = values.split()
    if dt.kind == 'c':
        vals = [complex(f(t.split(':')[0]), f(t.split(':')[1])) for t in toks]
    elif dt.kind == 'f':
        vals = [f(t) for t in toks]
    elif dt.kind == 'b':
        vals = [t == '1' for t in toks]
    else:
        vals = [int(t) for t in toks]
    with np.errstate(all='ignore'):
        a = np.array(vals, dtype=dt).reshape(shape)
    if cls == 'memmap':
        a = a.view(np.memmap)
    elif cls != 'array':
        a = a.view(classes.setdefault(cls, type(cls, (np.ndarray,), {})))
    opts = dict(precision=int(precision), threshold=int(threshold), edgeitems=int(edgeitems),
                linewidth=int(linewidth), suppress=suppress == '1', floatmode=floatmode, sign=sign,
                legacy=False if legacy == 'False' else legacy)
    with np.printoptions(**opts):
        print(repr(a).encode().hex(), str(a).encode().hex())
"#;

fn unhex(s: &str) -> String {
    let bytes: Vec<u8> =
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex from Python")).collect();
    String::from_utf8(bytes).expect("UTF-8 from Python")
}

/// numpy's `(repr, str)` for every case, from one Python process.
fn numpy_texts(cases: &[Case]) -> Vec<(String, String)> {
    let path: PathBuf = std::env::temp_dir().join(format!("wasm-memmap-print-parity-{}.txt", std::process::id()));
    let batch: String = cases.iter().map(|c| encode_case(c) + "\n").collect();
    std::fs::write(&path, batch).expect("write the batch file");
    let out = numpy::run(NUMPY_SCRIPT, &[path.to_str().expect("UTF-8 temp path")]);
    let _ = std::fs::remove_file(&path);
    let texts: Vec<(String, String)> = out
        .lines()
        .map(|line| {
            let (r, s) = line.split_once(' ').expect("two hex fields");
            (unhex(r), unhex(s))
        })
        .collect();
    assert_eq!(texts.len(), cases.len(), "numpy printed {} cases of {}", texts.len(), cases.len());
    texts
}

/// Our `(repr, str)`, given only the kept elements as a memory-mapped caller would read them.
fn our_texts(case: &Case) -> (String, String) {
    let kept: Vec<Scalar> = print::kept_offsets(&case.shape, &case.options).iter().map(|&i| case.values[i]).collect();
    (
        print::repr(case.class_name, &case.shape, &kept, &case.dtype, &case.options),
        print::str(&case.shape, &kept, &case.dtype, &case.options),
    )
}

fn all_dtypes() -> Vec<DtypeInfo> {
    let mut dtypes = vec![
        DtypeInfo::FLOAT64,
        DtypeInfo::FLOAT32,
        DtypeInfo::FLOAT16,
        DtypeInfo::INT8,
        DtypeInfo::INT16,
        DtypeInfo::INT32,
        DtypeInfo::INT64,
        DtypeInfo::UINT8,
        DtypeInfo::UINT16,
        DtypeInfo::UINT32,
        DtypeInfo::UINT64,
        DtypeInfo::BOOL,
        DtypeInfo::COMPLEX64,
        DtypeInfo::COMPLEX128,
    ];
    // every multi-byte dtype big-endian too (`dtype='>f8'` suffixes), and explicit little-endian spellings
    for name in
        [">f8", ">f4", ">f2", ">i8", ">i4", ">i2", ">u8", ">u4", ">u2", ">c16", ">c8", "<f8", "<i8", "|u1", "|b1"]
    {
        dtypes.push(DtypeInfo::from_name(name).expect("a known dtype"));
    }
    dtypes
}

/// The generated cases; see the module comment.
fn cases() -> Vec<Case> {
    let mut rng = Lcg(0x5eed);
    let mut cases = Vec::new();
    let d = PrintOptions::default();
    let mut add =
        |label: String, class_name, shape: &[usize], dtype: DtypeInfo, family, options: PrintOptions, rng: &mut Lcg| {
            let n = shape.iter().product();
            let values = values_for(dtype, family, n, rng);
            cases.push(Case { label, class_name, shape: shape.to_vec(), dtype, values, options });
        };

    // every dtype in every shape kind, default options
    let shapes: [&[usize]; 9] = [&[], &[7], &[3, 4], &[2, 3, 4], &[40, 50], &[12, 10, 11], &[0], &[0, 3], &[1]];
    for dtype in all_dtypes() {
        for shape in shapes {
            let label = format!("{} {shape:?} default", dtype.typestr());
            add(label, "array", shape, dtype, Family::Normal(3.0), d.clone(), &mut rng);
        }
    }

    // value families for each float type, under default and other options
    let families = [
        Family::Normal(1.0),
        Family::Normal(1e5),
        Family::Normal(1e9),
        Family::Normal(1e-5),
        Family::Normal(1e-300),
        Family::Normal(1e300),
        Family::Wide,
        Family::Integers,
        Family::Eighths,
        Family::Ties(2),
        Family::Ties(4),
        Family::Ties(8),
        Family::Bits,
        Family::Specials,
        Family::Zeros,
        Family::NonFinite,
        Family::NearEqual,
    ];
    let variants = [
        ("default", d.clone()),
        ("p2", PrintOptions { precision: 2, ..d.clone() }),
        ("p4 suppress", PrintOptions { precision: 4, suppress: true, ..d.clone() }),
        ("fixed p3", PrintOptions { precision: 3, floatmode: FloatMode::Fixed, ..d.clone() }),
        ("unique", PrintOptions { floatmode: FloatMode::Unique, ..d.clone() }),
        ("maxprec_equal p4", PrintOptions { precision: 4, floatmode: FloatMode::MaxPrecEqual, ..d.clone() }),
        ("sign+ legacy2.1", PrintOptions { sign: Sign::Plus, legacy: Legacy::V2_1, ..d.clone() }),
        ("sign space p0", PrintOptions { sign: Sign::Space, precision: 0, ..d.clone() }),
    ];
    for dtype in
        [DtypeInfo::FLOAT64, DtypeInfo::FLOAT32, DtypeInfo::FLOAT16, DtypeInfo::COMPLEX128, DtypeInfo::COMPLEX64]
    {
        for family in families {
            for (name, options) in &variants {
                let shape: &[usize] = if rng.below(2) == 0 { &[9] } else { &[3, 5] };
                let label = format!("{} {family:?} {name} {shape:?}", dtype.typestr());
                add(label, "array", shape, dtype, family, options.clone(), &mut rng);
            }
        }
    }

    // each print option on its own, on a float, an int and a complex array
    let mut sweeps: Vec<(String, PrintOptions)> = Vec::new();
    for precision in [0, 1, 3, 4, 6, 10, 17, 25] {
        sweeps.push((format!("precision={precision}"), PrintOptions { precision, ..d.clone() }));
    }
    for threshold in [0, 5, 10, 59, 60, 100, 2000] {
        sweeps.push((format!("threshold={threshold}"), PrintOptions { threshold, ..d.clone() }));
    }
    for edgeitems in [0, 1, 2, 5, 30] {
        sweeps.push((
            format!("edgeitems={edgeitems} threshold=10"),
            PrintOptions { edgeitems, threshold: 10, ..d.clone() },
        ));
    }
    for linewidth in [1, 10, 20, 33, 40, 120, 300] {
        sweeps.push((format!("linewidth={linewidth}"), PrintOptions { linewidth, ..d.clone() }));
    }
    for floatmode in [FloatMode::Fixed, FloatMode::Unique, FloatMode::MaxPrec, FloatMode::MaxPrecEqual] {
        for sign in [Sign::Minus, Sign::Plus, Sign::Space] {
            sweeps.push((
                format!("floatmode={floatmode:?} sign={sign:?}"),
                PrintOptions { floatmode, sign, precision: 3, ..d.clone() },
            ));
        }
    }
    sweeps.push(("suppress".to_string(), PrintOptions { suppress: true, ..d.clone() }));
    sweeps.push((
        "legacy=2.1 threshold=20".to_string(),
        PrintOptions { legacy: Legacy::V2_1, threshold: 20, ..d.clone() },
    ));
    sweeps.push(("legacy=False threshold=20".to_string(), PrintOptions { threshold: 20, ..d.clone() }));
    for (name, options) in sweeps {
        for (dtype, family, shape) in [
            (DtypeInfo::FLOAT64, Family::Normal(50.0), &[6, 10][..]),
            (DtypeInfo::FLOAT32, Family::Wide, &[2, 3, 5][..]),
            (DtypeInfo::INT64, Family::Integers, &[6, 10][..]),
            (DtypeInfo::COMPLEX128, Family::Specials, &[15][..]),
            (DtypeInfo::FLOAT64, Family::Normal(1.0), &[100][..]),
        ] {
            let label = format!("{} {family:?} {shape:?} {name}", dtype.typestr());
            add(label, "memmap", shape, dtype, family, options.clone(), &mut rng);
        }
    }

    // long rows and deep arrays under narrow and wide lines, with another class name
    for linewidth in [30, 75, 100] {
        for dtype in [DtypeInfo::FLOAT64, DtypeInfo::INT8, DtypeInfo::BOOL, DtypeInfo::COMPLEX64] {
            let options = PrintOptions { linewidth, threshold: 100, edgeitems: 4, ..d.clone() };
            let label = format!("{} long rows linewidth={linewidth}", dtype.typestr());
            add(label, "MyArray", &[3, 4, 60], dtype, Family::Normal(100.0), options, &mut rng);
        }
    }
    cases.extend(edge_cases());
    cases
}

/// Hand-picked values at numpy's switching points.
fn edge_cases() -> Vec<Case> {
    let d = PrintOptions::default();
    let suppress = PrintOptions { suppress: true, ..d.clone() };
    let legacy = PrintOptions { legacy: Legacy::V2_1, ..d.clone() };
    let floats = |kind: FloatKind, xs: &[f64]| -> Vec<Scalar> {
        xs.iter().map(|&x| Scalar::Float(if kind == FloatKind::F32 { to_f32(x) } else { x }, kind)).collect()
    };
    let complex = |kind: FloatKind, xs: &[(f64, f64)]| -> Vec<Scalar> {
        xs.iter().map(|&(re, im)| Scalar::Complex(re, im, kind)).collect()
    };
    let (f16, f32, f64) = (FloatKind::F16, FloatKind::F32, FloatKind::F64);
    let mut list: Vec<(&str, DtypeInfo, Vec<Scalar>, PrintOptions)> = vec![
        // numpy compares with 1e-4 and divides in the array's own type (NEP 50)
        ("f32 min == float32(1e-4)", DtypeInfo::FLOAT32, floats(f32, &[1e-4, 2e-4]), d.clone()),
        ("f16 min == float16(1e-4)", DtypeInfo::FLOAT16, floats(f16, &[1e-4, 2e-4]), d.clone()),
        ("f16 ratio rounds to 1000", DtypeInfo::FLOAT16, floats(f16, &[0.1, 100.0]), d.clone()),
        ("f64 ratio just over 1000", DtypeInfo::FLOAT64, floats(f64, &[0.1, 100.0]), d.clone()),
        ("f16 ratio 1000 exactly", DtypeInfo::FLOAT16, floats(f16, &[1.0, 1000.0]), d.clone()),
        ("f64 max 1e8", DtypeInfo::FLOAT64, floats(f64, &[1e8, 5e7]), d.clone()),
        ("f64 max below 1e8", DtypeInfo::FLOAT64, floats(f64, &[99_999_999.9, 5e7]), d.clone()),
        ("f32 max 1e6 suppress", DtypeInfo::FLOAT32, floats(f32, &[1e6, 1.0]), suppress.clone()),
        ("f32 max 999999 suppress", DtypeInfo::FLOAT32, floats(f32, &[999_999.0, 1.0]), suppress.clone()),
        ("f32 max 1e6 legacy", DtypeInfo::FLOAT32, floats(f32, &[1e6, 5e5]), legacy.clone()),
        ("f16 max 1000 suppress", DtypeInfo::FLOAT16, floats(f16, &[1000.0, 1.0]), suppress.clone()),
        ("f16 max 999 suppress", DtypeInfo::FLOAT16, floats(f16, &[999.0, 1.0]), suppress.clone()),
        ("f16 max 1000 legacy", DtypeInfo::FLOAT16, floats(f16, &[1000.0, 600.0]), legacy.clone()),
        ("f64 suppress tiny", DtypeInfo::FLOAT64, floats(f64, &[1e-10, 1.0, -3e-9, 2.5e-9]), suppress.clone()),
        ("f64 3-digit exponents", DtypeInfo::FLOAT64, floats(f64, &[1e-300, 5e-324, 1e300, -2.5]), d.clone()),
        (
            "f64 exp precision 0",
            DtypeInfo::FLOAT64,
            floats(f64, &[1e20, 3e25, -7e22]),
            PrintOptions { precision: 0, ..d.clone() },
        ),
        ("f64 negative zeros", DtypeInfo::FLOAT64, floats(f64, &[-0.0, 0.0, -0.0]), d.clone()),
        (
            "f64 only negative zero",
            DtypeInfo::FLOAT64,
            floats(f64, &[-0.0]),
            PrintOptions { sign: Sign::Space, ..d.clone() },
        ),
        (
            "f64 nan inf only",
            DtypeInfo::FLOAT64,
            floats(f64, &[f64::NAN, f64::INFINITY]),
            PrintOptions { sign: Sign::Space, ..d.clone() },
        ),
        ("f64 -inf and tiny", DtypeInfo::FLOAT64, floats(f64, &[f64::NEG_INFINITY, 1e-7, f64::NAN]), d.clone()),
        (
            "f64 rounding ties p4",
            DtypeInfo::FLOAT64,
            floats(f64, &[0.12345, 1.00005, 2.5e-5, 0.30000000000000004, 1.005, 2.675]),
            PrintOptions { precision: 4, ..d.clone() },
        ),
        (
            "f64 rounding ties fixed p2",
            DtypeInfo::FLOAT64,
            floats(f64, &[0.125, 0.375, 1.005, 2.675, 0.045]),
            PrintOptions { precision: 2, floatmode: FloatMode::Fixed, ..d.clone() },
        ),
        (
            "f64 carry to next power",
            DtypeInfo::FLOAT64,
            floats(f64, &[9.99999, 99.999999, 0.99995]),
            PrintOptions { precision: 3, ..d.clone() },
        ),
        (
            "c128 zero and nan parts",
            DtypeInfo::COMPLEX128,
            complex(f64, &[(0.0, 0.0), (-0.0, -0.0), (f64::NAN, 1.0), (1.0, f64::NEG_INFINITY)]),
            d.clone(),
        ),
        // 0-d arrays: repr goes through the array formatter, str through the scalar's own str
        ("0-d f64 big", DtypeInfo::FLOAT64, floats(f64, &[1e16]), d.clone()),
        ("0-d f64 below 1e16", DtypeInfo::FLOAT64, floats(f64, &[9_999_999_999_999_998.0]), d.clone()),
        ("0-d f64 1e-4", DtypeInfo::FLOAT64, floats(f64, &[1e-4]), d.clone()),
        ("0-d f64 below 1e-4", DtypeInfo::FLOAT64, floats(f64, &[9.999_999_999_999_999e-5]), d.clone()),
        ("0-d f64 -0", DtypeInfo::FLOAT64, floats(f64, &[-0.0]), PrintOptions { sign: Sign::Space, ..d.clone() }),
        ("0-d f64 threshold 0", DtypeInfo::FLOAT64, floats(f64, &[1.5]), PrintOptions { threshold: 0, ..d.clone() }),
        (
            "0-d f64 nan sign+",
            DtypeInfo::FLOAT64,
            floats(f64, &[f64::NAN]),
            PrintOptions { sign: Sign::Plus, ..d.clone() },
        ),
        ("0-d f32 1e6", DtypeInfo::FLOAT32, floats(f32, &[1e6]), d.clone()),
        ("0-d f32 1e6 legacy", DtypeInfo::FLOAT32, floats(f32, &[1e6]), legacy.clone()),
        ("0-d f32 below 1e6", DtypeInfo::FLOAT32, floats(f32, &[999_999.94]), d.clone()),
        ("0-d f32 1e-4", DtypeInfo::FLOAT32, floats(f32, &[1e-4]), d.clone()),
        ("0-d f16 1000", DtypeInfo::FLOAT16, floats(f16, &[1000.0]), d.clone()),
        ("0-d f16 999.5", DtypeInfo::FLOAT16, floats(f16, &[999.5]), d.clone()),
        ("0-d f16 65504 legacy", DtypeInfo::FLOAT16, floats(f16, &[65504.0]), legacy.clone()),
        ("0-d c128 imaginary", DtypeInfo::COMPLEX128, complex(f64, &[(0.0, 2.0)]), d.clone()),
        ("0-d c128 -0 real", DtypeInfo::COMPLEX128, complex(f64, &[(-0.0, 2.0)]), d.clone()),
        ("0-d c128 nan real", DtypeInfo::COMPLEX128, complex(f64, &[(f64::NAN, -1.5)]), d.clone()),
        ("0-d c128 big", DtypeInfo::COMPLEX128, complex(f64, &[(1e20, -3.0)]), d.clone()),
        ("0-d c128 nan imag", DtypeInfo::COMPLEX128, complex(f64, &[(1.0, f64::NAN)]), d.clone()),
        ("0-d c128 infs", DtypeInfo::COMPLEX128, complex(f64, &[(f64::INFINITY, f64::NEG_INFINITY)]), d.clone()),
        ("0-d c64 1e6 imag", DtypeInfo::COMPLEX64, complex(f32, &[(0.0, 1e6)]), d.clone()),
        ("0-d c64 1e6 imag legacy", DtypeInfo::COMPLEX64, complex(f32, &[(1.0, 1e6)]), legacy.clone()),
        ("0-d bool", DtypeInfo::BOOL, vec![Scalar::Bool(true)], d.clone()),
        (
            "0-d uint64 max",
            DtypeInfo::UINT64,
            vec![Scalar::Int(i128::from(u64::MAX))],
            PrintOptions { sign: Sign::Plus, ..d.clone() },
        ),
        (
            "0-d int8 big-endian ignored",
            DtypeInfo::from_name(">i1").expect("dtype"),
            vec![Scalar::Int(-128)],
            d.clone(),
        ),
        (
            "int64 extremes",
            DtypeInfo::INT64,
            vec![Scalar::Int(i128::from(i64::MIN)), Scalar::Int(i128::from(i64::MAX))],
            d.clone(),
        ),
        (
            "uint64 sign space",
            DtypeInfo::UINT64,
            vec![Scalar::Int(0), Scalar::Int(i128::from(u64::MAX))],
            PrintOptions { sign: Sign::Space, ..d.clone() },
        ),
        (
            "int8 sign space negative",
            DtypeInfo::INT8,
            vec![Scalar::Int(-5), Scalar::Int(100)],
            PrintOptions { sign: Sign::Space, ..d.clone() },
        ),
        (
            "int8 sign plus negative max",
            DtypeInfo::INT8,
            vec![Scalar::Int(-5), Scalar::Int(-100)],
            PrintOptions { sign: Sign::Plus, ..d.clone() },
        ),
        ("bool all false", DtypeInfo::BOOL, vec![Scalar::Bool(false); 3], d.clone()),
    ];
    let mut cases: Vec<Case> = list
        .drain(..)
        .map(|(label, dtype, values, options)| {
            let shape = if label.starts_with("0-d") { vec![] } else { vec![values.len()] };
            Case { label: label.to_string(), class_name: "array", shape, dtype, values, options }
        })
        .collect();
    for shape in [vec![3, 0], vec![0], vec![2, 0, 4]] {
        for options in [d.clone(), legacy.clone(), PrintOptions { threshold: 0, ..d.clone() }] {
            cases.push(Case {
                label: format!("empty {shape:?}"),
                class_name: "memmap",
                shape: shape.clone(),
                dtype: DtypeInfo::from_name(">f4").expect("dtype"),
                values: vec![],
                options,
            });
        }
    }
    cases
}

#[test]
fn repr_and_str_match_numpy() {
    let cases = cases();
    assert!(cases.len() >= 80, "only {} cases", cases.len());
    let expected = numpy_texts(&cases);
    let mut failures = Vec::new();
    for (case, (numpy_repr, numpy_str)) in cases.iter().zip(&expected) {
        let (ours_repr, ours_str) = our_texts(case);
        for (what, theirs, ours) in [("repr", numpy_repr, &ours_repr), ("str", numpy_str, &ours_str)] {
            if theirs != ours {
                failures.push(format!(
                    "--- {what} of case `{}` (options {:?})\nnumpy:\n{theirs}\nours:\n{ours}\n",
                    case.label, case.options
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} texts differ from numpy:\n{}",
        failures.len(),
        2 * cases.len(),
        failures.join("\n")
    );
}

/// The printout of the replayed session: a 10000x10000 float64 memmap with data in its first rows,
/// under `np.set_printoptions(precision=4, suppress=True, legacy='2.1')`, and the all-zero one.
#[test]
fn session_printout_matches_numpy() {
    let corner: [[f64; 6]; 3] = [
        [-0.907_412_3, -1.095_371, 0.007_149_8, 0.275_31, -1.164_08, 0.852_06],
        [-0.010_312, -0.064_571_1, -1.061_46, -1.100_33, 0.250_49, 0.583_24],
        [0.458_28, 1.299_18, 1.713_74, 0.869_07, -0.788_93, -0.243_149],
    ];
    let script = r#"
vals = [float(v) for v in sys.argv[1:]]
a = np.zeros((10000, 10000))
for r in range(3):
    a[r, [0, 1, 2, 9997, 9998, 9999]] = vals[6 * r:6 * r + 6]
with np.printoptions(precision=4, suppress=True, legacy='2.1'):
    print(repr(a.view(np.memmap)))
    print(repr(np.zeros((10000, 10000)).view(np.memmap)))
"#;
    let args: Vec<String> = corner.iter().flatten().map(|v| format!("{v:?}")).collect();
    let arg_refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let numpy_out = numpy::run(script, &arg_refs);

    let options = PrintOptions { precision: 4, suppress: true, legacy: Legacy::V2_1, ..PrintOptions::default() };
    let shape = [10_000, 10_000];
    let mut kept: Vec<Scalar> = corner.iter().flatten().map(|&v| Scalar::Float(v, FloatKind::F64)).collect();
    kept.extend(std::iter::repeat_n(Scalar::Float(0.0, FloatKind::F64), 18));
    let ours = print::repr("memmap", &shape, &kept, &DtypeInfo::FLOAT64, &options);
    let zeros = vec![Scalar::Float(0.0, FloatKind::F64); 36];
    let ours_zero = print::repr("memmap", &shape, &zeros, &DtypeInfo::FLOAT64, &options);
    assert_eq!(format!("{ours}\n{ours_zero}\n"), numpy_out);

    let session = "\
memmap([[-0.9074, -1.0954,  0.0071, ...,  0.2753, -1.1641,  0.8521],
        [-0.0103, -0.0646, -1.0615, ..., -1.1003,  0.2505,  0.5832],
        [ 0.4583,  1.2992,  1.7137, ...,  0.8691, -0.7889, -0.2431],
        ...,
        [ 0.    ,  0.    ,  0.    , ...,  0.    ,  0.    ,  0.    ],
        [ 0.    ,  0.    ,  0.    , ...,  0.    ,  0.    ,  0.    ],
        [ 0.    ,  0.    ,  0.    , ...,  0.    ,  0.    ,  0.    ]])";
    assert_eq!(ours, session);
    assert!(ours_zero.starts_with("memmap([[0., 0., 0., ..., 0., 0., 0.],\n        [0., 0., 0., ..., 0., 0., 0.],"));
}
