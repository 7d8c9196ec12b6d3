"""The Zarr tests' second oracle: zarr-python and numpy, outside the sandbox, on the same store the
plugin used (a local directory, or a prefix of the local S3 server reached with boto3).

Run by real CPython (`.venv/bin/python`) as `python zarr_oracle.py PLACE COMMAND ARGS...`; PLACE is
`dir:/path/to/lake` or `s3:bucket/prefix` (endpoint and credentials from the environment, as for
the host). A Zarr array on S3 is handled as its objects: zarr-python reads and writes a local copy
that is downloaded from / uploaded to the prefix key for key (the objects of a Zarr array are its
files, byte for byte), so no S3 filesystem package is needed.

The commands print one JSON value on stdout.
"""

import json
import os
import shutil
import sys
import tempfile

import numpy as np
import zarr


class Place:
    """Where the plugin's `/lake` is."""

    def __init__(self, spec):
        kind, _, rest = spec.partition(':')
        self.kind = kind
        if kind == 'dir':
            self.root = rest
        elif kind == 's3':
            self.bucket, _, self.prefix = rest.partition('/')
            import boto3
            self.s3 = boto3.client('s3')
        else:
            raise SystemExit(f'unknown place {spec!r}')

    def key(self, name):
        return f'{self.prefix}/{name}' if self.prefix else name

    def names(self, name):
        """The relative paths of every file/object of the array `name`."""
        if self.kind == 'dir':
            top = os.path.join(self.root, name)
            out = []
            for d, _, files in os.walk(top):
                out += [os.path.relpath(os.path.join(d, f), top) for f in files]
            return sorted(out)
        base = self.key(name) + '/'
        out = []
        for page in self.s3.get_paginator('list_objects_v2').paginate(Bucket=self.bucket, Prefix=base):
            out += [o['Key'][len(base):] for o in page.get('Contents', [])]
        return sorted(out)

    def read(self, name, rel):
        if self.kind == 'dir':
            with open(os.path.join(self.root, name, rel), 'rb') as f:
                return f.read()
        return self.s3.get_object(Bucket=self.bucket, Key=f'{self.key(name)}/{rel}')['Body'].read()

    def write(self, name, rel, data):
        if self.kind == 'dir':
            path = os.path.join(self.root, name, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'wb') as f:
                f.write(data)
        else:
            self.s3.put_object(Bucket=self.bucket, Key=f'{self.key(name)}/{rel}', Body=data)

    def remove(self, name, rel):
        if self.kind == 'dir':
            os.remove(os.path.join(self.root, name, rel))
        else:
            self.s3.delete_object(Bucket=self.bucket, Key=f'{self.key(name)}/{rel}')

    def local(self, name):
        """A local directory holding the array `name` (the store itself, or a fresh download)."""
        if self.kind == 'dir':
            return os.path.join(self.root, name)
        top = tempfile.mkdtemp()
        for rel in self.names(name):
            path = os.path.join(top, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'wb') as f:
                f.write(self.read(name, rel))
        return top

    def publish(self, local, name):
        """Stores the array zarr-python wrote in the local directory `local` as `name`."""
        if self.kind == 'dir':
            target = os.path.join(self.root, name)
            if os.path.abspath(local) != os.path.abspath(target):
                shutil.rmtree(target, ignore_errors=True)
                shutil.copytree(local, target)
            return
        for rel in self.names(name):
            self.remove(name, rel)
        for d, _, files in os.walk(local):
            for f in files:
                with open(os.path.join(d, f), 'rb') as fh:
                    self.write(name, os.path.relpath(os.path.join(d, f), local), fh.read())

    def open(self, name):
        """zarr-python's view of the array `name`."""
        return zarr.open_array(self.local(name), mode='r')

    def snapshot(self, name):
        """Every object of the array: {relative path: hex of its bytes}."""
        return {rel: self.read(name, rel).hex() for rel in self.names(name)}


def create(place, name, dtype, shape, chunks, compressors=(), fill_value=0):
    """zarr-python creates the array `name`; the dtype's byte order is the `bytes` codec's endian."""
    dt = np.dtype(dtype)
    endian = {'>': 'big', '<': 'little', '=': 'little', '|': None}[dt.byteorder]
    top = tempfile.mkdtemp() if place.kind == 's3' else os.path.join(place.root, name)
    codecs = {'zstd': lambda: zarr.codecs.ZstdCodec(level=3), 'gzip': lambda: zarr.codecs.GzipCodec(level=5),
              'crc32c': zarr.codecs.Crc32cCodec}
    z = zarr.create_array(top, shape=shape, chunks=chunks, dtype=dt.newbyteorder('='),
                          compressors=[codecs[c]() for c in compressors] or None,
                          serializer=zarr.codecs.BytesCodec(endian=endian),
                          fill_value=fill_value, overwrite=True)
    return z, top


def bits(a):
    """The values of `a` as native-order bytes (NaN payloads and -0.0 kept), for exact comparison."""
    a = np.ascontiguousarray(a)
    return a.astype(a.dtype.newbyteorder('='), copy=False).tobytes()


if __name__ == '__main__':
    place = Place(sys.argv[1])
    command, args = sys.argv[2], sys.argv[3:]
    if command == 'snapshot':
        print(json.dumps(place.snapshot(args[0])))
    elif command == 'names':
        print(json.dumps(place.names(args[0])))
    else:
        raise SystemExit(f'unknown command {command!r}')
