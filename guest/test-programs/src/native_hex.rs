//! Element data as hex text of native-order bytes (numpy's `a.astype(native).tobytes().hex()`), as
//! the SDK test programs exchange it with the tests.

use wasm_memmap_sdk::Element;

/// The values' bytes in native order, as hex.
pub fn hex_of<T: Element>(values: &[T]) -> String {
    T::native_bytes(values).iter().map(|b| format!("{b:02x}")).collect()
}

/// The values whose native-order bytes `text` spells in hex; `None` for bad hex or a length that
/// is not a whole number of elements.
pub fn values_of<T: Element>(text: &str) -> Option<Vec<T>> {
    let bytes: Vec<u8> = text
        .as_bytes()
        .chunks(2)
        .map(|pair| std::str::from_utf8(pair).ok().and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect::<Option<_>>()?;
    T::from_native_vec(bytes)
}
