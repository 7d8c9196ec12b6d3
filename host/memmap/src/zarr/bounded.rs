//! Decompression bombs refused before a chunk is decoded.
//!
//! zarrs decodes what a store holds, and a store holds what anyone who can write it put there: its
//! zstd decoder reserves the content size a frame's header declares (2^40 bytes from a 20-byte
//! frame), its gzip decoder inflates without a limit. Before zarrs decodes a chunk, its encoded
//! bytes are walked through the array's codec chain from the outside in, with each stage's decoded
//! size bounded by what the stages inside it can take for one chunk (the chunk's bytes, plus the
//! 4 bytes of a `crc32c`, or a compressor's worst case): a `zstd` frame must declare its content
//! size, and the sizes declared must fit; `gzip` is inflated into nothing, stopping one byte past
//! its bound. Only the codecs this host writes are accepted (`transpose`, `bytes`, `zstd`, `gzip`,
//! `crc32c`): `open-zarr` refuses any other (sharding among them), naming it.

use std::io::Read;

use serde_json::Value;
use zarrs::array::{ArrayBytes, ArrayError, ArrayToBytesCodecTraits, CodecOptions};

use super::array::StoredArray;
use crate::error::Error;

/// A bytes-to-bytes codec of the chain, as it decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Crc32c,
    Zstd,
    Gzip,
}

impl Stage {
    /// The most bytes this stage encodes `decoded` bytes into (zstd's `ZSTD_COMPRESSBOUND`,
    /// deflate's stored blocks with gzip's header and trailer, generously).
    fn encoded_bound(self, decoded: u64) -> u64 {
        match self {
            Self::Crc32c => decoded.saturating_add(4),
            Self::Zstd => decoded.saturating_add(decoded / 128).saturating_add(1024),
            Self::Gzip => decoded.saturating_add(decoded / 8).saturating_add(1024),
        }
    }
}

/// The bytes-to-bytes codecs of an array's chain, innermost (next to `bytes`) first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Chain(Vec<Stage>);

/// Why a chunk's encoded bytes were refused, for a message that names the chunk and the store.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Bomb(pub String);

impl Chain {
    /// The chain of the `codecs` of a Zarr v3 `zarr.json`.
    ///
    /// # Errors
    /// `invalid-argument` naming a codec this host cannot decode within a bound.
    pub(crate) fn of(codecs: &Value, location: &str) -> Result<Self, Error> {
        let mut stages = Vec::new();
        for codec in codecs.as_array().map(Vec::as_slice).unwrap_or_default() {
            let name = codec.as_str().or_else(|| codec.get("name").and_then(Value::as_str)).unwrap_or_default();
            match name {
                "transpose" | "bytes" => {}
                "crc32c" => stages.push(Stage::Crc32c),
                "zstd" => stages.push(Stage::Zstd),
                "gzip" => stages.push(Stage::Gzip),
                _ => {
                    return Err(Error::invalid(format!(
                        "the Zarr array '{location}' uses the codec '{name}', which this host does not read: only transpose, bytes, zstd, gzip and crc32c are supported (their decoded sizes can be bounded before decoding)"
                    )));
                }
            }
        }
        Ok(Self(stages))
    }

    /// Checks that `encoded`, one chunk of `chunk_bytes` decoded bytes as stored, cannot decode to
    /// more than the chain allows, without decoding more than that.
    ///
    /// # Errors
    /// [`Bomb`], saying what the chunk declares or inflates to and the bound.
    pub(crate) fn check(&self, encoded: &[u8], chunk_bytes: u64) -> Result<(), Bomb> {
        // bounds[k]: the most bytes stage k may decode to (what the stages inside it take).
        let mut bounds = Vec::with_capacity(self.0.len());
        let mut bound = chunk_bytes;
        for stage in &self.0 {
            bounds.push(bound);
            bound = stage.encoded_bound(bound);
        }
        let too_many = |what: String, bound: u64| {
            let of = if bound == chunk_bytes {
                format!("the {chunk_bytes} bytes of one chunk of this array")
            } else {
                format!("the {bound} bytes its inner codecs take for one chunk of {chunk_bytes} bytes")
            };
            Bomb(format!("{what} more than {of}"))
        };
        let mut data = std::borrow::Cow::Borrowed(encoded);
        for (k, (stage, &bound)) in self.0.iter().zip(&bounds).enumerate().rev() {
            // Whether a stage inside this one needs this one's decoded bytes to be checked.
            let inner = !self.0[..k].is_empty();
            let len = u64::try_from(data.len()).unwrap_or(u64::MAX);
            match stage {
                Stage::Crc32c => {
                    let Some(rest) = data.len().checked_sub(4) else {
                        return Err(Bomb(format!("has {len} bytes, too few for its crc32c checksum")));
                    };
                    // zarrs checks the checksum itself; only the size matters here.
                    data = match data {
                        std::borrow::Cow::Borrowed(b) => std::borrow::Cow::Borrowed(&b[..rest]),
                        std::borrow::Cow::Owned(mut v) => {
                            v.truncate(rest);
                            std::borrow::Cow::Owned(v)
                        }
                    };
                    let len = len - 4;
                    if len > bound {
                        return Err(too_many(format!("holds {len} bytes inside its crc32c checksum,"), bound));
                    }
                }
                Stage::Zstd => {
                    let declared = zstd_declared(&data)?;
                    if declared > bound {
                        return Err(too_many(format!("declares {declared} decoded bytes (zstd),"), bound));
                    }
                    if inner {
                        let capacity = usize::try_from(declared).map_err(|_| Bomb("is too large".into()))?;
                        let decoded = zstd::bulk::decompress(&data, capacity)
                            .map_err(|e| Bomb(format!("is not valid zstd: {e}")))?;
                        data = std::borrow::Cow::Owned(decoded);
                    }
                }
                Stage::Gzip => {
                    let mut decoder = flate2::read::MultiGzDecoder::new(&data[..]).take(bound.saturating_add(1));
                    let inflated = if inner {
                        let mut out = Vec::new();
                        decoder.read_to_end(&mut out).map_err(|e| Bomb(format!("is not valid gzip: {e}")))?;
                        let n = u64::try_from(out.len()).unwrap_or(u64::MAX);
                        data = std::borrow::Cow::Owned(out);
                        n
                    } else {
                        std::io::copy(&mut decoder, &mut std::io::sink())
                            .map_err(|e| Bomb(format!("is not valid gzip: {e}")))?
                    };
                    if inflated > bound {
                        return Err(too_many("inflates (gzip) to".to_owned(), bound));
                    }
                }
            }
        }
        Ok(())
    }
}

/// Why [`retrieve`] failed.
pub(crate) enum Refused {
    /// The chunk's encoded bytes, refused before decoding.
    Bomb(Bomb),
    /// zarrs' error reading or decoding it.
    Array(ArrayError),
}

/// Chunk `indices` of `array` decoded (`None`: absent), its encoded bytes read once and checked
/// with `chain` (one chunk is `chunk_bytes` bytes) before zarrs decodes them.
///
/// # Errors
/// [`Refused`].
pub(crate) fn retrieve(
    array: &StoredArray,
    chain: &Chain,
    indices: &[u64],
    chunk_bytes: u64,
) -> Result<Option<ArrayBytes<'static>>, Refused> {
    let encoded = array.retrieve_encoded_chunk(indices).map_err(|e| Refused::Array(ArrayError::StorageError(e)))?;
    let Some(encoded) = encoded else { return Ok(None) };
    chain.check(&encoded, chunk_bytes).map_err(Refused::Bomb)?;
    let shape = array.chunk_shape(indices).map_err(Refused::Array)?;
    let decoded = array
        .codecs()
        .decode(
            std::borrow::Cow::Owned(encoded),
            &shape,
            array.data_type(),
            array.fill_value(),
            &CodecOptions::default(),
        )
        .map_err(|e| Refused::Array(ArrayError::CodecError(e)))?;
    Ok(Some(decoded.into_owned()))
}

/// The sum of the content sizes the zstd frames of `data` declare.
fn zstd_declared(data: &[u8]) -> Result<u64, Bomb> {
    let mut total = 0u64;
    let mut at = 0usize;
    while at < data.len() {
        let frame = &data[at..];
        let size = match zstd::zstd_safe::get_frame_content_size(frame) {
            Ok(Some(size)) => size,
            Ok(None) => {
                return Err(Bomb(
                    "has a zstd frame that does not declare its decoded size, which this host refuses (it cannot be bounded before decoding)".to_owned(),
                ));
            }
            Err(_) => return Err(Bomb("is not valid zstd: a frame header cannot be read".to_owned())),
        };
        let len = zstd::zstd_safe::find_frame_compressed_size(frame)
            .map_err(|_| Bomb("is not valid zstd: a frame's end cannot be found".to_owned()))?;
        if len == 0 {
            return Err(Bomb("is not valid zstd: an empty frame".to_owned()));
        }
        total = total.saturating_add(size);
        at = at.saturating_add(len);
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn chain(names: &[&str]) -> Chain {
        let codecs: Vec<Value> = names.iter().map(|n| json!({"name": n, "configuration": {}})).collect();
        Chain::of(&Value::from(codecs), "a.zarr").expect("supported")
    }

    /// A zstd frame whose header declares `size` bytes (single segment, 8-byte content size, a
    /// raw block of nothing): 20 bytes of header that zarrs would reserve `size` bytes for.
    fn zstd_frame_declaring(size: u64) -> Vec<u8> {
        let mut frame = vec![0x28, 0xB5, 0x2F, 0xFD, 0xE0];
        frame.extend_from_slice(&size.to_le_bytes());
        // Last block, raw, 0 bytes.
        frame.extend_from_slice(&[0x01, 0x00, 0x00]);
        frame
    }

    #[test]
    fn honest_chunks_pass() {
        let data = vec![7u8; 1000];
        let z = zstd::bulk::compress(&data, 3).expect("zstd");
        chain(&["bytes", "zstd"]).check(&z, 1000).expect("fits");
        let mut g = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(5));
        std::io::Write::write_all(&mut g, &data).expect("gzip");
        let g = g.finish().expect("gzip");
        chain(&["bytes", "gzip"]).check(&g, 1000).expect("fits");
        // zstd inside gzip inside crc32c: the outer stages are decoded to check the inner.
        let mut outer = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(1));
        std::io::Write::write_all(&mut outer, &z).expect("gzip");
        let mut framed = outer.finish().expect("gzip");
        framed.extend_from_slice(&[0; 4]);
        chain(&["bytes", "zstd", "gzip", "crc32c"]).check(&framed, 1000).expect("fits");
        chain(&["bytes"]).check(&data, 1000).expect("fits");
    }

    #[test]
    fn declared_and_unknown_zstd_sizes_are_bounded() {
        let err = chain(&["bytes", "zstd", "crc32c"]).check(&[zstd_frame_declaring(1 << 40), vec![0; 4]].concat(), 8);
        assert_eq!(
            err,
            Err(Bomb(
                "declares 1099511627776 decoded bytes (zstd), more than the 8 bytes of one chunk of this array".into()
            ))
        );
        // Many frames that each fit, together over.
        let many = [zstd_frame_declaring(6), zstd_frame_declaring(6)].concat();
        assert!(chain(&["zstd"]).check(&many, 8).is_err());
        // No content size in the header (streaming compressors write such frames).
        let unknown = [0x28, 0xB5, 0x2F, 0xFD, 0x00, 0x00, 0x01, 0x00, 0x00];
        assert!(chain(&["zstd"]).check(&unknown, 8).expect_err("refused").0.contains("does not declare"));
    }

    #[test]
    fn gzip_stops_one_byte_past_its_bound() {
        let mut g = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(9));
        std::io::Write::write_all(&mut g, &vec![0u8; 1 << 20]).expect("gzip");
        let g = g.finish().expect("gzip");
        let err = chain(&["bytes", "gzip"]).check(&g, 1024).expect_err("refused");
        assert_eq!(err.0, "inflates (gzip) to more than the 1024 bytes of one chunk of this array");
    }

    #[test]
    fn other_codecs_are_refused_by_name() {
        let codecs = json!([{"name": "sharding_indexed", "configuration": {}}]);
        let err = Chain::of(&codecs, "a.zarr").expect_err("refused");
        assert!(err.message().contains("'sharding_indexed'"), "{}", err.message());
    }
}
