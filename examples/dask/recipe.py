"""Scale out with Dask: one sandboxed plugin per chunk region of a Zarr array, results reduced by Dask.

Each Dask task runs `wasm-memmap run PLUGIN` in its own process, granted the array's store and
allowed to write only its own chunk-aligned region (`--region`), so two tasks never write the same
chunk and no update is lost. The plugin prints its partial result (its last line: a number, or
JSON with a `sum`); Dask sums the partial results with a tree reduction. Nothing here is special to Dask but the
scheduling: the same command runs one region by hand.

    python examples/dask/recipe.py --cli target/release/wasm-memmap --plugin TASK.wasm \\
        --store s3://bucket/prefix --array a.zarr --shape 10000,10000 --chunks 1000,1000 \\
        [--workers 2] [--tasks 100] [-- PLUGIN ARGS]

`--store` is a granted object-store prefix (`s3://bucket/prefix`, credentials and endpoint from the
environment as for any AWS client: `AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`, ...) or a local
directory. The plugin sees it as `/lake` and is called as `PLUGIN /lake/ARRAY REGION [PLUGIN ARGS]`,
REGION being `start:stop` per axis, comma-separated (`0:1000,2000:3000`). The array's shape and
chunk shape are given with `--shape` and `--chunks` (the recipe itself never reads the store: only
the sandboxed plugins do, under their grants).

Prints one JSON line: the tasks, the workers, the reduced sum, the wall time of the Dask computation
(cluster already started) and the per-task figures (mean plugin process time, and Dask's share: wall
time x workers / tasks - mean process time).
"""

import argparse
import json
import subprocess
import sys
import time


def chunk_regions(shape, chunks, tasks):
    """The first `tasks` chunk-aligned regions of the array, one chunk each, in C order."""
    grid = [-(-n // c) for n, c in zip(shape, chunks)]
    regions = []
    index = [0] * len(grid)
    while len(regions) < tasks:
        regions.append(tuple((i * c, min((i + 1) * c, n)) for i, c, n in zip(index, chunks, shape)))
        axis = len(grid) - 1
        while axis >= 0:
            index[axis] += 1
            if index[axis] < grid[axis]:
                break
            index[axis] = 0
            axis -= 1
        if axis < 0:
            break
    return regions


def run_task(region, cli, plugin, grant, location, args):
    """Runs the plugin on one region; returns (its partial result, seconds the process took)."""
    spec = ','.join(f'{start}:{stop}' for start, stop in region)
    command = [*cli, 'run', plugin, *grant, '--region', f'{location}[{spec}]', '--', location, spec, *args]
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise RuntimeError(f'region {spec}: exit {done.returncode}: {done.stderr.strip()}')
    last = done.stdout.strip().splitlines()[-1]
    # The workspace's chunk_task prints JSON ({"sum": S, ...}); a script may print the number.
    value = json.loads(last)['sum'] if last.startswith('{') else float(last)
    return value, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--cli', default='target/release/wasm-memmap')
    parser.add_argument('--plugin', required=True, help='the chunk task: a component or a .py script')
    parser.add_argument('--store', required=True, help='s3://bucket/prefix or a local directory')
    parser.add_argument('--array', required=True, help="the array's path beneath the store")
    parser.add_argument('--shape', required=True, help='e.g. 10000,10000')
    parser.add_argument('--chunks', required=True, help='e.g. 1000,1000')
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--tasks', type=int, default=100)
    parser.add_argument('--cache-dir', help="the command's compile cache (default: its own)")
    parser.add_argument('args', nargs='*', help='passed to the plugin after the region (after --)')
    opts = parser.parse_args()

    import dask
    import dask.bag as db
    from dask.distributed import Client, LocalCluster

    shape = [int(n) for n in opts.shape.split(',')]
    chunks = [int(n) for n in opts.chunks.split(',')]
    regions = chunk_regions(shape, chunks, opts.tasks)
    flag = '--store' if '://' in opts.store else '--dir'
    grant = [flag, f'{opts.store}::/lake']
    location = f'/lake/{opts.array}'
    cli = [opts.cli, '--cache-dir', opts.cache_dir] if opts.cache_dir else [opts.cli]

    # One process per worker, one task at a time each: the plugin processes are the work.
    with LocalCluster(n_workers=opts.workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster):
        began = time.perf_counter()
        results = db.from_sequence(regions, npartitions=len(regions)).map(
            run_task, cli, opts.plugin, grant, location, opts.args)
        total, seconds = results.pluck(0).sum(), results.pluck(1)
        total, seconds = dask.compute(total, seconds)
        wall = time.perf_counter() - began

    process = sum(seconds) / len(seconds)
    print(json.dumps({
        'tasks': len(regions),
        'workers': opts.workers,
        'sum': total,
        'wall_s': round(wall, 3),
        'per_task_ms': round(wall * 1000 / len(regions), 2),
        'process_ms': round(process * 1000, 2),
        'dask_overhead_ms': round((wall * opts.workers / len(regions) - process) * 1000, 2),
    }))
    return 0


if __name__ == '__main__':
    sys.exit(main())
