//! The command line's words for what stopped or refused a plugin. The libraries say what happened
//! without naming any flag (an embedder has its own settings); this module names the flag that
//! changes it, after the run, so every limit a plugin hit is told with its flag even when the
//! plugin did not print the error it received.

use wasm_memmap_host::{GrantRefusal, Limit, MemmapLimits, MemmapStats};
use wasm_memmap_runner::Stop;

/// The flag that sets `limit` (see `SandboxArgs`).
pub(crate) fn limit_flag(limit: Limit) -> Option<&'static str> {
    Some(match limit {
        Limit::TransferBytes => "--max-transfer",
        Limit::Handles => "--max-handles",
        Limit::OpenMaps => "--max-open-maps",
        Limit::MappedBytes => "--max-mapped",
        Limit::FileSizeBytes => "--max-file-size",
        Limit::TotalFileBytes => "--max-total-file-size",
        Limit::CopyOnWriteBytes => "--max-copy-on-write",
        Limit::ChunkCacheBytes => "--max-chunk-cache",
        // A limit this command does not know yet has no flag to name.
        _ => return None,
    })
}

/// What `limit` bounds, in a few words for a sentence ("its limit of N bytes per file").
fn limit_words(limit: Limit, value: u64) -> String {
    match limit {
        Limit::TransferBytes => format!("{value} bytes per read or write"),
        Limit::Handles => format!("{value} memmap handles alive at once"),
        Limit::OpenMaps => format!("{value} maps open at once"),
        Limit::MappedBytes => format!("{value} bytes mapped at once"),
        Limit::FileSizeBytes => format!("{value} bytes per file"),
        Limit::TotalFileBytes => format!("{value} bytes added to files in all"),
        Limit::CopyOnWriteBytes => format!("{value} bytes mapped copy-on-write at once"),
        Limit::ChunkCacheBytes => format!("{value} bytes of decoded Zarr chunks per array"),
        _ => format!("{value} ({limit})"),
    }
}

/// How to lift a refusal of the grants with this command's flags.
pub(crate) fn grant_hint(why: GrantRefusal) -> &'static str {
    match why {
        GrantRefusal::NotGranted => {
            "grant the directory with --dir or --ro-dir (HOST::GUEST grants HOST under the name GUEST; without ::GUEST the plugin names it HOST as written)"
        }
        GrantRefusal::LeadsOutside => "grant the directory it leads to with --dir or --ro-dir",
        GrantRefusal::ReadOnly => "grant the directory with --dir instead of --ro-dir to write there",
        _ => "see --dir and --ro-dir",
    }
}

/// The lines to print after a run for every call `memmap` refused: which limit, its value and its
/// flag; which grant rule, and the flags that grant. Empty when nothing was refused.
pub(crate) fn refusal_lines(stats: &MemmapStats, limits: &MemmapLimits) -> Vec<String> {
    let mut lines = Vec::new();
    for limit in Limit::ALL {
        let count = stats.limit_refusals(limit);
        if count == 0 {
            continue;
        }
        let words = limit_words(limit, limit.value(limits));
        let raise = limit_flag(limit).map_or_else(String::new, |flag| format!("; raise it with {flag}"));
        lines.push(format!("wasm-memmap: the plugin was refused {count} call(s) by its limit of {words}{raise}"));
    }
    for why in GrantRefusal::ALL {
        let count = stats.grant_refusals(why);
        if count == 0 {
            continue;
        }
        let what = match why {
            GrantRefusal::NotGranted => "outside every granted directory",
            GrantRefusal::LeadsOutside => "leading outside their granted directory",
            GrantRefusal::ReadOnly => "to write in a read-only grant",
            _ => "by the grants",
        };
        lines.push(format!("wasm-memmap: the plugin was refused {count} path(s) {what}; {}", grant_hint(why)));
    }
    lines
}

/// The flag that sets the limit behind `stop`.
pub(crate) fn stop_flag(stop: &Stop) -> Option<&'static str> {
    Some(match stop {
        Stop::Memory { .. } => "--max-memory",
        Stop::Time { .. } => "--timeout",
        Stop::Fuel { .. } => "--fuel",
        // The table holds WASI's handles and memmap's; WASI's are the ones that stop a plugin.
        Stop::Handles { .. } => "--max-wasi-handles",
        _ => return None,
    })
}

/// The library's sentence for a limit that stopped the plugin, with the flag that sets the limit:
/// "... its time limit of 0.500 s (--timeout) and was stopped".
pub(crate) fn stop_message(stop: &Stop) -> String {
    let text = stop.to_string();
    let Some(flag) = stop_flag(stop) else { return text };
    // Beside the limit's value, before any detail that follows ("... and was stopped (it asked for
    // N bytes)").
    if text.contains(" and was stopped") {
        text.replacen(" and was stopped", &format!(" ({flag}) and was stopped"), 1)
    } else {
        format!("{text} ({flag})")
    }
}

/// `error` of a run that failed to start, with the flag that sets the limit it hit: a plugin whose
/// memory at start (its minimum size) is over `--max-memory` cannot be instantiated, which wasmtime
/// reports as an error of its own ("memory minimum size of N pages exceeds memory limits") rather
/// than the runner's typed stop.
pub(crate) fn with_start_hint(error: anyhow::Error) -> anyhow::Error {
    let over_memory = error.chain().any(|e| e.to_string().contains("exceeds memory limits"));
    if over_memory { anyhow::anyhow!("{error:#}; the limit is set with --max-memory") } else { error }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use clap::CommandFactory;

    use super::*;

    /// Every flag a hint names is a flag of `run` and of `demo`.
    #[test]
    fn every_hinted_flag_exists() {
        let cli = crate::Cli::command();
        let stops = [
            Stop::Memory { limit: 1, requested: 2 },
            Stop::Time { limit: Duration::from_secs(1) },
            Stop::Fuel { limit: 1 },
            Stop::Handles { limit: 1 },
        ];
        let flags: Vec<&str> = Limit::ALL
            .iter()
            .map(|&l| limit_flag(l).expect("every limit has a flag"))
            .chain(stops.iter().map(|s| stop_flag(s).expect("every stop has a flag")))
            .chain(["--dir", "--ro-dir"])
            .collect();
        for command in ["run", "demo"] {
            let sub = cli.find_subcommand(command).expect("subcommand");
            for flag in &flags {
                let long = flag.trim_start_matches("--");
                assert!(sub.get_arguments().any(|a| a.get_long() == Some(long)), "{command} has no {flag}");
            }
        }
    }

    #[test]
    fn a_stop_names_its_flag() {
        assert_eq!(
            stop_message(&Stop::Time { limit: Duration::from_millis(500) }),
            "the plugin ran longer than its time limit of 0.500 s (--timeout) and was stopped"
        );
        assert!(stop_message(&Stop::Memory { limit: 1 << 20, requested: 2 << 20 }).contains("(--max-memory)"));
        assert!(stop_message(&Stop::Fuel { limit: 7 }).contains("fuel of 7 (--fuel)"));
    }

    /// Nothing refused, nothing said.
    #[test]
    fn no_refusal_no_line() {
        let ctx = wasm_memmap_host::MemmapCtx::builder().build();
        assert!(refusal_lines(&ctx.stats(), &MemmapLimits::default()).is_empty());
    }
}
