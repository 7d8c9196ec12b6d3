"""Array arithmetic, which this module leaves out: every operator raises `NotImplementedError`
naming the operation, rather than computing something unlike numpy."""

_OPERATORS = {
    "add": "+", "sub": "-", "mul": "*", "truediv": "/", "floordiv": "//", "mod": "%",
    "pow": "**", "matmul": "@", "and": "&", "or": "|", "xor": "^", "lshift": "<<", "rshift": ">>",
    "divmod": "divmod",
}
_COMPARISONS = {"lt": "<", "le": "<=", "gt": ">", "ge": ">=", "eq": "==", "ne": "!="}
_UNARY = {"neg": "unary -", "pos": "unary +", "abs": "abs()", "invert": "~"}


def _refuse(symbol, method):
    def refused(self, *args):
        raise NotImplementedError(
            f"array arithmetic is not supported: {type(self).__name__} {symbol} "
            f"(numpy's {method}); wasm-memmap's numpy maps, indexes, reads, writes and prints "
            "arrays; compute on Python values (a.tolist(), float(a[i]))"
        )

    refused.__name__ = method
    return refused


def install(cls):
    """Adds the refusing operators to `cls`; returns it (a class decorator)."""
    for name, symbol in _OPERATORS.items():
        for method in (f"__{name}__", f"__r{name}__", f"__i{name}__"):
            if name == "divmod" and method == "__idivmod__":
                continue
            setattr(cls, method, _refuse(symbol, method))
    for name, symbol in _COMPARISONS.items():
        setattr(cls, f"__{name}__", _refuse(symbol, f"__{name}__"))
    for name, symbol in _UNARY.items():
        setattr(cls, f"__{name}__", _refuse(symbol, f"__{name}__"))
    cls.__hash__ = None
    return cls
