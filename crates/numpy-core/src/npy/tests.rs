//! Properties of the header parser: it never panics, reads back what it writes, and refuses
//! malformed headers with numpy's messages. (numpy itself reading our headers, and our reading
//! numpy's, is checked end to end in tests/tests/components/npy.rs.)

use proptest::prelude::*;

use super::*;

const DTYPES: &[&str] = &[
    "|b1", "|i1", "<i2", ">i2", "<i4", ">i4", "<i8", ">i8", "|u1", "<u2", ">u2", "<u4", ">u4", "<u8", ">u8", "<f2",
    ">f2", "<f4", ">f4", "<f8", ">f8", "<c8", ">c8", "<c16", ">c16",
];

fn with_header(version: (u8, u8), dict: &str) -> Vec<u8> {
    let mut out = MAGIC_PREFIX.to_vec();
    out.extend_from_slice(&[version.0, version.1]);
    if version == (1, 0) {
        out.extend_from_slice(&u16::try_from(dict.len()).expect("short").to_le_bytes());
    } else {
        out.extend_from_slice(&u32::try_from(dict.len()).expect("short").to_le_bytes());
    }
    out.extend_from_slice(dict.as_bytes());
    out
}

fn message(bytes: &[u8]) -> String {
    parse_header(bytes).expect_err("refused").message().to_owned()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = parse_header(&bytes);
    }

    #[test]
    fn arbitrary_dictionaries_never_panic(dict in "[{}()\\[\\]'\":, 0-9a-zTFN_<>|.\\-+\n]{0,120}", v in 1u8..=3) {
        let _ = parse_header(&with_header((v, 0), &dict));
    }

    #[test]
    fn mutated_headers_never_panic(
        d in 0..DTYPES.len(),
        shape in proptest::collection::vec(0u64..100, 0..4),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let dtype = DType::parse(DTYPES[d]).expect("dtype");
        let mut bytes = header_bytes(&dtype, false, &shape);
        let i = at.index(bytes.len());
        bytes[i] = byte;
        let _ = parse_header(&bytes);
        bytes.truncate(i);
        let _ = parse_header(&bytes);
    }

    #[test]
    fn written_headers_read_back(
        d in 0..DTYPES.len(),
        fortran in any::<bool>(),
        shape in proptest::collection::vec(any::<u64>(), 0..8),
    ) {
        let dtype = DType::parse(DTYPES[d]).expect("dtype");
        let bytes = header_bytes(&dtype, fortran, &shape);
        prop_assert_eq!(bytes.len() % ARRAY_ALIGN, 0);
        let header = parse_header(&bytes).expect("our own header parses");
        prop_assert_eq!(header.dtype, dtype);
        prop_assert_eq!(header.fortran_order, fortran);
        prop_assert_eq!(header.shape, shape);
        prop_assert_eq!(header.data_offset, u64::try_from(bytes.len()).expect("small"));
        prop_assert_eq!(header.version, (1, 0));
    }

    #[test]
    fn hand_written_spellings_parse(
        d in 0..DTYPES.len(),
        shape in proptest::collection::vec(0u64..1000, 0..4),
        spaces in "[ \n\t]{0,3}",
        double in any::<bool>(),
        v in 1u8..=3,
    ) {
        let q = if double { '"' } else { '\'' };
        let dims: Vec<String> = shape.iter().map(u64::to_string).collect();
        let shape_lit = if shape.len() == 1 { format!("({},)", dims[0]) } else { format!("({})", dims.join(",")) };
        // Keys in another order, other quotes, no trailing comma, extra whitespace.
        let dict = format!(
            "{{{spaces}{q}shape{q}:{spaces}{shape_lit},{q}fortran_order{q}: True ,{q}descr{q}:{q}{}{q}{spaces}}}{spaces}\n",
            DTYPES[d]
        );
        let header = parse_header(&with_header((v, 0), &dict)).expect("parses");
        prop_assert_eq!(header.shape, shape);
        prop_assert!(header.fortran_order);
        prop_assert_eq!(header.dtype.str(), DTYPES[d]);
    }
}

#[test]
fn numpy_messages_for_malformed_headers() {
    assert_eq!(message(b"\x93NUMP"), "EOF: reading magic string, expected 8 bytes got 5");
    assert_eq!(
        message(b"PK\x03\x04abcd"),
        "the magic string is not correct; expected b'\\x93NUMPY', got b'PK\\x03\\x04ab'"
    );
    assert_eq!(message(b"\x93NUMPY\x04\x00xx"), "we only support format version (1,0), (2,0), and (3,0), not (4, 0)");
    assert_eq!(message(b"\x93NUMPY\x01\x00\x05"), "EOF: reading array header length, expected 2 bytes got 1");
    assert_eq!(message(b"\x93NUMPY\x01\x00\x05\x00{}"), "EOF: reading array header, expected 5 bytes got 2");
    assert_eq!(message(&with_header((1, 0), "{'descr': '<f8'")), "Cannot parse header: \"{'descr': '<f8'\"");
    assert_eq!(message(&with_header((1, 0), "[1, 2]")), "Header is not a dictionary: [1, 2]");
    assert_eq!(
        message(&with_header((1, 0), "{'descr': '<f8', 'shape': (1,)}")),
        "Header does not contain the correct keys: ['descr', 'shape']"
    );
    assert_eq!(
        message(&with_header((1, 0), "{'descr': '<f8', 'fortran_order': False, 'shape': [1, 2]}")),
        "shape is not valid: [1, 2]"
    );
    assert_eq!(
        message(&with_header((1, 0), "{'descr': '<f8', 'fortran_order': 0, 'shape': (1,)}")),
        "fortran_order is not a valid bool: 0"
    );
    assert_eq!(
        message(&with_header((1, 0), "{'descr': '|O', 'fortran_order': False, 'shape': (1,)}")),
        "Array can't be memory-mapped: Python objects in dtype."
    );
    assert!(
        message(&with_header((1, 0), "{'descr': '<U3', 'fortran_order': False, 'shape': (1,)}"))
            .starts_with("descr '<U3' is not a dtype wasm-memmap can map")
    );
    // Python reads 200 nested parentheses as `()`, and gives up on deeper nesting.
    let deep = |n: usize| format!("{}{}", "(".repeat(n), ")".repeat(n));
    assert_eq!(message(&with_header((1, 0), &deep(200))), "Header is not a dictionary: ()");
    assert!(message(&with_header((1, 0), &deep(4000))).starts_with("Cannot parse header"));
    let long = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }}{}\n", " ".repeat(MAX_HEADER_SIZE));
    assert!(message(&with_header((1, 0), &long)).starts_with(&format!("Header info length ({}) is large", long.len())));
}

#[test]
fn more_than_64_axes_and_long_quotes_are_refused_briefly() {
    let axes = |n: usize| format!("{{'descr': '<f8', 'fortran_order': False, 'shape': ({}), }}", "1, ".repeat(n));
    assert_eq!(parse_header(&with_header((1, 0), &axes(64))).expect("64 axes").shape, vec![1; 64]);
    assert_eq!(
        message(&with_header((1, 0), &axes(3000))),
        "maximum supported dimension for an ndarray is currently 64, found 3000"
    );
    // numpy quotes the whole header; ours stops after 256 characters and gives the length.
    let junk = format!("[{}]", "1, ".repeat(3000));
    let m = message(&with_header((1, 0), &junk));
    assert!(m.starts_with("Header is not a dictionary: [1, 1, "), "{m}");
    assert!(m.ends_with(&format!("... ({} bytes)", "1, ".len() * 3000)), "{m}");
    assert!(m.len() < 400, "{m}");
}

#[test]
fn shapes_beyond_u64_are_overflow_errors() {
    let e = parse_header(&with_header(
        (1, 0),
        "{'descr': '<f8', 'fortran_order': False, 'shape': (18446744073709551616,)}",
    ))
    .expect_err("refused");
    assert!(e.is_overflow(), "{e}");
    let e = parse_header(&with_header(
        (1, 0),
        &format!("{{'descr': '<f8', 'fortran_order': False, 'shape': ({},)}}", "9".repeat(60)),
    ))
    .expect_err("refused");
    assert!(e.message().starts_with("Cannot parse header"), "{e}");
}
