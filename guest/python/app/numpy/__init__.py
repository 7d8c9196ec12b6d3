"""Placeholder for the numpy-compatible package (helper "python" replaces this directory).

It exists so that `import numpy` inside the runner never finds the numpy installed beside
componentize-py (a native package that cannot run in the component).
"""


def __getattr__(name):
    raise NotImplementedError(f"numpy.{name} is not available in this build of the Python runner")
