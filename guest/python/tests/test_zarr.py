"""The pure-Python parts of `wasm_memmap.zarr` against zarr-python itself: `chunks='auto'`, the
codec objects' `to_dict()`, and the exception classes' bases."""

import unittest

from support import wm  # noqa: F401 (puts ../app on the path after the real numpy)

try:
    import zarr as real_zarr
    import zarr.core.chunk_grids as real_grids
except ImportError:  # pragma: no cover
    real_zarr = None

from wasm_memmap import zarr as wz


@unittest.skipIf(real_zarr is None, "zarr-python is not installed")
class ZarrPython(unittest.TestCase):
    def test_auto_chunks_are_zarr_pythons(self):
        shapes = [(10000, 10000), (100,), (7, 3, 5), (1 << 20,), (0, 5), (123456, 789), (3,), (1, 1, 1, 1),
                  (4096, 4096, 3), (50000,)]
        for shape in shapes:
            for itemsize in (1, 2, 4, 8, 16):
                with self.subTest(shape=shape, itemsize=itemsize):
                    self.assertEqual(wz._guess_chunks(shape, itemsize), real_grids._guess_chunks(shape, itemsize))

    def test_codecs_serialise_as_zarr_pythons(self):
        pairs = [
            (wz.codecs.ZstdCodec(), real_zarr.codecs.ZstdCodec()),
            (wz.codecs.ZstdCodec(level=7), real_zarr.codecs.ZstdCodec(level=7)),
            (wz.codecs.GzipCodec(), real_zarr.codecs.GzipCodec()),
            (wz.codecs.GzipCodec(level=1), real_zarr.codecs.GzipCodec(level=1)),
            (wz.codecs.Crc32cCodec(), real_zarr.codecs.Crc32cCodec()),
        ]
        for ours, theirs in pairs:
            with self.subTest(codec=repr(ours)):
                self.assertEqual(ours.to_dict(), theirs.to_dict())

    def test_errors_have_zarr_pythons_bases(self):
        import zarr.errors as real_errors

        for name in ("ArrayNotFoundError", "NodeNotFoundError", "ContainsArrayError", "UnknownCodecError"):
            with self.subTest(name=name):
                ours = getattr(wz.errors, name)
                theirs = getattr(real_errors, name)
                builtin = [c.__name__ for c in theirs.__mro__ if c.__module__ == "builtins"]
                self.assertEqual([c.__name__ for c in ours.__mro__ if c.__module__ == "builtins"], builtin)
                self.assertEqual(f"{ours.__module__}.{ours.__qualname__}", f"zarr.errors.{name}")


class Arguments(unittest.TestCase):
    def test_chunk_shapes(self):
        self.assertEqual(wz._chunk_shape(100, [1000, 10], 8), [100, 100])
        self.assertEqual(wz._chunk_shape((10, -1), [1000, 30], 8), [10, 30])
        self.assertEqual(wz._chunk_shape((10, None), [1000, 0], 8), [10, 1])
        with self.assertRaises(ValueError):
            wz._chunk_shape((10,), [1000, 30], 8)

    def test_modes_and_options_refused_before_the_host(self):
        with self.assertRaisesRegex(ValueError, "invalid mode 'x'"):
            wz.open_array("a.zarr", mode="x")
        with self.assertRaisesRegex(NotImplementedError, "storage_options"):
            wz.open_array("s3://b/a.zarr", storage_options={"anon": True})
        with self.assertRaisesRegex(NotImplementedError, "zarr_format=2"):
            wz.open_array("a.zarr", zarr_format=2)


if __name__ == "__main__":
    unittest.main()
