//! The Zarr rows, beside the mapped-file ones: the session on a local Zarr array and on a local S3
//! server against the mapped file, a strided read against zarr-python's on the same array, the
//! chunks `a[2, ::-3]` fetches from S3 (counted in the server's request log), and the per-task
//! overhead of the Dask recipe over 100 chunk tasks. Every ratio is of medians measured in the same
//! run.
//!
//! The S3 server is `moto_server` from the Python environment (`pip install 'moto[server]'`), on a
//! free port of 127.0.0.1; this process starts it and stops it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{Result, median, workspace_root};

const BUCKET: &str = "bench";

/// The local S3 server, stopped when dropped; its request log is a file.
struct S3 {
    child: Child,
    endpoint: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl S3 {
    fn start(python: &Path) -> Result<Self> {
        let moto = python.with_file_name("moto_server");
        if !moto.is_file() {
            return Err(format!("{} is missing: pip install 'moto[server]' in that environment", moto.display()).into());
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let dir = tempfile::tempdir()?;
        let log = dir.path().join("requests.log");
        let child = Command::new(&moto)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log)?)
            .spawn()?;
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if start.elapsed() > Duration::from_secs(60) {
                return Err(format!("moto_server did not listen on port {port}").into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let s3 = Self { child, endpoint: format!("http://127.0.0.1:{port}"), log, _dir: dir };
        let made = s3
            .env(&mut Command::new(python))
            .args(["-c", &format!("import boto3; boto3.client('s3').create_bucket(Bucket='{BUCKET}')")])
            .status()?;
        if !made.success() {
            return Err("could not create the benchmark's bucket (is boto3 installed?)".into());
        }
        Ok(s3)
    }

    /// `command` with the server's address and test credentials in its environment.
    fn env<'c>(&self, command: &'c mut Command) -> &'c mut Command {
        command
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_ALLOW_HTTP", "true")
    }

    /// The GET requests logged so far whose path contains `needle`.
    fn gets(&self, needle: &str) -> Result<usize> {
        let log = BufReader::new(std::fs::File::open(&self.log)?);
        let mut n = 0;
        for line in log.lines() {
            let line = line?;
            if line.contains("\"GET ") && line.contains(needle) {
                n += 1;
            }
        }
        Ok(n)
    }
}

impl Drop for S3 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `command` to its end; its wall time, or an error with its stderr.
fn timed(command: &mut Command) -> Result<(f64, String)> {
    let start = Instant::now();
    let out = command.stdin(Stdio::null()).output()?;
    let wall = start.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(format!("{command:?} failed: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    Ok((wall, String::from_utf8_lossy(&out.stdout).into_owned()))
}

/// The Zarr copy of the benchmark's 800 MB square (raw chunks of 1000x1000), made once by
/// zarr-python beside it.
fn square_zarr(python: &Path, data: &Path) -> Result<PathBuf> {
    let zarr = data.join("square.zarr");
    if !zarr.join("zarr.json").is_file() || !zarr.join("c/9/9").is_file() {
        eprintln!("making {} with zarr-python (once)...", zarr.display());
        let script = "import sys, numpy as np, zarr\n\
                      src = np.memmap(sys.argv[1], dtype='<f8', mode='r', shape=(10000, 10000))\n\
                      z = zarr.create_array(sys.argv[2], shape=src.shape, chunks=(1000, 1000), dtype='<f8', compressors=None, fill_value=0, overwrite=True)\n\
                      for i in range(0, 10000, 1000):\n    z[i:i + 1000] = src[i:i + 1000]\n";
        let made = Command::new(python).args(["-c", script]).arg(data.join(crate::SQUARE)).arg(&zarr).status()?;
        if !made.success() {
            return Err("zarr-python could not make square.zarr (is zarr installed?)".into());
        }
    }
    Ok(zarr)
}

/// Prints the Zarr tables.
pub fn rows(python: &Path, cli: &Path, data: &Path, reps: usize, chunk_task: &Path) -> Result<()> {
    let s3 = S3::start(python)?;
    let work = tempfile::tempdir()?;
    let cache = tempfile::tempdir()?;
    let ours = || {
        let mut c = Command::new(cli);
        c.arg("--cache-dir").arg(cache.path()).current_dir(work.path());
        c
    };

    // The session: the demo on the mapped file, on a local Zarr array, on one in S3.
    let store = format!("s3://{BUCKET}/runs::/lake");
    let demo = |kind: usize| -> Result<f64> {
        let mut c = ours();
        c.arg("demo");
        match kind {
            0 => {}
            1 => {
                c.args(["--zarr", "mymmap.zarr"]);
            }
            _ => {
                s3.env(c.args(["--store", &store, "--zarr", "/lake/mymmap.zarr"]));
            }
        }
        Ok(timed(&mut c)?.0)
    };
    for kind in 0..3 {
        demo(kind)?; // compile cache, page cache, bucket objects
    }
    let mut samples = [vec![], vec![], vec![]];
    for rep in 0..reps {
        for k in 0..3 {
            let kind = (rep + k) % 3;
            samples[kind].push(demo(kind)?);
        }
    }
    let [file, local, remote] = samples.each_mut().map(|s| median(s));
    println!(
        "| session end to end (`wasm-memmap demo`) | mapped file | Zarr, local directory | Zarr, local S3 (moto) | local/file | target | met? |"
    );
    println!("|---|---|---|---|---|---|---|");
    println!(
        "| wall time, process start to exit | {:.1} ms | {:.1} ms | {:.1} ms (S3/file {:.2}) | {:.2} | <= 2.00 | {} |",
        file * 1e3,
        local * 1e3,
        remote * 1e3,
        remote / file,
        local / file,
        if local / file <= 2.0 { "yes" } else { "NO" }
    );
    println!();

    // `a[2, ::-3]` on the session's array in S3: the chunk objects it fetches.
    let before = s3.gets("/mymmap.zarr/c/")?;
    let script = workspace_root().join("bench/zarr_strided.py");
    let mut row = ours();
    row.arg("run").arg(&script).args(["--store", &store, "--", "/lake/mymmap.zarr", "row"]);
    timed(s3.env(&mut row))?;
    let fetched = s3.gets("/mymmap.zarr/c/")? - before;
    println!(
        "`a[2, ::-3]` on the session's 10000x10000 array in S3 (1000x1000 chunks, 100 in all): {fetched} chunk GETs (the 10 chunks of rows 0-999 hold row 2)"
    );
    println!();

    // The strided read, ours against zarr-python's, on the same local array.
    let zarr = square_zarr(python, data)?;
    let inner = (reps * 2 + 1).to_string();
    let mut theirs = Command::new(python);
    theirs.arg(&script).arg(&zarr).arg(&inner);
    let mut mine = ours();
    mine.arg("run").arg(&script).arg("--dir").arg(format!("{}::/data", data.display())).args([
        "--",
        "/data/square.zarr",
        &inner,
    ]);
    let parse = |out: &str| -> Result<(f64, f64)> {
        crate::parse_pair(out.lines().last().unwrap_or_default())
            .ok_or_else(|| format!("strided read printed {out:?}").into())
    };
    let (t_theirs, sum_theirs) = parse(&timed(&mut theirs)?.1)?;
    let (t_ours, sum_ours) = parse(&timed(&mut mine)?.1)?;
    let agree = (sum_theirs - sum_ours).abs() <= sum_theirs.abs() * 1e-9;
    println!(
        "| strided read `a[0:5000:7, 123:9000:13]` (715x684 float64 from 45 raw 8 MB chunks) | zarr-python | ours (plugin) | zarr-python/ours | target | met? |"
    );
    println!("|---|---|---|---|---|---|");
    println!(
        "| median of {inner}, fresh open each{} | {:.1} ms | {:.1} ms | {:.2} | >= 1.00 | {} |",
        if agree { "" } else { " (SUMS DIFFER)" },
        t_theirs * 1e3,
        t_ours * 1e3,
        t_theirs / t_ours,
        if t_theirs / t_ours >= 1.0 { "yes" } else { "NO" }
    );
    println!();

    // The Dask recipe: 100 chunk tasks on 2 workers, on S3.
    let made = s3
        .env(&mut Command::new(python))
        .args(["-c", "import boto3, json\ns3 = boto3.client('s3')\n\
            meta = {'shape': [1000, 1000], 'data_type': 'float64', 'chunk_grid': {'name': 'regular', 'configuration': {'chunk_shape': [100, 100]}},\n\
                    'chunk_key_encoding': {'name': 'default', 'configuration': {'separator': '/'}}, 'fill_value': 0.0,\n\
                    'codecs': [{'name': 'bytes', 'configuration': {'endian': 'little'}}], 'attributes': {}, 'zarr_format': 3, 'node_type': 'array'}\n\
            s3.put_object(Bucket='bench', Key='dask/a.zarr/zarr.json', Body=json.dumps(meta).encode())"])
        .status()?;
    if !made.success() {
        return Err("could not store the Dask array's metadata".into());
    }
    let mut recipe = Command::new(python);
    recipe
        .arg(workspace_root().join("examples/dask/recipe.py"))
        .arg("--cli")
        .arg(cli)
        .arg("--cache-dir")
        .arg(cache.path())
        .arg("--plugin")
        .arg(chunk_task)
        .args(["--store", &format!("s3://{BUCKET}/dask"), "--array", "a.zarr", "--shape", "1000,1000"])
        .args(["--chunks", "100,100", "--workers", "2", "--tasks", "100", "--", "--write"]);
    let (_, out) = timed(s3.env(&mut recipe))?;
    let figures: Vec<&str> = out.lines().collect();
    println!(
        "Dask recipe, 100 chunk tasks (`chunk_task --write`, one `wasm-memmap run` each) on a LocalCluster of 2 workers, S3: {}",
        figures.last().unwrap_or(&"?")
    );
    println!();
    Ok(())
}
