//! numpy's ziggurat tables (`random/src/distributions/ziggurat_constants.h`), written by `build.rs`
//! from `data/numpy_ziggurat_tables.json`.

include!(concat!(env!("OUT_DIR"), "/ziggurat_tables.rs"));
